import { seriesText, type Reference, type SeriesDay } from "../src/domain/series.ts";
import { UNTRUSTED_RULE, definePrompt, fence } from "./define.ts";

export interface PredictorInput {
  ticker: string;
  date: string;
  series: SeriesDay[];
  /** today's events with their incremental information */
  today: SeriesDay;
  references: Reference[];
  /** SEP-Memory records recalled for today (layered memory on), best first */
  memories?: { id: string; layer: string; date: string; text: string }[];
}

/** Paper 3.4 (test prompt): recent series + today's delta info + reference reflections -> {reason, movement}. */
export const predictorPrompt = definePrompt<PredictorInput>({
  id: "predictor",
  version: "1.0.1",
  system: `You are a financial analyst predicting whether a stock will close up or down on the next trading day. Use the recent event series, today's incremental information (what is genuinely new against expectations), and the reflections of comparable past cases (how similar news moved prices before). Reason step by step, weigh new information over repeated news, and cite the ids of the reference cases you relied on. You must choose up or down.
${UNTRUSTED_RULE}`,
  render: (i) =>
    `Company: ${i.ticker}. Today: ${i.date}.\n\nRecent event series:\n${seriesText(i.series, false)}\n\nToday's incremental information:\n${seriesText([i.today])}\n\n` +
    `Reference cases:\n${i.references.length ? i.references.map((r) => `- [${r.id}] ${r.ticker} ${r.date}: moved ${r.label}. ${fence(r.reason)} Key events: ${fence(r.key_events.join("; "))}`).join("\n") : "(none)"}\n\n` +
    `Return {"reason": "...", "movement": "up" | "down", "cited": ["<reference id>", ...]}.`,
});

/**
 * 1.1.1: the same inputs, but the model must first separate what is genuinely new today from what
 * was expected, then weigh each reference by its similarity, before choosing the direction.
 */
export const predictorPromptV11 = definePrompt<PredictorInput>({
  ...predictorPrompt,
  version: "1.1.1",
  system: `You are a financial analyst predicting whether a stock will close up or down on the next trading day.
Work in three steps. (1) From today's incremental information, list what is genuinely new against what the recent event series led the market to expect, and whether it is better or worse than expected. (2) For each reference case, note how similar its situation is (its similarity score and its driving events) and how the stock moved; give more weight to more similar cases and ignore cases that only share generic event types. (3) Combine both into the more likely direction. Cite the ids of the reference cases you relied on. You must choose up or down.
${UNTRUSTED_RULE}`,
});

/**
 * 1.2.1: 1.1.1 plus the layered memory's records (SEP-Memory), which may be cited like references.
 * Without memories (layered memory off) it renders exactly as 1.1.1.
 */
export const predictorPromptV12 = definePrompt<PredictorInput>({
  ...predictorPromptV11,
  version: "1.2.1",
  render: (i) =>
    i.memories?.length
      ? predictorPromptV11.render(i).replace(
          /\n\nReturn \{/,
          `\n\nMemory records (daily notes, past explanations, past mistakes, patterns; cite their ids if you use them):\n${i.memories.map((m) => `- [${m.id}] (${m.layer}, ${m.date}) ${fence(m.text)}`).join("\n")}\n\nReturn {`,
        )
      : predictorPromptV11.render(i),
});

/** Every version of this prompt, oldest first (the last is the default). Patch .1 of each: news-derived text fenced, the untrusted rule added. */
export const predictorPrompts = [predictorPrompt, predictorPromptV11, predictorPromptV12];
