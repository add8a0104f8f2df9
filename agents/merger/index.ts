/** Merger (paper 3.1.2, fine step): a cluster of similar raw events -> its distinct events. */
import { z } from "zod";
import { type MergerInput, mergerPrompts } from "../../prompts/merger.ts";
import { findType } from "../../src/domain/taxonomy.ts";
import { medoid } from "../../src/memory/cluster.ts";
import type { AgentDef } from "../kit.ts";

export const MergerOutput = z.object({
  events: z
    .array(z.object({ type: z.string(), description: z.string().min(1), merged_ids: z.array(z.string()).min(1) }))
    .min(1),
});
export type MergerOutput = z.infer<typeof MergerOutput>;

export const merger: AgentDef<MergerInput, MergerOutput, "merger"> = {
  name: "merger",
  prompts: mergerPrompts,
  schema: MergerOutput,
  itemId: (i) => `${i.ticker} ${i.date} ${i.group} cluster ${i.events.map((e) => e.id).join(",")}`,
  check(input, out) {
    const want = input.events.map((e) => e.id).sort();
    const got = out.events.flatMap((e) => e.merged_ids).sort();
    if (want.join("|") !== got.join("|"))
      return `merged_ids must cover each raw event id exactly once (expected ${want.join(", ")}; got ${got.join(", ")})`;
    const bad = out.events.find((e) => !findType(input.group, e.type));
    return bad
      ? `"${bad.type}" is not a type of group "${input.group}" (allowed: ${input.allowedTypes.join("; ")})`
      : undefined;
  },
  async offline(input, env) {
    // The coarse step already grouped these events as near-duplicates: keep one event, described by
    // its most central report, with the most frequent type (taxonomy order breaks ties).
    const vectors = await env.embedder.embed(input.events.map((e) => e.description));
    const center =
      input.events[
        medoid(
          vectors,
          input.events.map((_, i) => i),
        )
      ]!;
    const counts = new Map<string, number>();
    for (const e of input.events) counts.set(e.type, (counts.get(e.type) ?? 0) + 1);
    const type = [...counts].sort(
      (a, b) => b[1] - a[1] || findType(input.group, a[0])!.id - findType(input.group, b[0])!.id,
    )[0]![0];
    return { events: [{ type, description: center.description, merged_ids: input.events.map((e) => e.id) }] };
  },
};
