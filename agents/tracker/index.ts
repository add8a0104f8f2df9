/**
 * Tracker (paper 3.1.3), in the three modes of `trackerMode` (graphs/steps/track.ts runs them).
 * "batch" (the default): `trackerBatch` answers the predecessor and delta info of several events of a
 * ticker-day in one call (each event with its own candidates; the earlier events listed once); offline,
 * event by event. "single": `tracker` answers both for one event, each candidate shown with its own
 * chain. "paper", the paper's two model steps: `trackerLink` picks today's event's direct predecessor
 * among the top-K similar events of [t-w, t-1]; `trackerDelta` writes the incremental information
 * against the chain the predecessor belongs to. Every mode's offline strategy is the two offline steps
 * composed, so offline results do not depend on the mode.
 */
import { z } from "zod";
import { type TrackerInput, trackerPrompts } from "../../prompts/tracker.ts";
import { type TrackerBatchInput, trackerBatchPrompts } from "../../prompts/tracker-batch.ts";
import { type TrackerDeltaInput, trackerDeltaPrompts } from "../../prompts/tracker-delta.ts";
import { type TrackerLinkInput, trackerLinkPrompts } from "../../prompts/tracker-link.ts";
import { DeltaInfo } from "../../src/domain/events.ts";
import { cosine, words } from "../../src/memory/embeddings.ts";
import { sentiment } from "../../src/models/offline/text.ts";
import type { AgentDef } from "../kit.ts";

/** The item a tracker call is about (named in its failure): today's event of a ticker-day. */
const eventItem = (i: { ticker: string; date: string; event: { description: string } }) =>
  `${i.ticker} ${i.date} event "${i.event.description.slice(0, 60)}"`;

export const LinkOutput = z.object({ predecessor_id: z.string().nullable(), why: z.string() });
export type LinkOutput = z.infer<typeof LinkOutput>;
export const DeltaOutput = z.object({ delta: z.string().min(1), direction: DeltaInfo.shape.direction });
export type DeltaOutput = z.infer<typeof DeltaOutput>;

export const trackerLink: AgentDef<TrackerLinkInput, LinkOutput, "tracker-link"> = {
  name: "tracker-link",
  prompts: trackerLinkPrompts,
  schema: LinkOutput,
  itemId: eventItem,
  check: (input, out) =>
    out.predecessor_id === null || input.candidates.some((c) => c.id === out.predecessor_id)
      ? undefined
      : `predecessor_id "${out.predecessor_id}" is not one of the candidate ids (${input.candidates.map((c) => c.id).join(", ")})`,
  offline(input, env) {
    // The most similar earlier event of the same type, if it clears the link threshold; more recent wins ties.
    const best = input.candidates
      .filter((c) => c.type === input.event.type && c.similarity >= env.ctx.linkThreshold)
      .sort((a, b) => b.similarity - a.similarity || b.date.localeCompare(a.date) || a.id.localeCompare(b.id))[0];
    return best
      ? {
          predecessor_id: best.id,
          why: `same type (${best.type}), similarity ${best.similarity.toFixed(2)} >= ${env.ctx.linkThreshold}`,
        }
      : {
          predecessor_id: null,
          why: `no earlier event of type ${input.event.type} with similarity >= ${env.ctx.linkThreshold}`,
        };
  },
};

const STOP = new Set(
  "the a an of to in on for and or is are was were be by with at from as it its this that rt via amp".split(" "),
);

