/**
 * When a run's predictions cite no reference, say why, once per cause (issue 21, item 5): a small own-data run whose
 * every call reads "No comparable case ... defaulting to up" otherwise leaves its user guessing.
 */
import { modelIdFor } from "../agents/kit.ts";
import { seriesFor } from "../graphs/steps/series.ts";
import { isOffline } from "../src/models/provider.ts";
import type { Resources } from "../src/runtime/resources.ts";
import type { PredictionRecord } from "../src/runtime/run-files.ts";
import { explainNoReferences, type NoReferenceCause, retrieveOptions, retrieveReferences } from "../tools/retrieval.ts";

/** At most this many predictions without a reference are examined (evenly spread over them). */
const EXAMINED = 24;

/** One line per cause for the predictions that cite no reference, or nothing when every one cites some. */
export async function noReferenceNotes(r: Resources, predictions: readonly PredictionRecord[]): Promise<string[]> {
  // only the method's retrieval (event sequences); the ablations that turn it off or replace it say so themselves
  if (!r.ctx.useReferences || r.ctx.referenceMode !== "jaccard" || r.ctx.memoryMode !== "events") return [];
  const none = predictions.filter((p) => !p.references.some((id) => id.startsWith("rf:")));
  if (none.length === 0) return [];
  const step = none.length / Math.min(EXAMINED, none.length);
  const examined = Array.from({ length: Math.min(EXAMINED, none.length) }, (_, i) => none[Math.floor(i * step)]!);
  const { reflections } = await r.store.reflectionsSince(0);
  const judge = { minSim: r.ctx.judgeMinSim, offline: isOffline(modelIdFor(r.ctx, "retriever-judge")) };
  const byKind = new Map<NoReferenceCause["kind"], { cause: NoReferenceCause; n: number; first: PredictionRecord }>();
  for (const p of examined) {
    const { series, asOf } = await seriesFor(r, p.ticker, p.date);
    const o = retrieveOptions(r.ctx, { ticker: p.ticker, date: p.date, asOf, series });
    const cause = explainNoReferences(reflections, o, await retrieveReferences(r.store, o), judge);
    const seen = byKind.get(cause.kind);
    if (seen) seen.n++;
    else byKind.set(cause.kind, { cause, n: 1, first: p });
  }
  const of = `${none.length} of ${predictions.length} prediction(s) cite no reference`;
  return [...byKind.values()]
    .sort((x, y) => y.n - x.n)
    .map(
      ({ cause, n, first }) =>
        `${of}: ${cause.text} (${n === examined.length ? "every one" : `${n} of the ${examined.length}`} examined, e.g. ${first.ticker} ${first.date})`,
    );
}
