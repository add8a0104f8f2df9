/** `npm run bench [-- memory]`: the speed and memory targets, measured (never asserted in tests). */
import { benchMemory } from "./memory.ts";

const only = process.argv.slice(2);
const want = (name: string) => only.length === 0 || only.includes(name);

const out: string[] = [`stockmem bench  node ${process.version}  ${new Date().toISOString()}`];
if (want("memory")) out.push(...(await benchMemory([10_000, 100_000])));
console.log(out.join("\n"));
