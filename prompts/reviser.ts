import { definePrompt, fence } from "./define.ts";
import type { Movement } from "../src/domain/schemas.ts";
import type { PredictorInput } from "./predictor.ts";
import { predictorPromptV12 } from "./predictor.ts";

export interface ReviserInput extends PredictorInput {
  v1: { movement: Movement; reason: string };
  critique: { text: string; verdict: "keep" | "reconsider"; missed: string[]; overweighted: string[] };
}

/** SEP-Memory self-reflection: the predictor's second pass (v2), given its first answer and the critique. */
export const reviserPrompt = definePrompt<ReviserInput>({
  id: "reviser",
  version: "1.0.1",
  system: `${predictorPromptV12.system}\nYou already gave a first answer and received a critique based on past mistakes. Write your final answer: keep the first one if the critique does not hold, change it if it does. Explain which.`,
  render: (i) =>
    predictorPromptV12
      .render(i)
      .replace(
        /\n\nReturn \{/,
        `\n\nYour first answer (v1): ${i.v1.movement}. ${fence(i.v1.reason)}\n\nCritique (${i.critique.verdict}): ${fence(i.critique.text)}\nMissed: ${fence(i.critique.missed.join("; ") || "-")}\nOverweighted: ${fence(i.critique.overweighted.join("; ") || "-")}\n\nReturn {`,
      ),
});

export const reviserPrompts = [reviserPrompt];
