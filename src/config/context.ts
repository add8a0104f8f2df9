/**
 * The run context: every tunable of a run, with its default, in one zod schema.
 * Graphs take it as their LangGraph context; the CLI builds it from flags and env.
 */
import { createHash } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import { z } from "zod";
import { AGENT_NAMES, type AgentName } from "../domain/agents.ts";

const ModelId = z
  .string()
  .regex(/^(offline|(openai|ollama):[\w.\-/:]+)$/, 'expected "offline", "openai:<model>" or "ollama:<model>"');

const EmbeddingModelId = z
  .string()
  .regex(
    /^(offline:hash|(openai|ollama):[\w.\-/:]+)$/,
    'expected "offline:hash", "openai:<model>" or "ollama:<model>"',
  );

/** Letters and digits, single - or _ between them ("__" separates the run from the kind in collection names). */
export const RunName = z
  .string()
  .max(48)
  .regex(
    /^[a-zA-Z0-9]+(?:[-_][a-zA-Z0-9]+)*$/,
    "run names are letters and digits, joined by single - or _ (e.g. q4-test)",
  );

const perLayer = (short: number, mid: number, long: number, reflection: number) =>
  z
    .object({ short: z.number(), mid: z.number(), long: z.number(), reflection: z.number() })
    .default({ short, mid, long, reflection });

/**
 * SEP-Memory's layered memory, every parameter in one place. Ages are in trading days.
 * Promotion and demotion use separate thresholds (hysteresis) and a minimum dwell, so a record
 * just promoted cannot fall back the next day (FinMem's long-term floor equals its mid ceiling).
 */
export const LayerParams = z.object({
  /** recency = exp(-age / Q[layer]) */
  Q: perLayer(3, 30, 180, 60),
  /** importance is multiplied by decay[layer] every trading day */
  decay: perLayer(0.9, 0.97, 0.995, 0.98),
  /** score = similarity * wSim + recency * wRec + importance * wImp (weights sum to 1) */
  weights: z
    .object({ similarity: z.number(), recency: z.number(), importance: z.number() })
    .default({ similarity: 0.5, recency: 0.25, importance: 0.25 }),
  /** promote at or above: short -> mid, mid -> long */
  promoteAt: z.object({ short: z.number(), mid: z.number() }).default({ short: 0.6, mid: 0.8 }),
  /** demote below promoteAt minus this margin: long -> mid, mid -> short */
  hysteresis: z.number().min(0).max(1).default(0.15),
  /** trading days a record stays in a layer before it may move again */
  minDwell: z.number().int().min(0).default(5),
  /** records below both floors are pruned (short and mid); long-term only below the importance floor */
  pruneRecency: z.number().min(0).max(1).default(0.05),
  pruneImportance: z.number().min(0).max(1).default(0.05),
  /** importance added for a right call, removed for a wrong one (clamped to [0, 1]) */
  rewardStep: z.number().min(0).max(1).default(0.1),
});
export type LayerParams = z.infer<typeof LayerParams>;

/** What a model override may name: an agent ("tracker" covers every tracker mode) or "chat". */
const MODEL_TARGETS: [AgentName | "chat", ...(AgentName | "chat")[]] = [
  ...(AGENT_NAMES as [AgentName, ...AgentName[]]),
  "chat",
];
export const ModelTarget = z.enum(MODEL_TARGETS, {
  error: (i) => `unknown agent "${String(i.input)}" (agents: ${MODEL_TARGETS.join(", ")})`,
});

/**
 * A map by agent name: a key that names no agent is refused with the list (zod's records would only say "unrecognized
 * key").
 */
const byAgent = <V extends z.ZodType>(names: readonly string[], value: V) =>
  z.record(z.string(), value).superRefine((m, ctx) => {
    for (const k of Object.keys(m))
      if (!names.includes(k))
        ctx.addIssue({ code: "custom", path: [k], message: `unknown agent "${k}" (agents: ${names.join(", ")})` });
  });

/** The run every entry uses when none is named: the CLI's flags, Studio's context, `npm start`. */
export const DEFAULT_RUN = "sample";

