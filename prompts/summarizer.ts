import { z } from "zod";
import { definePrompt, newsBlock, UNTRUSTED_RULE } from "./define.ts";

/** What the summarizer reads: a day's news items (or one cluster of them). */
export const SummarizerInput = z.object({
  ticker: z.string(),
  date: z.string(),
  items: z.array(z.object({ id: z.string(), published_at: z.string(), text: z.string() })),
});
export type SummarizerInput = z.infer<typeof SummarizerInput>;

/** The "summary instead of events" ablation (paper RQ2): a day's news as one plain summary. */
const summarizerPrompt = definePrompt<SummarizerInput>({
  id: "summarizer",
  version: "1.0.1",
  system: `You summarise a day of news and social posts about a listed company for an analyst: in at most 120 words, the facts that could matter for the stock (what happened, to whom, with which numbers), without opinions of your own. If nothing relevant was reported, say so.
${UNTRUSTED_RULE}`,
  render: (i) =>
    `Company: ${i.ticker}. Trading day: ${i.date}.\n\n${i.items.map((n) => newsBlock(n.id, n.published_at, n.text)).join("\n\n") || "(no news)"}\n\nReturn {"summary": "..."}.`,
});

/** Every version of this prompt, oldest first (the last is the default). */
export const summarizerPrompts = [summarizerPrompt];
