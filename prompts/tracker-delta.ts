import { z } from "zod";
import { EventToTrack } from "../src/domain/events.ts";
import { definePrompt, fence, UNTRUSTED_RULE } from "./define.ts";
import { ChainStage } from "./tracker.ts";

/** What the delta step reads: today's event and its chain. */
export const TrackerDeltaInput = z.object({
  ticker: z.string(),
  date: z.string(),
  event: EventToTrack,
  /** the event's chain, oldest first, without today's event; empty for a new story */
  chain: z.array(ChainStage),
});
export type TrackerDeltaInput = z.infer<typeof TrackerDeltaInput>;

/** Paper 3.1.3 (step 2): the incremental information of today's event against its chain. */
const trackerDeltaPrompt = definePrompt<TrackerDeltaInput>({
  id: "tracker-delta",
  version: "1.0.1",
  system: `You write the incremental information of a company event: what today's report adds to what was already known from the earlier stages of the same story, and whether that news is more positive, more negative, or neutral compared with what the earlier stages led the market to expect. For a new story with no earlier stages, state what is new and judge it against a neutral expectation. Be concrete and brief (at most 80 words).
${UNTRUSTED_RULE}`,
  render: (i) =>
    `Company: ${i.ticker}. Today: ${i.date}.\nToday's event: (${i.event.group} / ${i.event.type}) ${fence(i.event.description)}\n\nEarlier stages (oldest first):\n` +
    (i.chain.length ? i.chain.map((c) => `- ${c.date}: ${fence(c.description)}`).join("\n") : "(none: a new story)") +
    `\n\nReturn {"delta": "<what is new>", "direction": "more_positive" | "more_negative" | "neutral"}.`,
});

/** Every version of this prompt, oldest first (the last is the default). */
export const trackerDeltaPrompts = [trackerDeltaPrompt];
