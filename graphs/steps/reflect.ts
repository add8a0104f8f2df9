/** The reflection of a ticker-day (paper 3.2), written once the next close is known. */
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { runAgent } from "../../agents/kit.ts";
import { reflector } from "../../agents/reflector/index.ts";
import { seriesOf } from "../../src/data/day-context.ts";
import { windowOf } from "../../src/domain/events.ts";
import type { Reflection } from "../../src/domain/schemas.ts";
import { reflectionId } from "../../src/memory/records.ts";
import { agentRuntime, type Resources } from "../../src/runtime/resources.ts";
import { seriesToSeq } from "../../tools/retrieval.ts";
import { seriesFor } from "./series.ts";

/**
 * Reflects on day `date` of `ticker`, given `knownAt`: the close at which this runs. Refuses to run
 * before close(t+1), the first moment the label exists. Flat days get no reflection (returns null).
 */
export async function reflectDay(
  r: Resources,
  ticker: string,
  date: string,
  knownAtMs: number,
  config?: LangGraphRunnableConfig,
  o: { store?: boolean } = {},
): Promise<Reflection | null> {
  const s = seriesOf(r.data, ticker);
  const i = s.calendar.indexOf(date);
  if (i === undefined) throw new Error(`${date} is not a trading day of ${ticker}`);
  const next = s.days[i + 1];
  const day = s.days[i]!;
  if (!next) return null;
  const nextClose = s.calendar.closes[i + 1]!;
  if (knownAtMs < nextClose)
    throw new Error(
      `look-ahead: the label of ${ticker} ${date} is only known at ${next.close_at}, not at ${new Date(knownAtMs).toISOString()}`,
    );
  if (day.label !== "up" && day.label !== "down") return null;
  const { series } = await seriesFor(r, ticker, date, config);
  const out = await runAgent(
    reflector,
    { ticker, date, nextDate: next.date, movement: day.label, changePct: day.next_return! * 100, series },
    agentRuntime(r, config, { ticker, date, asOf: next.close_at }),
  );
  const seq = seriesToSeq(series, r.ctx.w);
  const reflection: Reflection = {
    id: reflectionId(ticker, date),
    ticker,
    date,
    label: day.label,
    reason: out.reason,
    key_events: out.key_events,
    type_bits: seq.types.map((v) => [...v]),
    group_bits: seq.groups.map((v) => [...v]),
    series: windowOf(series.slice(-r.ctx.w)),
    available_at: next.close_at,
  };
  if (o.store !== false) await r.store.putReflections([reflection]); // the run writes a day's reflections in one batch
  return reflection;
}
