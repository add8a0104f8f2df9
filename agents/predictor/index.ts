/** Predictor (paper 3.4): series + today's delta info + kept references -> {reason, movement, cited}. */
import { z } from "zod";
import { type PredictorInput, predictorPrompts } from "../../prompts/predictor.ts";
import { Movement } from "../../src/domain/schemas.ts";
import { type AgentDef, unknownIds } from "../kit.ts";
import { eventSign } from "../reflector/index.ts";

export const PredictorOutput = z.object({ reason: z.string().min(1), movement: Movement, cited: z.array(z.string()) });
export type PredictorOutput = z.infer<typeof PredictorOutput>;

/**
 * The offline vote: each kept reference votes its realised move, weighted by its similarity; a tie
 * (or no reference) is broken by the sign of today's incremental information; with nothing at all
 * the answer is "up", the long-run drift of equities. Pure, so it is unit-testable.
 */
export function offlineVote(input: PredictorInput): {
  movement: Movement;
  score: number;
  tone: number;
  basis: "references" | "delta" | "prior";
} {
  const score = input.references.reduce((s, r) => s + (r.label === "up" ? r.similarity : -r.similarity), 0);
  const tone = input.today.events.reduce((s, e) => s + eventSign(e), 0);
  if (Math.abs(score) > 1e-9) return { movement: score > 0 ? "up" : "down", score, tone, basis: "references" };
  if (tone !== 0) return { movement: tone > 0 ? "up" : "down", score, tone, basis: "delta" };
  return { movement: "up", score, tone, basis: "prior" };
}

export const predictor: AgentDef<PredictorInput, PredictorOutput, "predictor"> = {
  name: "predictor",
  prompts: predictorPrompts,
  schema: PredictorOutput,
  itemId: (i) => `${i.ticker} ${i.date} prediction`,
  check(input, out) {
    return unknownIds(
      "cited ids",
      out.cited,
      [...input.references.map((r) => r.id), ...(input.memories ?? []).map((m) => m.id)],
      "reference ids",
    );
  },
  offline(input) {
    const v = offlineVote(input);
    const up = input.references.filter((r) => r.label === "up");
    const down = input.references.filter((r) => r.label === "down");
    const why =
      v.basis === "references"
        ? `${input.references.length} comparable past case(s) vote ${v.movement} (similarity-weighted score ${v.score.toFixed(2)}: ${up.length} up, ${down.length} down).`
        : v.basis === "delta"
          ? `The references do not decide (score ${v.score.toFixed(2)}); today's incremental information leans ${v.tone > 0 ? "positive" : "negative"} (${v.tone > 0 ? "+" : ""}${v.tone}).`
          : "No comparable case and no directional news today: defaulting to up, the long-run drift.";
    const memories = input.memories ?? [];
    const mem = memories.length ? ` Recalled ${memories.length} memory record(s) (not weighed by the baseline).` : "";
    return {
      reason: `Offline analyst (baseline, not an LLM): ${why}${mem}`,
      movement: v.movement,
      cited: [...input.references.map((r) => r.id), ...memories.map((m) => m.id)],
    };
  },
};
