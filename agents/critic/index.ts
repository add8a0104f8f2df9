/**
 * Critic (SEP-Memory self-reflection): critique explanation v1 with lessons from the reflection and long-term layers.
 */

import { z } from "zod";
import { type CriticInput, criticPrompts } from "../../prompts/critic.ts";
import type { Movement } from "../../src/domain/schemas.ts";
import { type AgentDef, unknownIds } from "../kit.ts";

export const CriticOutput = z.object({
  critique: z.string().min(1),
  missed: z.array(z.string()),
  overweighted: z.array(z.string()),
  verdict: z.enum(["keep", "reconsider"]),
  lessons_used: z.array(z.string()),
});
export type CriticOutput = z.infer<typeof CriticOutput>;

/** The direction a past error case predicted, from its text ("predicted up, but it moved down"). */
export function erredDirection(text: string): Movement | null {
  const m = /predicted (up|down), but it moved (up|down)/.exec(text);
  return m ? (m[1] as Movement) : null;
}

/** Past mistakes that repeat v1's direction must outnumber the opposite ones, at least twice, to reconsider. */
const MIN_REPEATS = 2;

export const critic: AgentDef<CriticInput, CriticOutput, "critic"> = {
  name: "critic",
  prompts: criticPrompts,
  schema: CriticOutput,
  itemId: (i) => `${i.ticker} ${i.date} critique`,
  check(input, out) {
    return unknownIds(
      "lessons_used",
      out.lessons_used,
      input.lessons.map((l) => l.id),
      "lesson ids",
    );
  },
  offline(input) {
    // The baseline's self-critique: similar past situations where the same call was wrong.
    const same = input.lessons.filter((l) => erredDirection(l.text) === input.v1.movement);
    const other = input.lessons.filter(
      (l) => erredDirection(l.text) !== null && erredDirection(l.text) !== input.v1.movement,
    );
    const reconsider = same.length >= MIN_REPEATS && same.length > other.length;
    return {
      critique: reconsider
        ? `v1 says ${input.v1.movement}, but in ${same.length} similar past situation(s) that same call was wrong (against ${other.length} the other way): ${same.map((l) => `${l.date}`).join(", ")}.`
        : `No repeated mistake found for a ${input.v1.movement} call (${same.length} similar error(s) that way, ${other.length} the other way): keep v1.`,
      missed: [],
      overweighted: reconsider ? ["the references that voted for v1"] : [],
      verdict: reconsider ? "reconsider" : "keep",
      lessons_used: same.map((l) => l.id),
    };
  },
};
