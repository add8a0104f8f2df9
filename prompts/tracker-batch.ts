import type { EventDetails } from "../src/domain/events.ts";
import { definePrompt, fence, UNTRUSTED_RULE } from "./define.ts";
import { detailsText } from "./series.ts";
import type { TrackerCandidate } from "./tracker.ts";

export interface TrackerBatchInput {
  ticker: string;
  date: string;
  /** today's events of the ticker-day (a chunk of them), each with the ids of its own candidates */
  events: {
    key: string;
    group: string;
    type: string;
    description: string;
    details?: EventDetails;
    candidates: { id: string; similarity: number }[];
  }[];
  /** every candidate named by those events, once, each with its own earlier stages */
  earlier: Omit<TrackerCandidate, "similarity">[];
}

/** The batch's system message; `extra` is a version's added instruction (before the per-event rule). */
const batchSystem = (
  extra: string,
) => `You track how company events develop over time and what each new report adds, for several of today's events at once. For each of today's events, first name the one earlier event among that event's own candidates that it directly continues (the same story at an earlier stage: an announcement followed by its launch, a rumour followed by its confirmation, a lawsuit followed by its ruling), or null if none is the same story; similar wording alone is not enough, and an event may only be linked to one of its own candidates. Then write its incremental information: what it adds to what was already known from that story (the predecessor and its earlier stages), and whether it is more positive, more negative, or neutral compared with what the story led the market to expect. For a new story (null), state what is new against a neutral expectation. ${extra}Judge each of today's events on its own; be concrete and brief (at most 80 words of incremental information each). Answer every one of today's events exactly once, by its key.
${UNTRUSTED_RULE}`;

/** The batch's user message; `withDetails` adds each event's tuple (time, place, companies, attributes). */
function renderBatch(i: TrackerBatchInput, withDetails: boolean): string {
  const more = (d: EventDetails | undefined) => {
    const t = withDetails ? detailsText(d) : "";
    return t ? `\n    details: ${t}` : "";
  };
  return (
    `Company: ${i.ticker}. Today: ${i.date}.\n\nEarlier events:\n` +
    (i.earlier.length
      ? i.earlier
          .map(
            (c) =>
              `- [${c.id}] ${c.date} (${c.type}) ${fence(c.description)}${more(c.details)}${c.chain.length ? `\n    its earlier stages: ${c.chain.map((s) => `${s.date}: ${fence(s.description)}`).join(" | ")}` : ""}`,
          )
          .join("\n")
      : "(none)") +
    `\n\nToday's events:\n` +
    i.events
      .map(
        (e) =>
          `* {${e.key}} (${e.group} / ${e.type}) ${fence(e.description)}${more(e.details)}\n    candidates: ${e.candidates.length ? e.candidates.map((c) => `${c.id} (similarity ${c.similarity.toFixed(2)})`).join(", ") : "(none)"}`,
      )
      .join("\n") +
    `\n\nReturn {"events": [{"key": "<key>", "predecessor_id": "<one of its candidate ids>" or null, "why": "<one sentence>", "delta": "<what is new>", "direction": "more_positive" | "more_negative" | "neutral"}, ...]}, one entry per key.`
  );
}

/**
 * Paper 3.1.3 for several of a ticker-day's events in one answer: for each event, the predecessor among
 * its own candidates and the incremental information against the chosen story. The earlier events are
 * listed once, so a candidate shared by several of today's events costs its tokens once.
 */
const trackerBatchPrompt = definePrompt<TrackerBatchInput>({
  id: "tracker-batch",
  version: "1.0.0",
  system: batchSystem(""),
  render: (i) => renderBatch(i, false),
});

/**
 * 1.1.0: each event and each earlier event also shows its tuple (time, place, companies, entities,
 * attributes such as amounts and counterparties): a contract's value or a product's spec is often what
 * tells a new stage from a repeat.
 */
const trackerBatchPromptV11 = definePrompt<TrackerBatchInput>({
  ...trackerBatchPrompt,
  version: "1.1.0",
  system: batchSystem("Use the details (amounts, counterparties, products, dates) to tell a new stage from a repeat. "),
  render: (i) => renderBatch(i, true),
});

/** Every version of this prompt, oldest first (the last is the default). */
export const trackerBatchPrompts = [trackerBatchPrompt, trackerBatchPromptV11];