export const RunContext = z.object({
  /** Run namespace: prefixes the Chroma collections, so experiments stay apart. */
  run: RunName.default(DEFAULT_RUN),
  /** Default model of every agent. */
  model: ModelId.default("offline"),
  /**
   * Per-agent model overrides, e.g. {"extractor": "openai:gpt-4o-mini"}; "tracker" sets every tracker mode, "chat" the
   * chat.
   */
  models: byAgent(MODEL_TARGETS, ModelId).default({}),
  /**
   * Per-agent prompt versions, e.g. {"predictor": "1.1.0"} (default: each prompt's newest version); a misspelt agent is
   * refused.
   */
  prompts: byAgent(AGENT_NAMES, z.string().regex(/^\d+\.\d+\.\d+$/, "expected a version such as 1.1.0")).default({}),
  embeddings: EmbeddingModelId.default("offline:hash"),
  /** Dimension of the offline hashed embeddings. */
  embeddingDim: z.number().int().min(16).max(8192).default(512),
  /** Window of past trading days (w = 5 chosen here: the paper does not give its value). */
  w: z.number().int().min(1).max(60).default(5),
  /** Weight of the type Jaccard in DailySim (paper: a = 0.7). */
  a: z.number().min(0).max(1).default(0.7),
  /** References retrieved by the Jaccard tool (K = 10 chosen here: the paper does not give its value). */
  K: z.number().int().min(1).max(100).default(10),
  /** Maximum chain depth followed back by the tracker (paper: D_max = 5). */
  Dmax: z.number().int().min(0).max(20).default(5),
  /**
   * The tracker's model calls: up to `trackerBatch` events of a ticker-day per call, each answered with
   * its predecessor and delta info ("batch"); one such call per event ("single"); or the paper's two
   * steps per event ("paper"). Offline, all three give the same events.
   */
  trackerMode: z.enum(["batch", "single", "paper"]).default("batch"),
  /** Events of a ticker-day per tracker call in the "batch" mode. */
  trackerBatch: z.number().int().min(1).max(50).default(10),
  /** Candidates retrieved per event by the tracker. */
  trackerTopK: z.number().int().min(1).max(50).default(5),
  /** Label threshold: up if the next-day return > +threshold, down if < -threshold. */
  labelThreshold: z.number().min(0).max(0.2).default(0.01),
  /** Reuse cached model answers (keyed by model, prompt id@version and input); off with --no-cache. */
  cache: z.boolean().default(true),
  /** Optional budget: the run stops cleanly before the model call that would exceed it. */
  budgetCalls: z.number().int().positive().nullable().default(null),
  budgetTokens: z.number().int().positive().nullable().default(null),
  /**
   * Model calls in flight at most, across the tickers of a phase, extractor batches, merger groups and tracker calls.
   */
  maxConcurrency: z.number().int().min(1).max(256).default(8),
  /**
   * A provider's limits, kept before a request is sent: requests and tokens per minute for each model the run calls
   * (each model its own minute, shared with the process's other runs); `--rpm`, `--tpm`. `rateLimits` sets them per
   * model, e.g. {"openai:gpt-4o-mini": {"rpm": 500, "tpm": 200000}}.
   */
  rpm: z.number().int().positive().nullable().default(null),
  tpm: z.number().int().positive().nullable().default(null),
  rateLimits: z
    .record(
      ModelId,
      z.object({ rpm: z.number().int().positive().optional(), tpm: z.number().int().positive().optional() }),
    )
    .default({}),
  /**
   * Trading days whose news-only steps (load, extract, merge: they read nothing but that day's news) run ahead of the
   * day loop when a model answers them. Their calls take the slots the day's own calls leave free, so a day waits
   * only for its reflect -> track -> judge -> predict. 0: none. A run with a budget, and a dry run, never run ahead
   * (a budget then stops the run exactly where it would have). Results are the same either way.
   */
  newsAhead: z.number().int().min(0).max(10).default(2),
  /** Seconds a model call may take (per attempt) before it is abandoned and retried; `--model-timeout`. */
  modelTimeoutSeconds: z.number().positive().max(3600).default(60),
  /**
   * Retries of a model call that failed in transport (timeout, refused or closed connection, 408/409/429/5xx, a
   * malformed answer).
   */
  modelRetries: z.number().int().min(0).max(10).default(3),
  /** First wait before such a retry, doubled each time (a Retry-After from the server wins), capped at 60 s. */
  modelRetryBaseMs: z.number().int().min(0).max(60_000).default(1000),
  /** Score predictions whose label spans missing price rows (a gap of more than 4 calendar days); `--allow-gaps`. */
  allowGaps: z.boolean().default(false),
  /** News items per extractor call. */
  extractBatch: z.number().int().min(1).max(64).default(8),
  /**
   * document: each item's events extracted and cited on their own (the paper); cross-item: an event reported by several
   * items extracted once (the ablation).
   */
  extractScope: z.enum(["document", "cross-item"]).default("document"),
  // Thresholds of the offline analyst and the coarse merge. Chosen a priori (not fitted to any
  // evaluation window): cosine >= 0.75 of hashed embeddings is near-duplicate wording; 0.5 is
  // "same story" for a predecessor of the same type; SeqSim >= 0.2 keeps references that share at
  // least some event types on aligned days; a tone change within ±0.1 is neutral.
  /** Coarse merge: cosine similarity for raw events of one group to share a cluster. */
  mergeThreshold: z.number().min(0).max(1).default(0.75),
  /** Offline tracker: minimum similarity of a predecessor. */
  linkThreshold: z.number().min(0).max(1).default(0.5),
  /** Offline judge: minimum SeqSim of a kept reference. */
  judgeMinSim: z.number().min(0).max(1).default(0.2),
  /** Offline delta: tone changes within ±band are neutral. */
  deltaNeutralBand: z.number().min(0).max(2).default(0.1),
  /** Reference scope: all tickers (the paper's best setting) or the same ticker only. */
  referenceScope: z.enum(["all", "same-ticker"]).default("all"),
  /**
   * Leave out references whose window overlaps the query's: the same ticker's reflections of the
   * window's own days (the previous day shares w - 1 of its w days with the query and would nearly
   * always rank first, pulling retrieval toward momentum). An ablation; off by default.
   */
  excludeOverlapping: z.boolean().default(false),
  // Ablation switches (paper RQ2-RQ4); the defaults are the full method.
  /** Track events and write their incremental information (off: no chains, no delta info). */
  useDelta: z.boolean().default(true),
  /** Retrieve reference cases for the predictor (off: it predicts from the events alone). */
  useReferences: z.boolean().default(true),
  /**
   * What the memory holds: structured events (the method), or per day one news summary or the opinions of its largest
   * news clusters (ablations).
   */
  memoryMode: z.enum(["events", "summary", "clusters"]).default("events"),
  /** SEP-Memory's layered memory: write, reward and upkeep it, and give the predictor its top records. */
  layered: z.boolean().default(false),
  /** Self-reflection: explanation v1 -> critique with the reflection and long-term layers -> v2 (needs layered). */
  selfReflection: z.boolean().default(false),
  /**
   * GRPO-style group sampling in the training window (needs layered): candidates per day (1 on the offline analyst).
   */
  groupSize: z.number().int().min(1).max(16).default(4),
  /** Sampling temperature of the candidates on the LLM path. */
  groupTemperature: z.number().min(0).max(2).default(0.8),
  /** Layered memories given to the predictor. */
  memoryK: z.number().int().min(1).max(50).default(5),
  /** SEP-Memory layered memory parameters (used when the layered memory is on). */
  layers: LayerParams.default(LayerParams.parse({})),
  /** How references are found: Jaccard SeqSim over event types, or simply the most recent reflections. */
  referenceMode: z.enum(["jaccard", "recent"]).default("jaccard"),
  maxItemsPerDay: z.number().int().min(1).default(200),
  maxTextChars: z.number().int().min(100).default(4000),
});
export type RunContext = z.infer<typeof RunContext>;

