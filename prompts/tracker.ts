import { z } from "zod";
import { EventDetails, EventToTrack } from "../src/domain/events.ts";
import { definePrompt, fence, UNTRUSTED_RULE } from "./define.ts";

/** One earlier stage of a story. */
export const ChainStage = z.object({ date: z.string(), description: z.string() });

/** An earlier event a tracker may link today's event to. */
export const TrackerCandidate = z.object({
  id: z.string(),
  date: z.string(),
  type: z.string(),
  description: z.string(),
  similarity: z.number(),
  /** the candidate's tuple (time, place, companies, attributes), when stored */
  details: EventDetails.optional(),
  /** the candidate's own earlier stages, oldest first (its stored chain) */
  chain: z.array(ChainStage),
});
export type TrackerCandidate = z.infer<typeof TrackerCandidate>;

/** What the single-call tracker reads: today's event and its candidates, each with its own chain. */
export const TrackerInput = z.object({
  ticker: z.string(),
  date: z.string(),
  event: EventToTrack,
  candidates: z.array(TrackerCandidate),
});
export type TrackerInput = z.infer<typeof TrackerInput>;

/**
 * Paper 3.1.3 in one step: the predecessor among the candidates (each shown with its own chain) and
 * the incremental information against the chosen story, in one answer instead of two calls.
 */
const trackerPrompt = definePrompt<TrackerInput>({
  id: "tracker",
  version: "1.0.1",
  system: `You track how company events develop over time and what each new report adds. Given today's event and earlier events of the same company from the last trading days (each with the earlier stages of its own story), first name the one earlier event that today's event directly continues (the same story at an earlier stage: an announcement followed by its launch, a rumour followed by its confirmation, a lawsuit followed by its ruling), or null if none is the same story; similar wording alone is not enough. Then write the incremental information: what today's event adds to what was already known from that story (the predecessor and its earlier stages), and whether it is more positive, more negative, or neutral compared with what the story led the market to expect. For a new story (null), state what is new against a neutral expectation. Be concrete and brief (at most 80 words for the incremental information).
${UNTRUSTED_RULE}`,
  render: (i) =>
    `Company: ${i.ticker}. Today: ${i.date}.\nToday's event: (${i.event.group} / ${i.event.type}) ${fence(i.event.description)}\n\nEarlier events:\n` +
    (i.candidates.length
      ? i.candidates
          .map(
            (c) =>
              `- [${c.id}] ${c.date} (${c.type}, similarity ${c.similarity.toFixed(2)}) ${fence(c.description)}${c.chain.length ? `\n    its earlier stages: ${c.chain.map((s) => `${s.date}: ${fence(s.description)}`).join(" | ")}` : ""}`,
          )
          .join("\n")
      : "(none)") +
    `\n\nReturn {"predecessor_id": "<id>" or null, "why": "<one sentence>", "delta": "<what is new>", "direction": "more_positive" | "more_negative" | "neutral"}.`,
});

/** Every version of this prompt, oldest first (the last is the default). */
export const trackerPrompts = [trackerPrompt];
