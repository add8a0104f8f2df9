/** `stockmem eval list`: the experiments in evals/results/, with the short ids every eval command takes. */
import { listResults } from "../../evals/compare.ts";
import { resultsDir } from "../../evals/runner.ts";
import { table } from "../../src/metrics/table.ts";
import { noteLine } from "../colour.ts";
import { defineCommand } from "../command.ts";
import type { FlagSpecs, ValuesOf } from "../flags.ts";

const EVAL_LIST_OPTIONS = {
  json: { type: "boolean", description: "the list as JSON" },
} as const satisfies FlagSpecs;

async function evalListCommand(values: ValuesOf<typeof EVAL_LIST_OPTIONS>): Promise<void> {
  const skipped: string[] = [];
  const all = listResults(undefined, (why) => skipped.push(why));
  if (values.json) {
    process.stdout.write(`${JSON.stringify(all, null, 2)}\n`);
    return;
  }
  if (all.length === 0)
    console.log(`no experiments in ${resultsDir()} yet (\`stockmem eval run --dataset NAME\` makes one)`);
  else
    console.log(
      table(
        ["id", "date", "dataset", "model", "n", "ACC", "MCC", "experiment", "run"],
        all.map((r) => [
          r.id,
          r.created_at.slice(0, 16).replace("T", " "),
          r.dataset,
          r.models.join("+"),
          r.n,
          r.acc.toFixed(3),
          r.mcc.toFixed(3),
          r.experiment,
          r.run,
        ]),
      ),
    );
  for (const why of skipped) console.error(noteLine(`skipped ${why}`, process.stderr));
  if (all.length)
    console.log("\n`eval compare`, `report --experiment` take an id, a run id or a unique prefix of a name.");
}

export default defineCommand({
  words: ["eval", "list"],
  about: "the experiments so far: short id, date, dataset, model, n, ACC, MCC",
  flags: EVAL_LIST_OPTIONS,
  run: evalListCommand,
});
