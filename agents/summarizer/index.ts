/** Summarizer (ablation "summary instead of events"): a day's news -> one summary, no event structure. */
import { z } from "zod";
import { type SummarizerInput, summarizerPrompts } from "../../prompts/summarizer.ts";
import { cosine } from "../../src/memory/embeddings.ts";
import { cleanText } from "../../src/models/offline/text.ts";
import type { AgentDef } from "../kit.ts";

export const SummarizerOutput = z.object({ summary: z.string().min(1) });
export type SummarizerOutput = z.infer<typeof SummarizerOutput>;

const MAX_SENTENCES = 3;
const MAX_CHARS = 500;

export const summarizer: AgentDef<SummarizerInput, SummarizerOutput, "summarizer"> = {
  name: "summarizer",
  prompts: summarizerPrompts,
  schema: SummarizerOutput,
  itemId: (i) => `${i.ticker} ${i.date} summary`,
  async offline(input, env) {
    // Extractive: the distinct cleaned posts most similar to the rest of the day (its central
    // topics), in order of centrality, joined and cut to a length.
    const texts = [...new Set(input.items.map((i) => cleanText(i.text)).filter((t) => t.length >= 12))];
    if (texts.length === 0) return { summary: "(no news)" };
    const v = await env.embedder.embed(texts);
    const centrality = texts.map((_, i) => texts.reduce((s, __, j) => s + (i === j ? 0 : cosine(v[i]!, v[j]!)), 0));
    const order = texts.map((_, i) => i).sort((a, b) => centrality[b]! - centrality[a]! || a - b);
    const summary = order
      .slice(0, MAX_SENTENCES)
      .map((i) => texts[i])
      .join(" | ");
    return { summary: summary.length > MAX_CHARS ? `${summary.slice(0, MAX_CHARS - 3)}...` : summary };
  },
};
