/**
 * The Chroma server of a run: the one at CHROMA_URL when set, otherwise a local server started from
 * the project's own `chromadb` dependency (`chroma run --path <state dir>/chroma`), which is stopped
 * on exit, on SIGINT/SIGTERM, and (through its launcher's parent watchdog) even if we are killed.
 */

import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromaDir } from "../config/paths.ts";
import { withoutSecrets } from "../observability/secrets.ts";

const LAUNCHER = join(dirname(fileURLToPath(import.meta.url)), "chroma-child.mjs");

export class ChromaStartError extends Error {}

export interface ChromaEndpoint {
  url: string;
  /** pid of the managed server process, undefined for an external CHROMA_URL */
  pid?: number;
  /** stops a managed server (no-op for an external one); safe to call twice */
  stop(): Promise<void>;
}

/** The `chroma` CLI of our own chromadb dependency (its package.json is not exported, so walk up from the entry). */
function chromaCliPath(): string {
  let dir = dirname(createRequire(import.meta.url).resolve("chromadb"));
  while (!existsSync(join(dir, "package.json"))) {
    const up = dirname(dir);
    if (up === dir) throw new ChromaStartError("cannot find the chromadb package (run npm install)");
    dir = up;
  }
  return join(dir, "dist/cli.mjs");
}

export async function freePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === "object" && addr ? resolve(addr.port) : reject(new Error("no port"))));
    });
  });
}

/** True if the server answers its heartbeat within `timeoutMs`. */
export async function heartbeat(url: string, timeoutMs = 2000): Promise<boolean> {
  try {
    const res = await fetch(`${url.replace(/\/$/, "")}/api/v2/heartbeat`, { signal: AbortSignal.timeout(timeoutMs) });
    return res.ok;
  } catch {
    return false;
  }
}

// Every live managed server, so that exit and signal handlers can stop them all.
const live = new Set<ChildProcess>();
let handlersInstalled = false;

function installExitHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  const killAll = () => {
    for (const child of live) child.kill("SIGKILL");
    live.clear();
  };
  process.on("exit", killAll);
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    // Only take over the signal while a server is up, then re-raise it so the default behaviour (exit) follows.
    const onSignal = () => {
      killAll();
      process.removeListener(sig, onSignal);
      if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
    };
    process.on(sig, onSignal);
  }
}

const stripAnsi = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, "");
/** Backtrace frames and the logo carry no reason: keep them out of the log tail shown in errors. */
/** A log line that names a failure (an error or a panic message), not a backtrace frame. */
const isCause = (line: string): boolean =>
  /panicked at|\berror\b|Error:|malformed|not a database|permission denied|no space left|address already in use/i.test(
    line,
  ) && !/^\s*(\d+:|at |_ZN|Builtins_)/.test(line);

const isNoise = (line: string) => /^\s*\d+: |^\s+at |^\s*\(\(\(|#####/.test(line);

async function portInUse(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once("error", () => resolve(true));
    srv.listen(port, host, () => srv.close(() => resolve(false)));
  });
}

export interface StartOptions {
  /** directory of the server's data (created if missing) */
  path: string;
  host?: string;
  port?: number;
  /** how long to wait for the heartbeat */
  timeoutMs?: number;
}

/** Starts a local Chroma server and resolves when its heartbeat answers. */
export async function startChroma(opts: StartOptions): Promise<ChromaEndpoint> {
  const host = opts.host ?? "127.0.0.1";
  if (opts.port !== undefined && (await portInUse(host, opts.port))) {
    throw new ChromaStartError(
      `cannot start a local Chroma server on ${host}:${opts.port}: the port is already in use`,
    );
  }
  const port = opts.port ?? (await freePort(host));
  const timeoutMs = opts.timeoutMs ?? 30_000;
  mkdirSync(opts.path, { recursive: true, mode: 0o700 });
  installExitHandlers();

  const child = spawn(
    process.execPath,
    [LAUNCHER, chromaCliPath(), "run", "--path", opts.path, "--host", host, "--port", String(port)],
    {
      stdio: ["ignore", "pipe", "pipe"],
      // no API key reaches the server; no Rust backtrace buries the cause of a failed start
      env: {
        ...withoutSecrets(process.env),
        CHROMA_TELEMETRY: "false",
        ANONYMIZED_TELEMETRY: "False",
        RUST_BACKTRACE: "0",
      },
    },
  );
  live.add(child);
  const logTail: string[] = [];
  /** the lines that say what went wrong (errors, panics), kept apart so no backtrace pushes them out of the tail */
  const causes: string[] = [];
  const onData = (buf: Buffer) => {
    for (const line of stripAnsi(buf.toString()).split("\n")) {
      if (!line.trim() || isNoise(line)) continue;
      logTail.push(line.trimEnd());
      if (isCause(line) && causes.length < 5) causes.push(line.trim().slice(0, 500));
    }
    logTail.splice(0, Math.max(0, logTail.length - 30));
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  let exited: { code: number | null; signal: string | null } | undefined;
  const exitPromise = new Promise<void>((resolve) =>
    child.once("exit", (code, signal) => {
      exited = { code, signal };
      live.delete(child);
      resolve();
    }),
  );
  const url = `http://${host}:${port}`;
  const stop = async () => {
    if (exited) return;
    child.kill("SIGTERM");
    const killer = setTimeout(() => child.kill("SIGKILL"), 5000);
    await exitPromise;
    clearTimeout(killer);
  };

  const deadline = Date.now() + timeoutMs;
  // A heartbeat counts only while our own child is alive (never trust another server on the port).
  while (!((await heartbeat(url, 500)) && !exited)) {
    const why = exited
      ? `exited early (code ${exited.code}, signal ${exited.signal})`
      : Date.now() > deadline
        ? `did not answer its heartbeat within ${timeoutMs} ms`
        : undefined;
    if (why) {
      await stop();
      const tail = logTail
        .slice(-15)
        .map((l) => `  | ${l}`)
        .join("\n");
      const cause = causes.length ? ` Cause: ${causes.join(" / ")}.` : "";
      throw new ChromaStartError(
        `the local Chroma server (${url}, data ${opts.path}) ${why}.${cause} Its last log lines:\n${tail || "  | (no output)"}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  // Up: the server must not keep this process alive (the exit handler stops it). The pipes keep
  // draining into the small log tail, so the server never blocks on a full pipe.
  child.unref();
  for (const pipe of [child.stdout, child.stderr]) (pipe as unknown as { unref?: () => void }).unref?.();
  return { url, pid: child.pid, stop };
}

/** The Chroma of this process: CHROMA_URL if set (checked), else a managed local server under `<stateDir>/chroma`. */
export async function connectChroma(stateDir: string, env: NodeJS.ProcessEnv = process.env): Promise<ChromaEndpoint> {
  const external = env.CHROMA_URL?.trim();
  if (external) {
    if (!(await heartbeat(external, 5000))) {
      throw new ChromaStartError(
        `CHROMA_URL=${external} does not answer (GET /api/v2/heartbeat). Start that server, or unset CHROMA_URL to let stockmem run its own.`,
      );
    }
    return { url: external, stop: async () => {} };
  }
  return startChroma({ path: chromaDir(stateDir) });
}
