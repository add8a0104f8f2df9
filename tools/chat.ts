/**
 * The chat's tools: the product's own functions, bounded by the conversation's date. Every tool
 * refuses a date after it and reads memory at that day's close (asOf): a chat can never see later news
 * or prices than the day it is about. What lives above the tools (the predict graph, the series of a
 * day, the run's stored predictions) is passed in by the chat graph.
 */

import { type StructuredToolInterface, tool } from "@langchain/core/tools";
import { z } from "zod";
import { fence } from "../prompts/define.ts";
import type { RunContext } from "../src/config/context.ts";
import { dayContext, seriesOf } from "../src/data/day-context.ts";
import type { MarketData } from "../src/data/load.ts";
import { messageOf } from "../src/domain/errors.ts";
import type { DeltaInfo, SeriesDay } from "../src/domain/events.ts";
import type { Prediction } from "../src/domain/schemas.ts";
import type { MemoryPort } from "../src/memory/port.ts";
import { retrieveReferences } from "./retrieval.ts";

/** What the chat tools use: the run's context, data and memory, and three functions from above. */
export interface ChatDeps {
  ctx: RunContext;
  data: MarketData;
  store: MemoryPort;
  /** the w-day event series of a ticker-day, read at its close */
  series(ticker: string, date: string): Promise<{ series: SeriesDay[]; asOf: string }>;
  /** a fresh prediction of a ticker-day */
  predict(ticker: string, date: string): Promise<Prediction>;
  /** the prediction the run stored for a ticker-day, if any */
  stored(ticker: string, date: string): Prediction | undefined;
}

export interface ChatScope {
  /** the conversation's date: nothing after its close is visible */
  date: string;
  /** the default ticker of the conversation */
  ticker: string;
}

/**
 * The day a conversation opens on when none is given, and why: the run's last predicted day of the stock, else its
 * latest day with news (the last price row often has none: its news is tomorrow's), else its last day.
 */
export function openingDay(
  data: MarketData,
  ticker: string,
  predicted: readonly { ticker: string; date: string }[],
): { date: string; why: string } {
  const s = seriesOf(data, ticker);
  const days = predicted.filter((p) => p.ticker === ticker && s.calendar.indexOf(p.date) !== undefined);
  const last = days
    .map((p) => p.date)
    .sort()
    .at(-1);
  if (last) return { date: last, why: "the run's last predicted day" };
  for (let i = s.days.length - 1; i > 0; i--)
    if (s.itemsByDay[i]!.length > 0) return { date: s.days[i]!.date, why: "the latest day with news" };
  return { date: s.calendar.dates.at(-1)!, why: "the last day of the data (no day has news)" };
}

const DateArg = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .describe("trading date YYYY-MM-DD (at most the conversation's date)");
const TickerArg = z.string().describe("ticker, e.g. AAPL");

class OutOfScope extends Error {}

/** Tool results carry news-derived text to the chat model: fenced, like every prompt's (prompts/define.ts). */
const fencedDelta = (d: DeltaInfo | null) => d && { text: fence(d.text), direction: d.direction };

/** What every chat tool shares: the run's view, the conversation's scope and close, and the two guards. */
interface Scoped {
  r: ChatDeps;
  scope: ChatScope;
  /** the close of the conversation's day: nothing after it is readable */
  asOf: string;
  /** the trading day to use: the given one (or the conversation's), never after the conversation's date */
  day(
    ticker: string | undefined,
    date: string | undefined,
  ): { ticker: string; date: string; ctx: ReturnType<typeof dayContext> };
  /** a tool body whose out-of-scope refusals become an {error} answer the model can read */
  safe<A>(fn: (a: A) => Promise<unknown>): (a: A) => Promise<string>;
}

function scoped(r: ChatDeps, scope: ChatScope): Scoped {
  return {
    r,
    scope,
    asOf: dayContext(r.data, scope.ticker, scope.date).asOf,
    day(ticker, date) {
      const t = (ticker ?? scope.ticker).toUpperCase();
      const d = date ?? scope.date;
      if (d > scope.date)
        throw new OutOfScope(`I can only see data up to ${scope.date} (the close of that day); ${d} is after it.`);
      const last = seriesOf(r.data, t)
        .calendar.dates.filter((x) => x <= d)
        .at(-1);
      if (!last) throw new OutOfScope(`${t} has no trading day on or before ${d}.`);
      return { ticker: t, date: last, ctx: dayContext(r.data, t, last) };
    },
    safe: (fn) => async (a) => {
      try {
        return JSON.stringify(await fn(a));
      } catch (e) {
        if (e instanceof OutOfScope || /unknown ticker|not a trading day/.test(messageOf(e)))
          return JSON.stringify({ error: messageOf(e) });
        throw e;
      }
    },
  };
}

/** The day's structured events and their delta info. */
const dayEventsTool = (c: Scoped) =>
  tool(
    c.safe(async ({ ticker, date }: { ticker?: string; date?: string }) => {
      const d = c.day(ticker, date);
      const events = await c.r.store.getEvents({ asOf: d.ctx.asOf, ticker: d.ticker, from: d.date, to: d.date });
      return {
        ticker: d.ticker,
        date: d.date,
        news_items: d.ctx.items.length,
        events: events.map((e) => ({
          id: e.id,
          group: e.group,
          type: e.type,
          description: fence(e.description),
          delta: fencedDelta(e.delta),
          sources: e.source_ids.length,
        })),
      };
    }),
    {
      name: "day_events",
      description:
        "The structured events extracted from a ticker's news on a trading day, with their incremental information (delta info).",
      schema: z.object({ ticker: TickerArg.optional(), date: DateArg.optional() }),
    },
  );

