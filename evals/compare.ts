/**
 * `stockmem eval compare A B`: how experiment B differs from A on the same dataset: metric deltas
 * beside both intervals, and every example whose prediction flipped, with both reasons side by side.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { messageOf } from "../src/domain/errors.ts";
import { Movement } from "../src/domain/schemas.ts";
import { table } from "../src/metrics/table.ts";
import { type Dir, type Interval, pairedBootstrap } from "./metrics.ts";
import { type ExampleResult, type ExperimentResult, resultsDir } from "./runner.ts";

interface MetricDelta {
  metric: string;
  a: number;
  b: number;
  delta: number;
  aCI?: Interval;
  bCI?: Interval;
  /** paired bootstrap interval of B - A (examples both predicted) */
  deltaCI?: Interval;
}

interface Flip {
  ticker: string;
  date: string;
  label: string;
  a: ExampleResult;
  b: ExampleResult;
}

export interface Comparison {
  a: string;
  b: string;
  metrics: MetricDelta[];
  rightToWrong: Flip[];
  wrongToRight: Flip[];
}

/**
 * Experiment names as `experimentName` makes them: never a path (no `/`, no `..`), so a report lands in the results
 * dir.
 */
const ExperimentName = z
  .string()
  .max(300)
  .regex(/^[a-zA-Z0-9][a-zA-Z0-9.+-]*(?:__?[a-zA-Z0-9.+-]+)*$/, "an experiment name is letters, digits, . + - and _")
  .refine((n) => !n.includes(".."), "an experiment name has no '..'");

/** What compare, report and the backtest read of a result file; anything else it holds is kept as is. */
const ResultFile = z.looseObject({
  experiment: ExperimentName,
  dataset: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9._-]*$/),
  report: z.looseObject({ overall: z.looseObject({ acc: z.number(), mcc: z.number() }) }),
  examples: z.array(
    z.looseObject({
      id: z.string(),
      ticker: z.string(),
      date: z.string(),
      label: Movement,
      predicted: Movement.nullable(),
      correct: z.boolean().nullable(),
      reason: z.string().nullable(),
    }),
  ),
  test_predictions: z.array(
    z.looseObject({ ticker: z.string(), date: z.string(), movement: Movement, next_return: z.number().nullable() }),
  ),
});

/** A result file that cannot be read as one (exit code 1, one line naming the file). */
class ResultFileError extends Error {
  override name = "ResultFileError";
}

/** Result files are JSON of a few MB; anything bigger, or not a regular file (a FIFO, /dev/zero), is refused unread. */
const MAX_RESULT_BYTES = 256 * 2 ** 20;

/** A result's short id: 7 hex characters of its name's hash; `eval list` shows it and every command takes it. */
const shortId = (experiment: string): string => createHash("sha256").update(experiment).digest("hex").slice(0, 7);

/** One line of `eval list`. */
export interface ListedResult {
  id: string;
  experiment: string;
  dataset: string;
  /** the run the experiment made (`ev-...`) */
  run: string;
  models: string[];
  /** scored examples */
  n: number;
  acc: number;
  mcc: number;
  created_at: string;
  file: string;
}

/** Every readable result in the results dir, oldest first; a file that is not one is skipped (named by `onSkip`). */
export function listResults(env?: NodeJS.ProcessEnv, onSkip?: (why: string) => void): ListedResult[] {
  const dir = resultsDir(env);
  if (!existsSync(dir)) return [];
  const out: ListedResult[] = [];
  for (const f of readdirSync(dir).filter((x) => x.endsWith(".json"))) {
    try {
      const r = loadResult(join(dir, f));
      out.push({
        id: shortId(r.experiment),
        experiment: r.experiment,
        dataset: r.dataset,
        run: typeof r.run === "string" ? r.run : "",
        models: [...new Set(Object.values(r.models ?? {}))].sort(),
        n: r.report.overall.n ?? r.examples.filter((e) => e.correct !== null).length,
        acc: r.report.overall.acc,
        mcc: r.report.overall.mcc,
        created_at: typeof r.created_at === "string" ? r.created_at : "",
        file: join(dir, f),
      });
    } catch (e) {
      onSkip?.(messageOf(e));
    }
  }
  return out.sort((a, b) => a.created_at.localeCompare(b.created_at) || a.experiment.localeCompare(b.experiment));
}

/**
 * The result a person names: a result file, an experiment's full name, its short id or a prefix of it (4 characters or
 * more), the run id it made (`ev-...`), or a unique prefix of its name. Several matches are named, never guessed.
 */
function resolveResult(q: string, env?: NodeJS.ProcessEnv): string {
  if (existsSync(q)) return q;
  const exact = join(resultsDir(env), `${q.replace(/\.json$/, "")}.json`);
  if (existsSync(exact) || !ExperimentName.safeParse(q).success) return exact;
  const all = listResults(env);
  const hits = all.filter(
    (r) => (q.length >= 4 && /^[0-9a-f]+$/.test(q) && r.id.startsWith(q)) || r.run === q || r.experiment.startsWith(q),
  );
  if (hits.length === 1) return hits[0]!.file;
  if (hits.length > 1)
    throw new ResultFileError(
      `"${q}" names ${hits.length} experiments (${hits
        .slice(0, 5)
        .map((h) => `${h.id} ${h.experiment}`)
        .join("; ")}${hits.length > 5 ? "; ..." : ""}): give more of it`,
    );
  return exact;
}

