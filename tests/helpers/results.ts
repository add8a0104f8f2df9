import { report } from "../../evals/metrics.ts";
import type { ExperimentResult } from "../../evals/runner.ts";

/** A small, fully specified experiment result (30 days, 2 tickers); `flip` changes some predictions. */
export function syntheticResult(name = "syn__offline__p1.1.0__20261121-000000", flip = false): ExperimentResult {
  const dates = Array.from({ length: 30 }, (_, i) => `2015-10-${String(i + 1).padStart(2, "0")}`);
  const examples = dates.map((date, i) => {
    const label = i % 3 === 0 ? "down" : "up";
    const predicted = (i % 4 === 0) !== (flip && i % 5 === 0) ? "down" : "up";
    return {
      id: `e${i}`,
      ticker: i % 2 ? "AAPL" : "MSFT",
      date,
      label,
      predicted,
      correct: label === predicted,
      reason: i === 0 ? "<script>alert(1)</script> & co" : "r",
      references: [],
      as_of: "",
    } as const;
  });
  return {
    experiment: name,
    dataset: "syn",
    created_at: "",
    run: "r",
    models: { predictor: "offline" },
    prompt_versions: { predictor: "1.1.0" },
    context: {},
    report: report(
      examples.map((e) => ({
        ticker: e.ticker,
        date: e.date,
        label: e.label,
        predicted: e.predicted,
        prevReturn: null,
      })),
      { up: 2, down: 1 },
      { seed: 1, samples: 50 },
    ),
    citation_violations: [],
    langsmith: { uploaded: false, experiment: "" },
    examples: examples.map((e) => ({ ...e, references: [] as string[] })),
    test_predictions: examples.map((e, i) => ({
      ticker: e.ticker,
      date: e.date,
      movement: e.predicted,
      next_return: (e.label === "up" ? 1 : -1) * (0.005 + (i % 5) * 0.002),
    })),
  };
}
