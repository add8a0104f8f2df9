/**
 * The chat in a real terminal (tmux): what you type is echoed and editable, the up arrow recalls the
 * last question, answers appear under it, Ctrl-D leaves. Waits on the screen's content, never on a clock.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { PACKAGE_ROOT } from "../src/config/paths.ts";
import { HashEmbedder } from "../src/memory/embeddings.ts";
import { MemoryStore } from "../src/memory/store.ts";
import { tempChroma } from "./helpers/chroma.ts";
import { storedEvent } from "./helpers/records.ts";

const HAS_TMUX = spawnSync("tmux", ["-V"]).status === 0;
// CI installs tmux and sets STOCKMEM_REQUIRE_TMUX=1: there the test must run, never skip.
if (!HAS_TMUX && process.env.STOCKMEM_REQUIRE_TMUX) throw new Error("STOCKMEM_REQUIRE_TMUX is set but tmux is missing");
if (!HAS_TMUX) console.warn("chat-tty.test: skipped, tmux is not installed (CI installs it)");

const socket = `stockmem-test-${process.pid}`;
const tmux = (...args: string[]) => execFileSync("tmux", ["-L", socket, ...args], { encoding: "utf8" });
const screen = () => tmux("capture-pane", "-p", "-t", "chat");

/** Resolves once the screen shows what `want` matches (polling tmux), or fails naming what it shows. */
async function until(want: RegExp, limitMs = 60_000): Promise<string> {
  const end = Date.now() + limitMs;
  for (;;) {
    const s = screen();
    if (want.test(s)) return s;
    if (Date.now() > end) throw new Error(`the screen never showed ${want}:\n${s}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(!HAS_TMUX)("chat in a terminal", () => {
  let stop = async () => {};
  afterAll(async () => {
    spawnSync("tmux", ["-L", socket, "kill-server"]);
    await stop();
  });

  it("echoes typing, recalls history with the up arrow, answers, and leaves on Ctrl-D", async () => {
    const chroma = await tempChroma();
    stop = () => chroma.stop();
    const state = mkdtempSync(join(tmpdir(), "stockmem-tty-"));
    // run "tty" has memory (a chat reads a run; an unknown one is refused)
    const store = await MemoryStore.open(chroma.url, "tty", new HashEmbedder(512));
    await store.putEvents([storedEvent("MSFT", "2015-10-07", "Microsoft event")]);
    const cmd = `STOCKMEM_DATA_DIR=${state} CHROMA_URL=${chroma.url} ${process.execPath} ${join(PACKAGE_ROOT, "bin/stockmem.mjs")} chat MSFT --date 2015-10-07 --run tty; echo "exited $?"; sleep 600`;
    tmux("new-session", "-d", "-s", "chat", "-x", "160", "-y", "40", cmd);
    await until(/^you>\s*$/m); // capture-pane drops trailing spaces
    tmux("send-keys", "-t", "chat", "-l", "what happened todya");
    await until(/you> what happened todya$/m); // typed text is echoed before Enter
    tmux("send-keys", "-t", "chat", "BSpace", "BSpace");
    tmux("send-keys", "-t", "chat", "-l", "ay");
    await until(/you> what happened today$/m); // and can be edited
    tmux("send-keys", "-t", "chat", "Enter");
    const answered = await until(/MSFT 2015-10-07: \d+ news items[\s\S]*\nyou>\s*$/);
    expect(answered).toMatch(
      /you> what happened today\n {2}\(tool day_events \{\}\)\nstockmem> MSFT 2015-10-07: \d+ news items/,
    );
    tmux("send-keys", "-t", "chat", "Up");
    await until(/you> what happened today$/m); // history
    tmux("send-keys", "-t", "chat", "C-u", "C-d");
    await until(/exited 0/);
  }, 120_000);
});
