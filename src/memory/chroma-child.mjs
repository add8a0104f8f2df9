// Launcher of a managed Chroma server: `node chroma-child.mjs <chroma cli.mjs> run --path ... --port ...`.
// Chroma's CLI runs the server synchronously inside a native call that never returns, so nothing on
// this thread runs again. A worker thread (its own event loop) watches the parent and kills this
// process as soon as the parent is gone, so a server never outlives the stockmem process that
// started it, even when that one is SIGKILLed. SIGTERM keeps its default action (immediate exit).
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";

const [, , cliPath, ...chromaArgs] = process.argv;
process.umask(0o077); // the store's files are the run's private data: owner only
if (!cliPath) {
  console.error("usage: node chroma-child.mjs <path to chromadb/dist/cli.mjs> run ...");
  process.exit(2);
}
const watchdog = `
  const { parentPid } = require("node:worker_threads").workerData;
  setInterval(() => {
    let alive = process.ppid === parentPid;
    if (alive) { try { process.kill(parentPid, 0); } catch { alive = false; } }
    if (!alive) process.kill(process.pid, "SIGKILL");
  }, 250);
`;
new Worker(watchdog, { eval: true, workerData: { parentPid: process.ppid } });
process.argv = [process.argv[0], cliPath, ...chromaArgs];
await import(pathToFileURL(resolve(cliPath)).href);
