/**
 * A real terminal for the tests (tmux): start a command in a session, type into it, and wait on what the screen
 * shows, never on a clock. CI installs tmux and sets STOCKMEM_REQUIRE_TMUX=1: there the terminal tests must run.
 */
import { execFileSync, spawnSync } from "node:child_process";

export const HAS_TMUX = spawnSync("tmux", ["-V"]).status === 0;
if (!HAS_TMUX && process.env.STOCKMEM_REQUIRE_TMUX) throw new Error("STOCKMEM_REQUIRE_TMUX is set but tmux is missing");
if (!HAS_TMUX) console.warn("terminal tests: skipped, tmux is not installed (CI installs it)");

export interface Terminal {
  /** tmux send-keys: key names (Enter, C-c, Up) */
  keys(...keys: string[]): void;
  /** types text as it is */
  type(text: string): void;
  /** what the screen shows; with `escapes`, its colour codes too */
  screen(escapes?: boolean): string;
  /** resolves once the screen shows what `want` matches, or fails naming what it shows */
  until(want: RegExp, limitMs?: number): Promise<string>;
  close(): void;
}

let seq = 0;

/** Runs `cmd` (a shell line) in a new tmux session of `cols` x `rows`, on a server of this test process. */
export function terminal(cmd: string, cols = 160, rows = 40): Terminal {
  const socket = `stockmem-test-${process.pid}-${++seq}`;
  const tmux = (...args: string[]) => execFileSync("tmux", ["-L", socket, ...args], { encoding: "utf8" });
  tmux("new-session", "-d", "-s", "t", "-x", String(cols), "-y", String(rows), cmd);
  const screen = (escapes = false) => tmux("capture-pane", "-p", ...(escapes ? ["-e"] : []), "-t", "t");
  return {
    keys: (...keys) => tmux("send-keys", "-t", "t", ...keys),
    type: (text) => tmux("send-keys", "-t", "t", "-l", text),
    screen,
    async until(want, limitMs = 60_000) {
      const end = Date.now() + limitMs;
      for (;;) {
        const s = screen();
        if (want.test(s)) return s;
        if (Date.now() > end) throw new Error(`the screen never showed ${want}:\n${s}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    close: () => void spawnSync("tmux", ["-L", socket, "kill-server"]),
  };
}
