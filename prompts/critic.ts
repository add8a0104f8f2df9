import { z } from "zod";
import { SeriesDay } from "../src/domain/events.ts";
import { Movement } from "../src/domain/schemas.ts";
import { MemoryNote } from "../src/domain/series.ts";
import { definePrompt, fence, UNTRUSTED_RULE } from "./define.ts";
import { seriesText } from "./series.ts";

/** What the critic reads: today's events, the first answer, and lessons recalled from memory. */
export const CriticInput = z.object({
  ticker: z.string(),
  date: z.string(),
  today: SeriesDay,
  v1: z.object({ movement: Movement, reason: z.string() }),
  /** lessons recalled from the reflection (past mistakes) and long-term layers */
  lessons: z.array(MemoryNote),
});
export type CriticInput = z.infer<typeof CriticInput>;

/** SEP-Memory self-reflection: critique explanation v1 with the memory of past mistakes and patterns. */
const criticPrompt = definePrompt<CriticInput>({
  id: "critic",
  version: "1.0.1",
  system: `You review a stock prediction before it is final. Compare its reasoning with lessons from memory: past mistakes in similar situations and consolidated patterns that held. Point out events it missed, noise it overweighted, and any past mistake it repeats. Say whether the prediction should be kept or reconsidered.
${UNTRUSTED_RULE}`,
  render: (i) =>
    `Company: ${i.ticker}. Today: ${i.date}.\nToday's events:\n${seriesText([i.today])}\n\nFirst answer (v1): ${i.v1.movement}. ${fence(i.v1.reason)}\n\nLessons from memory:\n${i.lessons.length ? i.lessons.map((l) => `- [${l.id}] (${l.layer}, ${l.date}) ${fence(l.text)}`).join("\n") : "(none)"}\n\n` +
    `Return {"critique": "...", "missed": ["..."], "overweighted": ["..."], "verdict": "keep" | "reconsider", "lessons_used": ["<lesson id>", ...]}.`,
});

export const criticPrompts = [criticPrompt];
