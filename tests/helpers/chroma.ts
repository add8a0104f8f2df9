import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, vi } from "vitest";
import { type ChromaEndpoint, startChroma } from "../../src/memory/chroma-server.ts";

/**
 * A real Chroma server on a free port with a temporary data dir, for one test file. Stopping it removes
 * a data dir it made itself (runs used to leave hundreds of MB in /tmp).
 */
export async function tempChroma(path?: string): Promise<ChromaEndpoint & { path: string }> {
  const dir = path ?? mkdtempSync(join(tmpdir(), "stockmem-chroma-"));
  const server = await startChroma({ path: dir });
  return {
    ...server,
    path: dir,
    stop: async () => {
      await server.stop();
      if (!path) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Every live descendant of a process (Linux /proc), with its command line. */
export function descendants(root: number): { pid: number; cmd: string }[] {
  const procs = readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d))
    .flatMap((d) => {
      try {
        const stat = readFileSync(`/proc/${d}/stat`, "utf8");
        const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
        return [{ pid: Number(d), ppid, cmd: readFileSync(`/proc/${d}/cmdline`, "utf8").replace(/\0/g, " ") }];
      } catch {
        return [];
      }
    });
  const out: { pid: number; cmd: string }[] = [];
  const walk = (p: number) => {
    for (const c of procs.filter((x) => x.ppid === p)) {
      out.push({ pid: c.pid, cmd: c.cmd });
      walk(c.pid);
    }
  };
  walk(root);
  return out;
}

export async function waitUntil(cond: () => boolean, timeoutMs = 5000): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return cond();
}

/**
 * For a test file that runs stockmem end to end: a real Chroma server, an empty state dir and evals
 * dir, and the env pointing at them (LangSmith off), set up before and torn down after the file.
 */
export function useIsolatedStockmem(): {
  server: () => ChromaEndpoint & { path: string };
  state: () => string;
  evals: () => string;
} {
  let server: ChromaEndpoint & { path: string };
  let state = "";
  let evals = "";
  beforeAll(async () => {
    server = await tempChroma();
    state = mkdtempSync(join(tmpdir(), "stockmem-state-"));
    evals = mkdtempSync(join(tmpdir(), "stockmem-evals-"));
    vi.stubEnv("CHROMA_URL", server.url);
    vi.stubEnv("STOCKMEM_DATA_DIR", state);
    vi.stubEnv("STOCKMEM_EVALS_DIR", evals);
    vi.stubEnv("LANGSMITH_API_KEY", "");
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await server?.stop();
    for (const dir of [state, evals]) if (dir) rmSync(dir, { recursive: true, force: true });
  });
  return { server: () => server, state: () => state, evals: () => evals };
}
