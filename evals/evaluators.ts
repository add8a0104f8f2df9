/**
 * The LangSmith evaluators of an experiment: per example, whether the predicted direction is the real
 * one; over the experiment, ACC, MCC and coverage (the share of examples predicted at all).
 */
import { type Dir, report } from "./metrics.ts";

type Outputs = Record<string, unknown>;

/** 1 when the prediction is the real move, 0 when not, null when nothing was predicted. */
export function correctEvaluator({ outputs, referenceOutputs }: { outputs: Outputs; referenceOutputs?: Outputs }) {
  return {
    key: "correct",
    score: outputs.movement === null ? null : outputs.movement === referenceOutputs?.movement ? 1 : 0,
  };
}

/** ACC, MCC (pooled over the predicted examples) and coverage. */
export function summaryEvaluator(trainLabels: { up: number; down: number }, seed?: number) {
  return ({ outputs, referenceOutputs }: { outputs: Outputs[]; referenceOutputs?: Outputs[] }) => {
    const pairs = outputs
      .map((out, i) => ({ out: out.movement as Dir | null, ref: referenceOutputs?.[i]?.movement as Dir }))
      .filter((x) => x.out !== null);
    const r = report(
      pairs.map((x) => ({ ticker: "", date: "", label: x.ref, predicted: x.out, prevReturn: null })),
      trainLabels,
      { samples: 200, seed },
    );
    return {
      results: [
        { key: "acc", score: r.overall.acc },
        { key: "mcc", score: r.overall.mcc },
        { key: "coverage", score: outputs.length ? pairs.length / outputs.length : 0 },
      ],
    };
  };
}
