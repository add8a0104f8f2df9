/** Reviser (SEP-Memory self-reflection): the predictor's second pass, v2, after the critique of v1. */
import { type ReviserInput, reviserPrompts } from "../../prompts/reviser.ts";
import type { AgentDef } from "../kit.ts";
import { PredictorOutput, predictor } from "../predictor/index.ts";

export const reviser: AgentDef<ReviserInput, PredictorOutput, "reviser"> = {
  name: "reviser",
  prompts: reviserPrompts,
  schema: PredictorOutput,
  itemId: (i) => `${i.ticker} ${i.date} revised prediction`,
  check: (input, out) => predictor.check!(input, out),
  offline(input) {
    if (input.critique.verdict === "keep")
      return {
        reason: `${input.v1.reason} Kept after self-critique: ${input.critique.text}`,
        movement: input.v1.movement,
        cited: input.references.map((r) => r.id).concat((input.memories ?? []).map((m) => m.id)),
      };
    const flipped = input.v1.movement === "up" ? "down" : "up";
    return {
      reason: `Revised from ${input.v1.movement} to ${flipped} after self-critique: ${input.critique.text}`,
      movement: flipped,
      cited: (input.memories ?? []).map((m) => m.id),
    };
  },
};
