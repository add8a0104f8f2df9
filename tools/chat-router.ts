/**
 * The offline chat: an honest command-style assistant (no LLM). It routes plain requests to the same
 * tools an LLM agent would call, then phrases the tool's result. It says what it can answer.
 */
import { unfence } from "../prompts/define.ts";

export interface Route {
  name: string;
  args: Record<string, unknown>;
}

export const OFFLINE_HELP =
  'I am the offline analyst (a rule-based assistant, not an LLM). Ask me for: the day\'s events ("events today"), ' +
  'a prediction ("predict"), why a stored prediction was made ("why"), similar past days ("similar days"), ' +
  'the chain of an event ("chain ev:..."), or prices ("prices"). Add a date (YYYY-MM-DD) or a ticker to change them.';

/** The tool for a request, with any date, ticker or event id it names; null when nothing matches. */
export function routeOffline(text: string, knownTickers: readonly string[]): Route | null {
  const t = text.toLowerCase();
  const args: Record<string, unknown> = {};
  const date = /\b(\d{4}-\d{2}-\d{2})\b/.exec(text)?.[1];
  if (date) args.date = date;
  const ticker = [...text.matchAll(/\$?\b([A-Z]{2,5})\b/g)].map((m) => m[1]!).find((x) => knownTickers.includes(x));
  if (ticker) args.ticker = ticker;
  const event = /\b(ev:[A-Z.]+:\d{4}-\d{2}-\d{2}:[0-9a-f]+)\b/.exec(text)?.[1];
  if (event || /\b(chain|story)\b/.test(t)) return event ? { name: "event_chain", args: { event_id: event } } : null;
  if (/\b(why|explain|reason)\b/.test(t)) return { name: "explain_prediction", args };
  if (/\b(similar|analog\w*|comparable|like (this|today))\b/.test(t)) return { name: "similar_situations", args };
  if (/\b(predict\w*|forecast|tomorrow|up or down|next day|will|going to|expect\w*|outlook)\b/.test(t))
    return { name: "predict", args };
  if (/\b(events?|news|happen\w*|today)\b/.test(t)) return { name: "day_events", args };
  if (/\b(prices?|close|closing|chart|quotes?)\b/.test(t)) return { name: "price_history", args };
  return null;
}

// A tool's JSON answer, read field by field to phrase it; the tools' own schemas typed it when they wrote it.
// biome-ignore lint/suspicious/noExplicitAny: see above
type Json = Record<string, any>;

/** Phrases a tool's JSON result as an answer. */
export function formatToolAnswer(name: string, raw: string): string {
  let r: Json;
  try {
    r = JSON.parse(unfence(raw)) as Json; // the tools fence news-derived text for models; a person reads it plain
  } catch {
    return unfence(raw);
  }
  if (r.error) return `Sorry: ${r.error}`;
  const delta = (d: Json | null) => (d ? ` [${d.direction}] ${d.text}` : "");
  switch (name) {
    case "day_events":
      return r.events.length
        ? daySummary(r)
        : `${r.ticker} ${r.date}: ${r.news_items} news items and no stored events (has this day been ingested by a run?).`;
    case "event_chain":
      return `Chain of ${r.chain.at(-1).id}, oldest first:\n${r.chain.map((e: Json) => `- ${e.date} ${e.type}: ${e.description}${delta(e.delta)}`).join("\n")}`;
    case "similar_situations":
      return r.similar.length
        ? `Past days most like ${r.ticker} ${r.date} (event-type sequence, Jaccard):\n${r.similar.map((s: Json) => `- ${s.ticker} ${s.date} (similarity ${s.similarity}) moved ${s.moved} next: ${s.reason}`).join("\n")}`
        : `No reflections in memory before ${r.date} to compare with yet.`;
    case "predict":
      return `${r.ticker} after ${r.date}: I expect ${r.movement.toUpperCase()}. ${r.reason}${r.references.length ? `\nCases used: ${r.references.join(", ")}` : ""}`;
    case "explain_prediction":
      return `${r.ticker} ${r.date} was predicted ${r.movement}. ${r.reason}${r.references.length ? `\nCited cases:\n${r.references.map((x: Json) => `- ${x.id} (moved ${x.moved}): ${x.reason}`).join("\n")}` : ""}`;
    case "price_history":
      return `${r.ticker} closes:\n${r.bars.map((b: Json) => `- ${b.date}: ${Number(b.close).toFixed(2)} (adj. ${Number(b.adj_close).toFixed(2)}, volume ${b.volume})`).join("\n")}`;
    default:
      return raw;
  }
}

/** Events shown in a day's summary: the most reported first. */
const TOP_EVENTS = 5;
const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** A day's events for a person: counts by group, then the most reported events (not every post). */
function daySummary(r: Json): string {
  const groups = new Map<string, number>();
  for (const e of r.events as Json[]) groups.set(e.group, (groups.get(e.group) ?? 0) + 1);
  const byGroup = [...groups]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([g, n]) => `${g} ${n}`)
    .join(", ");
  const top = [...(r.events as Json[])]
    .sort(
      (a, b) =>
        (b.sources ?? 1) - (a.sources ?? 1) ||
        Number(Boolean(b.delta && b.delta.direction !== "neutral")) -
          Number(Boolean(a.delta && a.delta.direction !== "neutral")),
    )
    .slice(0, TOP_EVENTS);
  const more =
    r.events.length > top.length
      ? `\n(${r.events.length - top.length} more; ask for "the chain of <id>" to follow one)`
      : "";
  return `${r.ticker} ${r.date}: ${r.news_items} news items, ${r.events.length} events. By group: ${byGroup}.\nMost reported:\n${top
    .map(
      (e) =>
        `- ${e.type}: ${clip(e.description, 140)}${e.delta && e.delta.direction !== "neutral" ? ` [${e.delta.direction.replace("_", " ")}]` : ""} (${e.sources ?? 1} item${(e.sources ?? 1) === 1 ? "" : "s"}; ${e.id})`,
    )
    .join("\n")}${more}`;
}
