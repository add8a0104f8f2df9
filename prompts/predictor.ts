import { seriesText, type Reference, type SeriesDay } from "../src/domain/series.ts";
import { definePrompt } from "./define.ts";

export interface PredictorInput {
  ticker: string;
  date: string;
  series: SeriesDay[];
  /** today's events with their incremental information */
  today: SeriesDay;
  references: Reference[];
}

/** Paper 3.4 (test prompt): recent series + today's delta info + reference reflections -> {reason, movement}. */
export const predictorPrompt = definePrompt<PredictorInput>({
  id: "predictor",
  version: "1.0.0",
  system: `You are a financial analyst predicting whether a stock will close up or down on the next trading day. Use the recent event series, today's incremental information (what is genuinely new against expectations), and the reflections of comparable past cases (how similar news moved prices before). Reason step by step, weigh new information over repeated news, and cite the ids of the reference cases you relied on. You must choose up or down.`,
  render: (i) =>
    `Company: ${i.ticker}. Today: ${i.date}.\n\nRecent event series:\n${seriesText(i.series, false)}\n\nToday's incremental information:\n${seriesText([i.today])}\n\n` +
    `Reference cases:\n${i.references.length ? i.references.map((r) => `- [${r.id}] ${r.ticker} ${r.date}: moved ${r.label}. ${r.reason} Key events: ${r.key_events.join("; ")}`).join("\n") : "(none)"}\n\n` +
    `Return {"reason": "...", "movement": "up" | "down", "cited": ["<reference id>", ...]}.`,
});
