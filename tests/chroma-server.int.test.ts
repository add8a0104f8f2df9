import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { executeRun } from "../app/run.ts";
import { runContext } from "../src/config/context.ts";
import { PACKAGE_ROOT, SAMPLE_DATA_DIR } from "../src/config/paths.ts";
import { ChromaStartError, connectChroma, freePort, heartbeat, startChroma } from "../src/memory/chroma-server.ts";
import { pidAlive, waitUntil } from "./helpers/chroma.ts";

const OWNER = join(PACKAGE_ROOT, "tests/fixtures/chroma-owner.ts");

/** Starts an owner process; resolves with its pid, the server pid, and a promise of its exit. */
async function owner(mode: "normal" | "error" | "wait") {
  const dir = mkdtempSync(join(tmpdir(), "stockmem-owner-"));
  const child = spawn(process.execPath, ["--import", "tsx", OWNER, dir, mode], {
    cwd: PACKAGE_ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (b) => (out += b));
  child.stderr.on("data", (b) => (out += b));
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  await waitUntil(() => /PID \d+/.test(out) || child.exitCode !== null, 20_000);
  const serverPid = Number(/PID (\d+)/.exec(out)?.[1]);
  expect(serverPid, `owner output: ${out}`).toBeGreaterThan(0);
  return { child, serverPid, exited, output: () => out };
}

describe("managed Chroma server: no orphans, ever", () => {
  it("is gone after the owner exits normally", async () => {
    const o = await owner("normal");
    expect(await o.exited).toBe(0);
    expect(await waitUntil(() => !pidAlive(o.serverPid))).toBe(true);
  });

  it("is gone after the owner dies of an error", async () => {
    const o = await owner("error");
    expect(await o.exited).not.toBe(0);
    expect(o.output()).toMatch(/boom/);
    expect(await waitUntil(() => !pidAlive(o.serverPid))).toBe(true);
  });

  it.each(["SIGINT", "SIGTERM"] as const)("is gone after the owner gets %s", async (sig) => {
    const o = await owner("wait");
    expect(pidAlive(o.serverPid)).toBe(true);
    o.child.kill(sig);
    await o.exited;
    expect(await waitUntil(() => !pidAlive(o.serverPid))).toBe(true);
  });

  it("is gone even when the owner is SIGKILLed (the launcher watches its parent)", async () => {
    const o = await owner("wait");
    o.child.kill("SIGKILL");
    await o.exited;
    expect(await waitUntil(() => !pidAlive(o.serverPid))).toBe(true);
  });
});

describe("starting and connecting", () => {
  it("answers its heartbeat once started, and stop() ends it", async () => {
    const s = await startChroma({ path: mkdtempSync(join(tmpdir(), "stockmem-hb-")) });
    expect(await heartbeat(s.url)).toBe(true);
    await s.stop();
    expect(pidAlive(s.pid!)).toBe(false);
    await s.stop(); // twice is fine
  });

  it.each(["", "1", "full"])(
    "fails quoting the cause and the server's last log lines when it cannot start (RUST_BACKTRACE=%s)",
    async (bt) => {
      vi.stubEnv("RUST_BACKTRACE", bt);
      try {
        const dir = mkdtempSync(join(tmpdir(), "stockmem-bad-"));
        writeFileSync(join(dir, "chroma.sqlite3"), "this is not a sqlite database ".repeat(200));
        const err = await startChroma({ path: dir, timeoutMs: 15_000 }).catch((e) => e);
        expect(err).toBeInstanceOf(ChromaStartError);
        expect(err.message).toMatch(/exited early/);
        expect(err.message).toMatch(/Cause: [^\n]*file is not a database[^\n]*\. Its last log lines:/);
      } finally {
        vi.unstubAllEnvs();
      }
    },
  );

  it("refuses a port already taken instead of talking to another server", async () => {
    const first = await startChroma({ path: mkdtempSync(join(tmpdir(), "stockmem-p1-")) });
    try {
      const port = Number(new URL(first.url).port);
      const err = await startChroma({
        path: mkdtempSync(join(tmpdir(), "stockmem-p2-")),
        port,
        timeoutMs: 10_000,
      }).catch((e) => e);
      expect(err).toBeInstanceOf(ChromaStartError);
      expect(err.message).toMatch(/port is already in use/);
    } finally {
      await first.stop();
    }
  });

  it("uses CHROMA_URL when set, and names it when it does not answer", async () => {
    const port = await freePort();
    await expect(connectChroma("/unused", { CHROMA_URL: `http://127.0.0.1:${port}` })).rejects.toThrow(
      /CHROMA_URL=http:\/\/127\.0\.0\.1:\d+ does not answer/,
    );
    const s = await startChroma({ path: mkdtempSync(join(tmpdir(), "stockmem-ext-")) });
    try {
      const ep = await connectChroma("/unused", { CHROMA_URL: s.url });
      expect(ep.url).toBe(s.url);
      expect(ep.pid).toBeUndefined();
    } finally {
      await s.stop();
    }
  });
});

describe("a damaged store", () => {
  it("stops the run naming the cause and the way out; --fresh moves the store aside (kept) and runs", async () => {
    const state = mkdtempSync(join(tmpdir(), "stockmem-damaged-"));
    vi.stubEnv("STOCKMEM_DATA_DIR", state);
    vi.stubEnv("CHROMA_URL", "");
    try {
      mkdirSync(join(state, "chroma"));
      writeFileSync(join(state, "chroma", "chroma.sqlite3"), "this is not a sqlite database ".repeat(200));
      const opts = {
        ctx: runContext({ run: "damaged" }),
        dataDir: SAMPLE_DATA_DIR,
        tickers: ["MSFT"],
        train: { from: "2015-09-28", to: "2015-09-30" },
        test: { from: "2015-10-01", to: "2015-10-02" },
        quiet: true,
      };
      const err = await executeRun(opts).catch((e) => e);
      expect(err).toBeInstanceOf(ChromaStartError);
      expect(err.message).toMatch(
        /Cause: [^\n]*file is not a database[\s\S]*may be damaged: `stockmem run --fresh` moves it aside \(kept, not deleted\)/,
      );
      expect(existsSync(join(state, "runs", "damaged", "lock"))).toBe(false); // nothing started, nothing held
      const notes: string[] = [];
      const out = await executeRun({ ...opts, fresh: true, onNote: (n) => notes.push(n) });
      const aside = readdirSync(state).filter((f) => f.startsWith("chroma.damaged-"));
      expect(aside).toHaveLength(1);
      expect(readFileSync(join(state, aside[0]!, "chroma.sqlite3"), "utf8")).toMatch(/^this is not a sqlite database/); // kept as it was
      expect(notes.join("\n")).toMatch(
        new RegExp(`file is not a database.*moved it aside to ${join(state, aside[0]!).replace(/[.]/g, "\\.")}`),
      );
      expect(readFileSync(out.predictionsFile, "utf8").trim().split("\n")).toHaveLength(2);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