export const trackerDelta: AgentDef<TrackerDeltaInput, DeltaOutput, "tracker-delta"> = {
  name: "tracker-delta",
  prompts: trackerDeltaPrompts,
  schema: DeltaOutput,
  itemId: eventItem,
  async offline(input, env) {
    // Novelty: terms and similarity against the chain; direction: change of lexicon tone against
    // the latest stage (or against neutral for a new story), outside a neutral band.
    const tone = sentiment(input.event.description);
    const last = input.chain.at(-1);
    const before = last ? sentiment(last.description) : 0;
    const change = tone - before;
    const band = env.ctx.deltaNeutralBand;
    const direction = change > band ? "more_positive" : change < -band ? "more_negative" : "neutral";
    const seen = new Set(input.chain.flatMap((c) => words(c.description)));
    const fresh = [...new Set(words(input.event.description))]
      .filter((w) => !seen.has(w) && !STOP.has(w) && w.length > 2)
      .slice(0, 6);
    let novelty = 1;
    if (last) {
      const [a, b] = await env.embedder.embed([input.event.description, last.description]);
      novelty = 1 - cosine(a!, b!);
    }
    const head = last ? `Continues a ${input.chain.length}-stage story (last ${last.date})` : "New story";
    return {
      delta: `${head}; novelty ${novelty.toFixed(2)}; new terms: ${fresh.join(", ") || "none"}; tone ${tone.toFixed(2)} vs ${before.toFixed(2)} before.`,
      direction,
    };
  },
};

export const TrackerOutput = LinkOutput.extend(DeltaOutput.shape);
export type TrackerOutput = z.infer<typeof TrackerOutput>;

export const tracker: AgentDef<TrackerInput, TrackerOutput, "tracker"> = {
  name: "tracker",
  prompts: trackerPrompts,
  schema: TrackerOutput,
  itemId: eventItem,
  check: (input, out) => trackerLink.check!(input, out),
  async offline(input, env) {
    const link = await trackerLink.offline(input, env);
    const pred = input.candidates.find((c) => c.id === link.predecessor_id);
    const chain = pred ? [...pred.chain, { date: pred.date, description: pred.description }] : [];
    const delta = await trackerDelta.offline(
      { ticker: input.ticker, date: input.date, event: input.event, chain },
      env,
    );
    return { ...link, ...delta };
  },
};

export const TrackerBatchOutput = z.object({ events: z.array(TrackerOutput.extend({ key: z.string() })) });
export type TrackerBatchOutput = z.infer<typeof TrackerBatchOutput>;

export const trackerBatch: AgentDef<TrackerBatchInput, TrackerBatchOutput, "tracker-batch"> = {
  name: "tracker-batch",
  prompts: trackerBatchPrompts,
  schema: TrackerBatchOutput,
  itemId: (i) => `${i.ticker} ${i.date} events ${i.events.map((e) => e.key).join(", ")}`,
  check(input, out) {
    const keys = out.events.map((e) => e.key);
    const want = input.events.map((e) => e.key);
    const missing = want.filter((k) => !keys.includes(k));
    const extra = keys.filter((k, i) => !want.includes(k) || keys.indexOf(k) !== i);
    if (missing.length || extra.length)
      return `answer every key exactly once (missing: ${missing.join(", ") || "none"}; unknown or repeated: ${extra.join(", ") || "none"})`;
    for (const e of out.events) {
      const own = input.events.find((x) => x.key === e.key)!.candidates;
      if (e.predecessor_id !== null && !own.some((c) => c.id === e.predecessor_id)) {
        return `event ${e.key}: predecessor_id "${e.predecessor_id}" is not one of its candidate ids (${own.map((c) => c.id).join(", ") || "none"})`;
      }
    }
    return undefined;
  },
  async offline(input, env) {
    const byId = new Map(input.earlier.map((c) => [c.id, c]));
    const events: TrackerBatchOutput["events"] = [];
    for (const e of input.events) {
      const candidates = e.candidates.map((c) => ({ ...byId.get(c.id)!, similarity: c.similarity }));
      const one = await tracker.offline(
        {
          ticker: input.ticker,
          date: input.date,
          event: { group: e.group, type: e.type, description: e.description },
          candidates,
        },
        env,
      );
      events.push({ key: e.key, ...one });
    }
    return { events };
  },
};
