import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startChroma, type ChromaEndpoint } from "../../src/memory/chroma-server.ts";

/** A real Chroma server on a free port with a temporary data dir, for one test file. */
export async function tempChroma(path = mkdtempSync(join(tmpdir(), "stockmem-chroma-"))): Promise<ChromaEndpoint & { path: string }> {
  const server = await startChroma({ path });
  return { ...server, path };
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function waitUntil(cond: () => boolean, timeoutMs = 5000): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return cond();
}
