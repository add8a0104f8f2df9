import { z } from "zod";
import { EventToTrack } from "../src/domain/events.ts";
import { definePrompt, fence, UNTRUSTED_RULE } from "./define.ts";
import { TrackerCandidate } from "./tracker.ts";

/** What the link step reads: today's event and its candidates (without their chains). */
export const TrackerLinkInput = z.object({
  ticker: z.string(),
  date: z.string(),
  event: EventToTrack,
  candidates: z.array(TrackerCandidate.omit({ chain: true, details: true })),
});
export type TrackerLinkInput = z.infer<typeof TrackerLinkInput>;

/** Paper 3.1.3 (step 1): which earlier event, if any, is the direct predecessor of today's event. */
const trackerLinkPrompt = definePrompt<TrackerLinkInput>({
  id: "tracker-link",
  version: "1.0.1",
  system: `You track how company events develop over time. Given today's event and earlier events of the same company from the last trading days, name the one earlier event that this event directly continues (the same story at an earlier stage: an announcement followed by its launch, a rumour followed by its confirmation, a lawsuit followed by its ruling). If none of them is the same story, answer null. Similar wording alone is not enough.
${UNTRUSTED_RULE}`,
  render: (i) =>
    `Company: ${i.ticker}. Today: ${i.date}.\nToday's event: (${i.event.group} / ${i.event.type}) ${fence(i.event.description)}\n\nEarlier events:\n` +
    i.candidates
      .map((c) => `- [${c.id}] ${c.date} (${c.type}, similarity ${c.similarity.toFixed(2)}) ${fence(c.description)}`)
      .join("\n") +
    `\n\nReturn {"predecessor_id": "<id>" or null, "why": "<one sentence>"}.`,
});

/** Every version of this prompt, oldest first (the last is the default). */
export const trackerLinkPrompts = [trackerLinkPrompt];
