/**
 * Builds tools/jaccard.wasm from its source tools/jaccard.wat (run by `npm ci` / `npm install` as
 * the postinstall step; `node scripts/build-wasm.mjs` by hand after editing the .wat).
 * The binary is not committed: the source is the one home of the scan's WebAssembly.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import wabtInit from "wabt";

const src = fileURLToPath(new URL("../tools/jaccard.wat", import.meta.url));
const out = fileURLToPath(new URL("../tools/jaccard.wasm", import.meta.url));
const wabt = await wabtInit();
const mod = wabt.parseWat("jaccard.wat", readFileSync(src, "utf8"));
try {
  mod.validate();
  const { buffer } = mod.toBinary({});
  writeFileSync(out, buffer);
  console.log(`stockmem: built ${out} (${buffer.length} bytes)`);
} finally {
  mod.destroy();
}