export function loadResult(nameOrFile: string, env?: NodeJS.ProcessEnv): ExperimentResult {
  const file = resolveResult(nameOrFile, env);
  if (!existsSync(file))
    throw new ResultFileError(
      `no experiment "${nameOrFile}" (looked for ${file}, a short id, a run id and a name prefix; \`stockmem eval list\` lists them)`,
    );
  const st = statSync(file);
  if (!st.isFile())
    throw new ResultFileError(`${file} is not a regular file: give an experiment name or a result file`);
  if (st.size > MAX_RESULT_BYTES)
    throw new ResultFileError(`${file} holds ${st.size} bytes, more than a result file can (${MAX_RESULT_BYTES})`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new ResultFileError(`${file} is not JSON (${messageOf(e)}): give an experiment name or a result file`);
  }
  const r = ResultFile.safeParse(raw);
  if (!r.success) {
    const first = r.error.issues[0]!;
    throw new ResultFileError(
      `${file} is not an experiment result: ${first.path.join(".") || "the file"}: ${first.message}${r.error.issues.length > 1 ? ` (and ${r.error.issues.length - 1} more)` : ""} (written by an older stockmem? re-run the experiment)`,
    );
  }
  return r.data as unknown as ExperimentResult;
}

export function compare(a: ExperimentResult, b: ExperimentResult): Comparison {
  if (a.dataset !== b.dataset)
    throw new Error(`experiments are on different datasets (${a.dataset} vs ${b.dataset}): not comparable`);
  const ra = a.report;
  const rb = b.report;
  const d = (
    metric: string,
    x: number,
    y: number,
    aCI?: Interval,
    bCI?: Interval,
    deltaCI?: Interval,
  ): MetricDelta => ({
    metric,
    a: x,
    b: y,
    delta: y - x,
    aCI,
    bCI,
    deltaCI,
  });
  const ids = new Map(a.examples.map((e) => [e.id, e]));
  const paired = b.examples.flatMap((eb) => {
    const ea = ids.get(eb.id);
    return ea?.predicted && eb.predicted ? [{ a: ea.predicted, b: eb.predicted, actual: eb.label as Dir }] : [];
  });
  const diff = pairedBootstrap(paired, { seed: 42 });
  const metrics = [
    d("ACC", ra.overall.acc, rb.overall.acc, ra.overall.accCI, rb.overall.accCI, diff.acc),
    d("MCC", ra.overall.mcc, rb.overall.mcc, ra.overall.mccCI, rb.overall.mccCI, diff.mcc),
    d("coverage", ra.coverage, rb.coverage),
    ...Object.keys({ ...ra.byTicker, ...rb.byTicker })
      .sort()
      .flatMap((t) => [
        d(`ACC ${t}`, ra.byTicker[t]?.acc ?? 0, rb.byTicker[t]?.acc ?? 0),
        d(`MCC ${t}`, ra.byTicker[t]?.mcc ?? 0, rb.byTicker[t]?.mcc ?? 0),
      ]),
  ];
  const byId = new Map(a.examples.map((e) => [e.id, e]));
  const rightToWrong: Flip[] = [];
  const wrongToRight: Flip[] = [];
  for (const eb of b.examples) {
    const ea = byId.get(eb.id);
    if (!ea || ea.correct === eb.correct || ea.correct === null || eb.correct === null) continue;
    const flip = { ticker: eb.ticker, date: eb.date, label: eb.label, a: ea, b: eb };
    (ea.correct ? rightToWrong : wrongToRight).push(flip);
  }
  return { a: a.experiment, b: b.experiment, metrics, rightToWrong, wrongToRight };
}

const f3 = (x: number) => x.toFixed(3);
const ci = (i?: Interval) => (i ? `[${f3(i.low)}, ${f3(i.high)}]` : "");
const signed = (x: number) => `${x >= 0 ? "+" : ""}${f3(x)}`;

export function formatComparison(c: Comparison): string {
  const out = [`A: ${c.a}`, `B: ${c.b}`, ""];
  out.push(
    table(
      ["metric", "A", "A 95% CI", "B", "B 95% CI", "B - A", "B - A 95% CI (paired)"],
      c.metrics.map((m) => [m.metric, f3(m.a), ci(m.aCI), f3(m.b), ci(m.bCI), signed(m.delta), ci(m.deltaCI)]),
    ),
  );
  for (const [title, flips] of [
    ["right -> wrong", c.rightToWrong],
    ["wrong -> right", c.wrongToRight],
  ] as const) {
    out.push("", `${title}: ${flips.length}`);
    for (const f of flips) {
      out.push(`  ${f.ticker} ${f.date} (moved ${f.label}): A said ${f.a.predicted}, B says ${f.b.predicted}`);
      out.push(`    A: ${f.a.reason ?? "-"}`);
      out.push(`    B: ${f.b.reason ?? "-"}`);
    }
  }
  return out.join("\n");
}
