import { z } from "zod";
import { SeriesDay } from "../src/domain/events.ts";
import { Reference } from "../src/domain/series.ts";
import { definePrompt, fence, UNTRUSTED_RULE } from "./define.ts";
import { seriesText, windowText } from "./series.ts";

/** What the judge reads: the current series and the retrieved candidates (their windows and SeqSim). */
export const JudgeInput = z.object({
  ticker: z.string(),
  date: z.string(),
  series: z.array(SeriesDay),
  candidates: z.array(Reference),
});
export type JudgeInput = z.infer<typeof JudgeInput>;

/** Paper 3.3 (judge): keep only the retrieved past situations that are genuinely comparable. */
export const judgePrompt = definePrompt<JudgeInput>({
  id: "retriever-judge",
  version: "1.0.1",
  system: `You screen historical reference cases for a stock prediction. A similarity search over event types proposed past situations (of this or other companies) with their post-mortem reflections. Keep only the candidates whose driving events are genuinely comparable to the current situation (same kind of news at a similar stage, similar market context); drop those that only share generic event types. Give a one-line reason for each kept case.
${UNTRUSTED_RULE}`,
  render: (i) =>
    `Current situation: ${i.ticker} up to ${i.date}:\n${seriesText(i.series)}\n\nCandidates:\n` +
    i.candidates
      .map(
        (c) =>
          `- [${c.id}] ${c.ticker} ${c.date} (similarity ${c.similarity.toFixed(2)}), moved ${c.label} next day. Reflection: ${fence(c.reason)} Key events: ${fence(c.key_events.join("; "))}`,
      )
      .join("\n") +
    `\n\nReturn {"kept": [{"id": "<candidate id>", "why": "<one line>"}]} (possibly empty).`,
});

/**
 * 1.1.0, per the paper's judge: the current event series against each candidate's own window series
 * (event types per day with their incremental information) and its SeqSim. Neither the candidate's
 * realised move nor its reflection is shown (both reveal the move): comparability is judged on the
 * events alone, and the predictor, not the judge, weighs the outcomes.
 */
export const judgePromptV11 = definePrompt<JudgeInput>({
  id: "retriever-judge",
  version: "1.1.0",
  system: `You screen historical reference cases for a stock prediction. A search over event-type sequences proposed past windows of this or other companies; for each you see its window's events per day (group / type, with what each added against earlier reports) and its sequence similarity (SeqSim, 0 to 1). You are not told what happened to those stocks afterwards: judge comparability on the events alone. Keep a candidate when its sequence tells a genuinely comparable story to the current one: the same kinds of events at a similar stage, with surprises in the same direction. Drop candidates that share only generic or routine event types (market chatter, price commentary) or whose events developed differently. Give a one-line reason for each kept case.
${UNTRUSTED_RULE}`,
  render: (i) =>
    `Current situation: ${i.ticker}, the ${i.series.length} trading days up to ${i.date}:\n${seriesText(i.series, true, true)}\n\nCandidates:\n` +
    i.candidates
      .map(
        (c) =>
          `- [${c.id}] ${c.ticker}, window ending ${c.date} (SeqSim ${c.similarity.toFixed(2)}):\n${windowText(c.series)}`,
      )
      .join("\n") +
    `\n\nReturn {"kept": [{"id": "<candidate id>", "why": "<one line>"}]} (possibly empty).`,
});

/** Every version of this prompt, oldest first (the last is the default). */
export const judgePrompts = [judgePrompt, judgePromptV11];
