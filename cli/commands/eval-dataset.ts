/** `stockmem eval dataset`: build an eval dataset. */

import { buildDataset, saveDataset, uploadDataset } from "../../evals/dataset.ts";
import { RunContext } from "../../src/config/context.ts";
import { readMarket } from "../../src/runtime/market.ts";
import { defineCommand } from "../command.ts";
import { DATA_OPTIONS, loadOptions } from "../data-flags.ts";
import { UsageError } from "../errors.ts";
import type { FlagSpecs, ValuesOf } from "../flags.ts";
import { parseWindow } from "../run-flags.ts";

const EVAL_DATASET_OPTIONS = {
  name: { type: "string", arg: "NAME", description: "dataset name (evals/datasets/NAME.json)" },
  train: { type: "string", arg: "FROM:TO", description: "training window" },
  test: { type: "string", arg: "FROM:TO", description: "test window: its labelled days become the examples" },
  ...DATA_OPTIONS,
} as const satisfies FlagSpecs;

async function evalDatasetCommand(values: ValuesOf<typeof EVAL_DATASET_OPTIONS>): Promise<void> {
  if (!values.name || !values.train || !values.test)
    throw new UsageError(
      "eval dataset needs --name NAME --train FROM:TO --test FROM:TO (and optionally --data DIR --tickers A,B)",
    );
  const load = loadOptions(values);
  const [train, test] = [parseWindow(values.train, "train"), parseWindow(values.test, "test")];
  if (train.to >= test.from)
    throw new UsageError(`--train ${train.from}:${train.to} must end before --test ${test.from}:${test.to} starts`);
  const data = await readMarket({ ...load, tickers: undefined });
  const tickers = [...(load.tickers ?? data.tickers)];
  const ds = await buildDataset({
    name: values.name,
    data,
    tickers,
    train,
    test,
    labelThreshold: RunContext.parse({}).labelThreshold,
  });
  const file = saveDataset(ds);
  const up = ds.examples.filter((e) => e.outputs.movement === "up").length;
  console.log(
    `dataset ${ds.name}: ${ds.examples.length} scored examples (${up} up, ${ds.examples.length - up} down; flat days excluded) for ${ds.tickers.join(", ")}, test ${ds.test.from}..${ds.test.to} -> ${file}`,
  );
  if (process.env.LANGSMITH_API_KEY) console.log(`uploaded to LangSmith as dataset ${await uploadDataset(ds)}`);
}

export default defineCommand({
  words: ["eval", "dataset"],
  about: "build an eval dataset (LangSmith example format)",
  flags: EVAL_DATASET_OPTIONS,
  run: evalDatasetCommand,
});
