import { seriesText } from "./series.ts";
import type { Movement } from "../src/domain/schemas.ts";
import type { SeriesDay } from "../src/domain/series.ts";
import { UNTRUSTED_RULE, definePrompt, fence } from "./define.ts";

export interface CriticInput {
  ticker: string;
  date: string;
  today: SeriesDay;
  v1: { movement: Movement; reason: string };
  /** lessons recalled from the reflection (past mistakes) and long-term layers */
  lessons: { id: string; layer: string; date: string; text: string }[];
}

/** SEP-Memory self-reflection: critique explanation v1 with the memory of past mistakes and patterns. */
export const criticPrompt = definePrompt<CriticInput>({
  id: "critic",
  version: "1.0.1",
  system: `You review a stock prediction before it is final. Compare its reasoning with lessons from memory: past mistakes in similar situations and consolidated patterns that held. Point out events it missed, noise it overweighted, and any past mistake it repeats. Say whether the prediction should be kept or reconsidered.
${UNTRUSTED_RULE}`,
  render: (i) =>
    `Company: ${i.ticker}. Today: ${i.date}.\nToday's events:\n${seriesText([i.today])}\n\nFirst answer (v1): ${i.v1.movement}. ${fence(i.v1.reason)}\n\nLessons from memory:\n${i.lessons.length ? i.lessons.map((l) => `- [${l.id}] (${l.layer}, ${l.date}) ${fence(l.text)}`).join("\n") : "(none)"}\n\n` +
    `Return {"critique": "...", "missed": ["..."], "overweighted": ["..."], "verdict": "keep" | "reconsider", "lessons_used": ["<lesson id>", ...]}.`,
});

export const criticPrompts = [criticPrompt];
