import { seriesText, type Reference, type SeriesDay } from "../src/domain/series.ts";
import { UNTRUSTED_RULE, definePrompt, fence } from "./define.ts";

export interface JudgeInput {
  ticker: string;
  date: string;
  series: SeriesDay[];
  candidates: Reference[];
}

/** Paper 3.3 (judge): keep only the retrieved past situations that are genuinely comparable. */
export const judgePrompt = definePrompt<JudgeInput>({
  id: "retriever-judge",
  version: "1.0.1",
  system: `You screen historical reference cases for a stock prediction. A similarity search over event types proposed past situations (of this or other companies) with their post-mortem reflections. Keep only the candidates whose driving events are genuinely comparable to the current situation (same kind of news at a similar stage, similar market context); drop those that only share generic event types. Give a one-line reason for each kept case.
${UNTRUSTED_RULE}`,
  render: (i) =>
    `Current situation: ${i.ticker} up to ${i.date}:\n${seriesText(i.series)}\n\nCandidates:\n` +
    i.candidates.map((c) => `- [${c.id}] ${c.ticker} ${c.date} (similarity ${c.similarity.toFixed(2)}), moved ${c.label} next day. Reflection: ${fence(c.reason)} Key events: ${fence(c.key_events.join("; "))}`).join("\n") +
    `\n\nReturn {"kept": [{"id": "<candidate id>", "why": "<one line>"}]} (possibly empty).`,
});

/** Every version of this prompt, oldest first (the last is the default). */
export const judgePrompts = [judgePrompt];
