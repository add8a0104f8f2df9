import { z } from "zod";
import { SeriesDay } from "../src/domain/events.ts";
import { Movement } from "../src/domain/schemas.ts";
import { definePrompt, UNTRUSTED_RULE } from "./define.ts";
import { seriesText } from "./series.ts";

/** What the reflector reads: the window's series and the real move that followed. */
export const ReflectorInput = z.object({
  ticker: z.string(),
  date: z.string(),
  nextDate: z.string(),
  movement: Movement,
  changePct: z.number(),
  series: z.array(SeriesDay),
});
export type ReflectorInput = z.infer<typeof ReflectorInput>;

/** Paper 3.2 (train prompt): the real next-day move + the window's events -> why it moved, and the key events. */
const reflectorPrompt = definePrompt<ReflectorInput>({
  id: "reflector",
  version: "1.0.1",
  system: `You are a financial analyst writing a post-mortem. You are given a company's event series over the last trading days, with the incremental information of each event, and the stock's REAL movement on the next trading day. Explain which events drove that movement and why, weighing new information against what was already expected; say which events were noise. Write the reason within about 500 words and list the key events (each a short phrase, together within about 300 words).
${UNTRUSTED_RULE}`,
  render: (i) =>
    `Company: ${i.ticker}. Event series up to ${i.date}:\n${seriesText(i.series)}\n\nReal movement from ${i.date} to ${i.nextDate}: ${i.movement} (${i.changePct >= 0 ? "+" : ""}${i.changePct.toFixed(2)} %).\n\n` +
    `Return {"reason": "...", "key_events": ["...", ...]}.`,
});

/** Every version of this prompt, oldest first (the last is the default). */
export const reflectorPrompts = [reflectorPrompt];
