/** `stockmem run`: the StockMem train/test run with progress bars and a score table. */

import { modelIdFor } from "../../agents/kit.ts";
import { estimateRun } from "../../app/dry-run.ts";
import { executeRun } from "../../app/run.ts";
import { RunContext } from "../../src/config/context.ts";
import { marketDataDir } from "../../src/config/paths.ts";
import { defineCommand } from "../command.ts";
import { positiveInt, tickersFlag } from "../data-flags.ts";
import { UsageError } from "../errors.ts";
import type { ValuesOf } from "../flags.ts";
import { estimateLines, scoreLines, usageLines } from "../lines.ts";
import { runProgress } from "../progress.ts";
import { agentModels, parseWindow, pricesOf, RUN_DEFAULTS, RUN_OPTIONS } from "../run-flags.ts";

export async function runCommand(
  values: ValuesOf<typeof RUN_OPTIONS>,
  defaults: Partial<typeof RUN_DEFAULTS> = {},
): Promise<void> {
  const ctx = RunContext.parse({
    run: values.run ?? defaults.run ?? RUN_DEFAULTS.run,
    model: values.model,
    models: agentModels(values["agent-model"] ?? []),
    embeddings: values.embeddings,
    referenceScope: values["same-ticker"] ? "same-ticker" : undefined,
    cache: values["no-cache"] ? false : undefined,
    layered: values.layered,
    budgetCalls: positiveInt(values["budget-calls"], "budget-calls"),
    budgetTokens: positiveInt(values["budget-tokens"], "budget-tokens"),
    rpm: positiveInt(values.rpm, "rpm"),
    tpm: positiveInt(values.tpm, "tpm"),
    maxConcurrency: positiveInt(values.concurrency, "concurrency"),
    modelTimeoutSeconds: positiveInt(values["model-timeout"], "model-timeout"),
    maxItemsPerDay: positiveInt(values["max-items-per-day"], "max-items-per-day"),
    maxTextChars: positiveInt(values["max-text-chars"], "max-text-chars"),
    allowGaps: values["allow-gaps"],
  });
  const train = parseWindow(values.train ?? defaults.train ?? RUN_DEFAULTS.train, "train");
  const test = parseWindow(values.test ?? defaults.test ?? RUN_DEFAULTS.test, "test", { openEnd: true });
  if (train.from > train.to || (test.to && test.from > test.to) || train.to >= test.from) {
    throw new UsageError(
      `windows must be ordered: --train ${train.from}:${train.to} must end before --test ${test.from}:${test.to} starts`,
    );
  }
  const tickers = tickersFlag(values.tickers);
  const overrides = Object.entries(ctx.models)
    .map(([a, m]) => `${a}=${m}`)
    .join(", ");
  console.log(
    `stockmem run "${ctx.run}": train ${train.from}..${train.to}, test ${test.from}..${test.to}, model ${ctx.model}${ctx.model === "offline" ? " (the offline analyst: a classical baseline, not an LLM)" : ""}${overrides ? `; overrides ${overrides}` : ""}`,
  );
  if (ctx.layered && modelIdFor(ctx, "predictor") === "offline")
    console.log(
      "SEP-Memory GRPO sampling: the offline analyst is deterministic, so each training day's group has G = 1 candidate.",
    );
  if (values["dry-run"]) {
    const est = await estimateRun({
      ctx,
      dataDir: marketDataDir(values.data),
      tickers,
      train,
      test,
      skipInvalid: values["skip-invalid"],
    });
    console.log(estimateLines(est, pricesOf(values)));
    return;
  }
  const t0 = Date.now();
  const progress = runProgress();
  const res = await executeRun({
    ctx,
    dataDir: marketDataDir(values.data),
    tickers,
    train,
    test,
    fresh: values.fresh,
    skipInvalid: values["skip-invalid"],
    onProgress: progress.update,
    onNote: (n) => progress.note(n),
    onCalls: (c) => progress.calls(c),
  });
  progress.end();
  if (res.alreadyDone) console.log(`run "${ctx.run}" had finished already: nothing to do (--fresh starts it over)`);
  console.log(`\n${scoreLines(res.scores)}`);
  console.log(`\npredictions: ${res.predictionsFile}\ntrace: ${res.traceFile} (stockmem trace ${ctx.run})`);
  console.log(`${usageLines(res.usage)}\n${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

export default defineCommand({
  resumable: true,
  words: ["run"],
  about: "the StockMem train/test run (resumes a stopped run; --fresh starts over)",
  flags: RUN_OPTIONS,
  run: (v) => runCommand(v),
});
