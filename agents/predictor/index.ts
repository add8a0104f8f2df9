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
      reason: `Offline analyst (baseline, not an LLM): ${[todayText(input), referencesText(input), why].filter(Boolean).join(" ")}${mem}`,
      movement: v.movement,
      cited: [...input.references.map((r) => r.id), ...memories.map((m) => m.id)],
    };
  },
};

/** Today's events a reason names, and the references' key events: a few each, so a reason stays a paragraph. */
const NAMED = 3;
const clip = (t: string, n: number) => (t.length > n ? `${t.slice(0, n - 1).trimEnd()}…` : t);

/** What today brought: its most reported events (by report count, then those with directional news), with what is new. */
function todayText(input: PredictorInput): string {
  const events = input.today.events;
  if (events.length === 0) return "Today brought no event of this company.";
  const directional = (e: (typeof events)[number]) => (e.delta && e.delta.direction !== "neutral" ? 1 : 0);
  const top = [...events]
    .sort((a, b) => (b.reports ?? 1) - (a.reports ?? 1) || directional(b) - directional(a))
    .slice(0, NAMED)
    .map((e) => {
      const n = e.reports ?? 1;
      const delta =
        e.delta && e.delta.direction !== "neutral"
          ? `; ${e.delta.direction.replace("_", " ")}: ${clip(e.delta.text, 80)}`
          : "";
      return `${e.type} "${clip(e.description, 90)}" (${n} report${n === 1 ? "" : "s"}${delta})`;
    });
  const more = events.length > top.length ? ` and ${events.length - top.length} more` : "";
  return `Today brought ${events.length} event(s): ${top.join("; ")}${more}.`;
}

/** The kept references: each case's move and the key events its reflection named. */
function referencesText(input: PredictorInput): string {
  if (input.references.length === 0) return "";
  const named = input.references.slice(0, NAMED).map((r) => {
    const keys = r.key_events.slice(0, 2).map((k) => clip(k, 60));
    return `${r.ticker} ${r.date} (${r.label}${keys.length ? `: ${keys.join("; ")}` : ""})`;
  });
  const more = input.references.length > named.length ? ` and ${input.references.length - named.length} more` : "";
  return `Comparable cases: ${named.join(", ")}${more}.`;
}
