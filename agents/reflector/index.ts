/** Reflector (paper 3.2): the window's events + the REAL next-day move -> the reason and the key events. */
import { z } from "zod";
import { type ReflectorInput, reflectorPrompts } from "../../prompts/reflector.ts";
import type { SeriesEvent } from "../../src/domain/events.ts";
import { sentiment } from "../../src/models/offline/text.ts";
import type { AgentDef } from "../kit.ts";

export const ReflectorOutput = z.object({ reason: z.string().min(1), key_events: z.array(z.string()) });
export type ReflectorOutput = z.infer<typeof ReflectorOutput>;

/** +1 / -1 / 0: the delta direction when there is one, else the lexicon tone of the description. */
export function eventSign(e: SeriesEvent): number {
  if (e.delta?.direction === "more_positive") return 1;
  if (e.delta?.direction === "more_negative") return -1;
  return Math.sign(sentiment(e.description));
}

const MAX_KEY_EVENTS = 3;

export const reflector: AgentDef<ReflectorInput, ReflectorOutput, "reflector"> = {
  name: "reflector",
  prompts: reflectorPrompts,
  schema: ReflectorOutput,
  itemId: (i) => `${i.ticker} ${i.date} reflection`,
  offline(input) {
    // Key events: those whose sign agrees with the real move, most recent first; the reason is a
    // template over them and over the events that pointed the other way.
    const want = input.movement === "up" ? 1 : -1;
    const all = input.series.flatMap((d) => d.events.map((e) => ({ date: d.date, e, sign: eventSign(e) }))).reverse();
    const agree = all.filter((x) => x.sign === want).slice(0, MAX_KEY_EVENTS);
    const against = all.filter((x) => x.sign === -want);
    const cite = (x: { date: string; e: SeriesEvent }) => `${x.date} ${x.e.type}: ${x.e.description.slice(0, 120)}`;
    const move = `${input.ticker} moved ${input.movement} ${Math.abs(input.changePct).toFixed(2)} % from ${input.date} to ${input.nextDate}.`;
    const reason = agree.length
      ? `${move} Events in the window pointing the same way: ${agree.map(cite).join(" | ")}. ${against.length} event(s) pointed the other way.`
      : `${move} No event in the window pointed this way (${all.length} event(s) in total); the move is not explained by the news.`;
    return { reason, key_events: agree.map(cite) };
  },
};