/**
 * Fields that only pace or bound a run (the cache, budgets, concurrency, rate limits, the news run ahead): they change
 * what a run costs or how fast it goes, never what it finds, so they are not part of what identifies it either.
 */
export const PACING = [
  "cache",
  "budgetCalls",
  "budgetTokens",
  "maxConcurrency",
  "rpm",
  "tpm",
  "rateLimits",
  "newsAhead",
] as const satisfies readonly (keyof RunContext)[];

/**
 * Fields that an experiment's name shows elsewhere (the run, models and prompt versions) or that change
 * only what a run costs: they never tag an experiment.
 */
const UNTAGGED: ReadonlySet<keyof RunContext> = new Set([
  "run",
  "model",
  "models",
  "prompts",
  ...PACING,
  "modelTimeoutSeconds",
  "modelRetries",
  "modelRetryBaseMs",
]);

/**
 * Tags spelled for a reader ("{}" is the value); any other field that differs from its default tags as
 * `<field>-<value>` (an on/off field: `<field>` or `no-<field>`).
 */
const TAG_NAMES: Partial<Record<keyof RunContext, string>> = {
  useDelta: "no-delta",
  useReferences: "no-refs",
  referenceMode: "{}-refs",
  referenceScope: "{}",
  excludeOverlapping: "no-overlap",
  extractScope: "{}",
  memoryMode: "{}",
  layered: "layered",
  selfReflection: "self-reflect",
  embeddings: "emb-{}",
};

const tagValue = (v: unknown): string =>
  v !== null && typeof v === "object"
    ? createHash("sha256").update(JSON.stringify(v)).digest("hex").slice(0, 8)
    : String(v).replace(/[^a-z0-9.]+/gi, "-");

/**
 * The tags of an experiment run under `ctx`: one per field that differs from its default (none for the
 * full method), derived from the schema, so a new setting cannot be forgotten. Switches (on/off and
 * choices) come first, then values, each in the schema's order: e.g. ["no-overlap", "emb-ollama-bge-m3"].
 */
export function variantTags(ctx: RunContext): string[] {
  const defaults = RunContext.parse({});
  const keys = (Object.keys(RunContext.shape) as (keyof RunContext)[]).filter(
    (k) => !UNTAGGED.has(k) && !isDeepStrictEqual(ctx[k], defaults[k]),
  );
  const isSwitch = (k: keyof RunContext) =>
    typeof defaults[k] === "boolean" || RunContext.shape[k].def.innerType.def.type === "enum";
  const generic = (k: keyof RunContext) => (typeof ctx[k] === "boolean" ? (ctx[k] ? k : `no-${k}`) : `${k}-{}`);
  return [...keys.filter(isSwitch), ...keys.filter((k) => !isSwitch(k))].map((k) =>
    (TAG_NAMES[k] ?? generic(k)).replace("{}", tagValue(ctx[k])),
  );
}

export function runContext(input: Partial<z.input<typeof RunContext>> = {}): RunContext {
  return RunContext.parse(input);
}
