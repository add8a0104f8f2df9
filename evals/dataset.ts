/**
 * Eval datasets in LangSmith's example format: one example per scored test ticker-day,
 * inputs {ticker, date}, outputs {movement}, plus metadata. Stored as JSON files (evals/datasets/)
 * so an experiment is reproducible; uploaded to LangSmith only when LANGSMITH_API_KEY is set.
 * Flat days (|move| <= threshold) are not examples: they are predicted by the run but never scored.
 */
import { createHash } from "node:crypto";
import { createReadStream, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, isAbsolute, join, relative, resolve } from "node:path";
import { z } from "zod";
import { PACKAGE_ROOT } from "../src/config/paths.ts";
import type { MarketData } from "../src/data/load.ts";
import { IsoDate } from "../src/domain/scalars.ts";
import { Movement } from "../src/domain/schemas.ts";
import { stableUuid } from "../src/observability/uuid.ts";

export const Window = z.object({ from: IsoDate, to: IsoDate });

const DatasetExample = z.object({
  id: z.string().uuid(),
  inputs: z.object({ ticker: z.string(), date: IsoDate }),
  outputs: z.object({ movement: Movement }),
  metadata: z.object({
    ticker: z.string(),
    month: z.string(),
    next_return: z.number(),
    prev_return: z.number().nullable(),
  }),
});
type DatasetExample = z.infer<typeof DatasetExample>;

export const Dataset = z.object({
  name: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9._-]*$/, "dataset names use letters, digits, . _ -"),
  created_at: z.string(),
  data_dir: z.string(),
  /** sha256 of prices.csv and news.jsonl: a run on other data is refused */
  data_fingerprint: z.string(),
  tickers: z.array(z.string()),
  train: Window,
  test: Window,
  label_threshold: z.number(),
  /** label counts of the train window, for the majority-class baseline */
  train_labels: z.object({ up: z.number(), down: z.number() }),
  examples: z.array(DatasetExample),
});
export type Dataset = z.infer<typeof Dataset>;

export function evalsDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.STOCKMEM_EVALS_DIR ?? join(PACKAGE_ROOT, "evals"));
}

const datasetFile = (name: string, env?: NodeJS.ProcessEnv) => join(evalsDir(env), "datasets", `${name}.json`);

/** A UUID derived from its parts (name-based, like UUID v5), so examples keep their ids across rebuilds. */
async function sha256(file: string): Promise<string> {
  const h = createHash("sha256");
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest("hex");
}

export async function dataFingerprint(dir: string): Promise<string> {
  return `${(await sha256(join(dir, "prices.csv"))).slice(0, 16)}:${(await sha256(join(dir, "news.jsonl"))).slice(0, 16)}`;
}

export async function buildDataset(o: {
  name: string;
  data: MarketData;
  tickers: string[];
  train: z.infer<typeof Window>;
  test: z.infer<typeof Window>;
  labelThreshold: number;
}): Promise<Dataset> {
  if (o.train.to >= o.test.from)
    throw new Error(
      `the train window (${o.train.from}..${o.train.to}) must end before the test window starts (${o.test.from})`,
    );
  const examples: DatasetExample[] = [];
  const trainLabels = { up: 0, down: 0 };
  for (const ticker of o.tickers) {
    const s = o.data.series.get(ticker);
    if (!s) throw new Error(`unknown ticker ${ticker} (known: ${o.data.tickers.join(", ")})`);
    s.days.forEach((d, i) => {
      if (d.label !== "up" && d.label !== "down") return;
      if (d.spans_gap) return; // a move across missing price rows is not one day's move: no example (the load report names the gap)
      if (d.date >= o.train.from && d.date <= o.train.to) trainLabels[d.label]++;
      if (d.date < o.test.from || d.date > o.test.to) return;
      const prev = i > 0 ? s.days[i - 1]!.next_return : null; // the move t-1 -> t, known at close(t)
      examples.push({
        id: stableUuid(o.name, ticker, d.date),
        inputs: { ticker, date: d.date },
        outputs: { movement: d.label },
        metadata: { ticker, month: d.date.slice(0, 7), next_return: d.next_return!, prev_return: prev },
      });
    });
  }
  examples.sort((a, b) => a.inputs.date.localeCompare(b.inputs.date) || a.inputs.ticker.localeCompare(b.inputs.ticker));
  return Dataset.parse({
    name: o.name,
    created_at: new Date().toISOString(),
    data_dir: portablePath(o.data.dir),
    data_fingerprint: await dataFingerprint(o.data.dir),
    tickers: [...o.tickers].sort(),
    train: o.train,
    test: o.test,
    label_threshold: o.labelThreshold,
    train_labels: trainLabels,
    examples,
  });
}

/** Paths inside the project are stored relative to it, so a committed dataset works in any clone. */
function portablePath(dir: string): string {
  const rel = relative(PACKAGE_ROOT, resolve(dir));
  return rel && !rel.startsWith("..") && !isAbsolute(rel) ? rel : resolve(dir);
}

/** The market data dir of a dataset, resolving a project-relative path. */
export function datasetDataDir(ds: Dataset): string {
  return isAbsolute(ds.data_dir) ? ds.data_dir : join(PACKAGE_ROOT, ds.data_dir);
}

export function saveDataset(ds: Dataset, env?: NodeJS.ProcessEnv): string {
  const file = datasetFile(ds.name, env);
  mkdirSync(join(evalsDir(env), "datasets"), { recursive: true });
  writeFileSync(file, `${JSON.stringify(ds, null, 1)}\n`);
  return file;
}

export function loadDataset(name: string, env?: NodeJS.ProcessEnv): Dataset {
  const file = existsSync(name) ? name : datasetFile(name, env);
  if (!existsSync(file))
    throw new Error(
      `no dataset "${name}" (looked for ${file}); build one with \`stockmem eval dataset --name ${basename(name)} ...\``,
    );
  return Dataset.parse(JSON.parse(readFileSync(file, "utf8")));
}

/** Uploads the dataset to LangSmith (only called when LANGSMITH_API_KEY is set). */
/** What the upload needs of the LangSmith client (a test passes an in-memory one). */
export type DatasetClient = Pick<
  import("langsmith").Client,
  "hasDataset" | "readDataset" | "createDataset" | "listExamples" | "createExamples" | "updateExamples"
>;

/**
 * Uploads a dataset to LangSmith, idempotently: examples keep their stable ids, so those already there
 * are updated in place and only new ones are created (a second upload duplicates nothing).
 */
export async function uploadDataset(ds: Dataset, client?: DatasetClient): Promise<string> {
  const c: DatasetClient = client ?? new (await import("langsmith")).Client();
  const dataset = (await c.hasDataset({ datasetName: ds.name }))
    ? await c.readDataset({ datasetName: ds.name })
    : await c.createDataset(ds.name, {
        description: `stockmem: ${ds.tickers.join(",")} test ${ds.test.from}..${ds.test.to}`,
      });
  const existing = new Set<string>();
  for await (const e of c.listExamples({ datasetId: dataset.id })) existing.add(e.id);
  const rows = ds.examples.map((e) => ({
    id: e.id,
    inputs: e.inputs,
    outputs: e.outputs,
    metadata: e.metadata,
    dataset_id: dataset.id,
  }));
  const fresh = rows.filter((e) => !existing.has(e.id));
  const known = rows.filter((e) => existing.has(e.id));
  if (fresh.length) await c.createExamples(fresh);
  if (known.length) await c.updateExamples(known);
  return dataset.id;
}
