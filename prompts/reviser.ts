import { z } from "zod";
import { Movement } from "../src/domain/schemas.ts";
import { definePrompt, fence } from "./define.ts";
import { PredictorInput, predictorPromptV12 } from "./predictor.ts";

/** What the reviser reads: the predictor's input, its first answer and the critique of it. */
export const ReviserInput = PredictorInput.extend({
  v1: z.object({ movement: Movement, reason: z.string() }),
  critique: z.object({
    text: z.string(),
    verdict: z.enum(["keep", "reconsider"]),
    missed: z.array(z.string()),
    overweighted: z.array(z.string()),
  }),
});
export type ReviserInput = z.infer<typeof ReviserInput>;

/** SEP-Memory self-reflection: the predictor's second pass (v2), given its first answer and the critique. */
const reviserPrompt = definePrompt<ReviserInput>({
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
