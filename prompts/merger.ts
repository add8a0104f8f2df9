import { z } from "zod";
import { definePrompt, fence, UNTRUSTED_RULE } from "./define.ts";

/** What the merger reads: one coarse cluster of a group's raw events. */
export const MergerInput = z.object({
  ticker: z.string(),
  date: z.string(),
  group: z.string(),
  allowedTypes: z.array(z.string()),
  events: z.array(z.object({ id: z.string(), type: z.string(), description: z.string() })),
});
export type MergerInput = z.infer<typeof MergerInput>;

/** Paper 3.1.2 (fine step): a cluster of similar raw events -> the distinct events it contains. */
const mergerPrompt = definePrompt<MergerInput>({
  id: "merger",
  version: "1.0.1",
  system: `You consolidate duplicate event reports. You receive raw events of one company and one trading day that a similarity search grouped together. Decide which of them describe the same real-world event and which are distinct. For each distinct event write one precise description combining the facts of its reports, and re-check its type (it must be one of the allowed types of the group). Every raw event id must appear in exactly one merged event.
${UNTRUSTED_RULE}`,
  render: (i) =>
    `Company: ${i.ticker}. Trading day: ${i.date}. Group: ${i.group}. Allowed types: ${i.allowedTypes.join("; ")}.\n\nRaw events:\n` +
    i.events.map((e) => `- [${e.id}] (${e.type}) ${fence(e.description)}`).join("\n") +
    `\n\nReturn {"events": [{"type": ..., "description": ..., "merged_ids": [...]}]}.`,
});

/** Every version of this prompt, oldest first (the last is the default). */
export const mergerPrompts = [mergerPrompt];
