import { startChroma } from "../src/memory/chroma-server.ts";
import { MemoryStore, resetRun } from "../src/memory/store.ts";
import { HashEmbedder } from "../src/memory/embeddings.ts";
import { storedEvent } from "../tests/helpers/records.ts";
import { readdirSync } from "node:fs";
import { execSync } from "node:child_process";
const path = "/tmp/gcexp/chroma";
const s = await startChroma({ path });
const show = (w: string) => console.log(w, readdirSync(path).join(" "), execSync(`du -sk ${path}`).toString().trim());
for (const run of ["a", "b"]) {
  const st = await MemoryStore.open(s.url, run, new HashEmbedder(512));
  await st.putEvents(Array.from({ length: 2000 }, (_, i) => storedEvent("AAPL", "2015-10-05", `event ${run} ${i} ${"x".repeat(200)}`)));
  await st.seal?.();
}
show("after 2 runs:");
await resetRun(s.url, "a");
show("after reset a:");
await new Promise((r) => setTimeout(r, 3000));
show("3s later:");
await s.stop();