/** An event's chain back to its first stage, read at the conversation's close. */
const eventChainTool = (c: Scoped) =>
  tool(
    c.safe(async ({ event_id }: { event_id: string }) => {
      const chain = [];
      let id: string | null = event_id;
      while (id && chain.length <= c.r.ctx.Dmax) {
        const [e] = await c.r.store.getEvents({ asOf: c.asOf, ids: [id] });
        if (!e) break;
        chain.unshift({
          id: e.id,
          date: e.date,
          type: e.type,
          description: fence(e.description),
          delta: fencedDelta(e.delta),
        });
        id = e.predecessor_id;
      }
      if (chain.length === 0) throw new OutOfScope(`no event ${event_id} in memory up to ${c.scope.date}`);
      return { chain };
    }),
    {
      name: "event_chain",
      description: "The chain of an event: its earlier stages (oldest first) and each stage's delta info.",
      schema: z.object({ event_id: z.string().describe("an event id from day_events") }),
    },
  );

/** Past ticker-days with a similar event-type sequence (the predictor's retrieval). */
const similarSituationsChatTool = (c: Scoped) =>
  tool(
    c.safe(async ({ ticker, date, k }: { ticker?: string; date?: string; k?: number }) => {
      const d = c.day(ticker, date);
      const { series, asOf } = await c.r.series(d.ticker, d.date);
      const refs = await retrieveReferences(c.r.store, {
        ticker: d.ticker,
        date: d.date,
        asOf,
        series,
        w: c.r.ctx.w,
        k: k ?? 5,
        a: c.r.ctx.a,
        scope: c.r.ctx.referenceScope,
      });
      return {
        ticker: d.ticker,
        date: d.date,
        similar: refs.map((x) => ({
          id: x.id,
          ticker: x.ticker,
          date: x.date,
          similarity: Number(x.similarity.toFixed(3)),
          moved: x.label,
          reason: fence(x.reason),
        })),
      };
    }),
    {
      name: "similar_situations",
      description:
        "Past ticker-days whose event-type sequence over the last w days is most like this one (Jaccard SeqSim), with how the stock moved next and why.",
      schema: z.object({
        ticker: TickerArg.optional(),
        date: DateArg.optional(),
        k: z.number().int().min(1).max(20).optional(),
      }),
    },
  );

/** A fresh prediction of a ticker-day. */
const predictTool = (c: Scoped) =>
  tool(
    c.safe(async ({ ticker, date }: { ticker?: string; date?: string }) => {
      const d = c.day(ticker, date);
      const p = await c.r.predict(d.ticker, d.date);
      return {
        ticker: d.ticker,
        date: d.date,
        movement: p.movement,
        reason: fence(p.reason),
        references: p.references,
        as_of: p.as_of,
      };
    }),
    {
      name: "predict",
      description:
        "Predict whether the stock closes up or down on the next trading day after the given day, with the reason and the past cases used.",
      schema: z.object({ ticker: TickerArg.optional(), date: DateArg.optional() }),
    },
  );

/** A stored prediction with the reflections of the cases it cited. */
const explainPredictionTool = (c: Scoped) =>
  tool(
    c.safe(async ({ ticker, date }: { ticker?: string; date?: string }) => {
      const d = c.day(ticker, date);
      const p = c.r.stored(d.ticker, d.date);
      if (!p)
        throw new OutOfScope(
          `run "${c.r.ctx.run}" has no stored prediction for ${d.ticker} ${d.date}; ask me to predict it.`,
        );
      const refs = await c.r.store.getReflections({ asOf: p.as_of });
      return {
        ticker: d.ticker,
        date: d.date,
        movement: p.movement,
        reason: fence(p.reason),
        references: p.references
          .map((id) => refs.find((x) => x.id === id))
          .filter((x) => x !== undefined)
          .map((x) => ({
            id: x.id,
            ticker: x.ticker,
            date: x.date,
            moved: x.label,
            reason: fence(x.reason),
            key_events: x.key_events.map(fence),
          })),
      };
    }),
    {
      name: "explain_prediction",
      description: "Explain a prediction stored by a run: its reason and the reflections of the past cases it cited.",
      schema: z.object({ ticker: TickerArg.optional(), date: DateArg.optional() }),
    },
  );

/** Daily prices up to the conversation's date. */
const priceHistoryTool = (c: Scoped) =>
  tool(
    c.safe(async ({ ticker, days }: { ticker?: string; days?: number }) => {
      const d = c.day(ticker, undefined);
      return {
        ticker: d.ticker,
        bars: d.ctx.history
          .slice(-(days ?? 10))
          .map((b) => ({ date: b.date, close: b.close, adj_close: b.adj_close, volume: b.volume })),
      };
    }),
    {
      name: "price_history",
      description: "Daily prices of a ticker up to the conversation's date.",
      schema: z.object({ ticker: TickerArg.optional(), days: z.number().int().min(1).max(250).optional() }),
    },
  );

/** The chat's tools, bounded by the conversation's date. */
export function chatTools(r: ChatDeps, scope: ChatScope): StructuredToolInterface[] {
  const c = scoped(r, scope);
  return [
    dayEventsTool(c),
    eventChainTool(c),
    similarSituationsChatTool(c),
    predictTool(c),
    explainPredictionTool(c),
    priceHistoryTool(c),
  ];
}
