/**
 * The chat in a real terminal (tmux): what you type is echoed and editable, the up arrow recalls the
 * last question, answers appear under it, Ctrl-D leaves. Waits on the screen's content, never on a clock.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { PACKAGE_ROOT } from "../src/config/paths.ts";
import { HashEmbedder } from "../src/memory/embeddings.ts";
import { MemoryStore } from "../src/memory/store.ts";
import { tempChroma } from "./helpers/chroma.ts";
import { storedEvent } from "./helpers/records.ts";
import { HAS_TMUX, type Terminal, terminal } from "./helpers/tmux.ts";

describe.skipIf(!HAS_TMUX)("chat in a terminal", () => {
  let stop = async () => {};
  let term: Terminal | undefined;
  afterAll(async () => {
    term?.close();
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
    term = terminal(cmd);
    const { until } = term;
    await until(/^you>\s*$/m); // capture-pane drops trailing spaces
    term.type("what happened todya");
    await until(/you> what happened todya$/m); // typed text is echoed before Enter
    term.keys("BSpace", "BSpace");
    term.type("ay");
    await until(/you> what happened today$/m); // and can be edited
    term.keys("Enter");
    const answered = await until(/MSFT 2015-10-07: \d+ news items[\s\S]*\nyou>\s*$/);
    expect(answered).toMatch(
      /you> what happened today\n {2}\(tool day_events \{\}\)\nstockmem> MSFT 2015-10-07: \d+ news items/,
    );
    term.keys("Up");
    await until(/you> what happened today$/m); // history
    term.keys("C-u", "C-d");
    await until(/exited 0/);
  });
});
