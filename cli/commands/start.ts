/** `stockmem start` / `npm start`: the main job, a run on the bundled sample with the run's defaults. */
import { defineCommand } from "../command.ts";
import { RUN_OPTIONS } from "../run-flags.ts";
import { runCommand } from "./run.ts";

export default defineCommand({
  resumable: true,
  words: ["start"],
  about: "the main job (npm start): a run on the bundled sample, train 2015-07..09, test 2015-10..12, offline",
  flags: RUN_OPTIONS,
  run: (v) => runCommand(v),
});
