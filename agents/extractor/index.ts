/** Extractor (paper 3.1.1): a batch of news items -> structured events citing their items. */
import { z } from "zod";
import { type ExtractorInput, extractorPrompts } from "../../prompts/extractor.ts";
import { ExtractedEvent } from "../../src/domain/events.ts";
import { FILING_ITEM_TYPES, filingItemCodes } from "../../src/domain/filing-items.ts";
import { findType } from "../../src/domain/taxonomy.ts";
import { matchTypes } from "../../src/models/offline/lexicon.ts";
import { cleanText, companiesIn, INDUSTRY, isAbout, sentiment } from "../../src/models/offline/text.ts";
import { type AgentDef, unknownIds } from "../kit.ts";

export const ExtractorOutput = z.object({ events: z.array(ExtractedEvent) });
export type ExtractorOutput = z.infer<typeof ExtractorOutput>;

const MIN_TEXT_CHARS = 12;

export const extractor: AgentDef<ExtractorInput, ExtractorOutput, "extractor"> = {
  name: "extractor",
  prompts: extractorPrompts,
  schema: ExtractorOutput,
  itemId: (i) => `${i.ticker} ${i.date} items ${i.items.map((n) => n.source ?? n.id).join(",")}`,
  check(input, out) {
    const ids = input.items.map((n) => n.id);
    for (const [k, e] of out.events.entries()) {
      if (!findType(e.group, e.type)) return `events.${k}: "${e.type}" is not a type of group "${e.group}"`;
      const unknown = unknownIds(`events.${k}: source_ids`, e.source_ids, ids, "ids of the given news items");
      if (unknown) return unknown;
      if ((input.scope ?? "document") === "document" && e.source_ids.length !== 1)
        return `events.${k}: cites ${e.source_ids.length} items; extract each item's events on their own, one source id per event`;
    }
    return undefined;
  },
  offline(input, env) {
    const events: ExtractedEvent[] = [];
    for (const item of input.items) {
      const text = cleanText(item.text);
      if (text.length < MIN_TEXT_CHARS) continue;
      const codes = filingItemCodes(item.text);
      // events of this company only (the prompt's relevance rule): another company's news, or a list of many, is not;
      // a filing is its issuer's by definition
      if (codes.length === 0 && !env.rehearsal && !isAbout(input.ticker, text)) continue;
      const companies = companiesIn(text);
      const tone = sentiment(text);
      // a filing names its events by item code (src/domain/filing-items.ts); other text goes by the lexicon's cues
      const filed = codes.flatMap((code) => {
        const m = FILING_ITEM_TYPES[code];
        const type = m && typeof m === "object" ? findType(m.group, m.type) : undefined;
        return type ? [{ type, cue: `Item ${code}` }] : [];
      });
      const byContent = codes.some((c) => FILING_ITEM_TYPES[c] === "by content");
      // a filing reports one event per item code, each named by its code; any other item is one event, of its most
      // specific cue (two types of one tweet were two events with one text)
      const matches = filed.length && !byContent ? filed : [...filed, ...matchTypes(text).slice(0, 1)];
      for (const m of matches) {
        events.push({
          group: m.type.group,
          type: m.type.name,
          time: item.published_at,
          location: "",
          entities: companies.length ? companies : [input.ticker],
          industries: INDUSTRY[input.ticker] ? [INDUSTRY[input.ticker]!] : [],
          companies: companies.length ? companies : [input.ticker],
          attributes: { cue: m.cue, sentiment: tone.toFixed(2) },
          description: `${matches.length > 1 ? `${m.cue}: ` : ""}${text.length > 240 ? `${text.slice(0, 237)}...` : text}`,
          source_ids: [item.id],
        });
      }
    }
    return { events: input.scope === "cross-item" ? acrossItems(events) : events };
  },
};

/**
 * The cross-item contract offline: reports of the same type with the same text (retweets, syndicated
 * headlines) become one event citing all their items, in first-seen order.
 */
export function acrossItems(events: readonly ExtractedEvent[]): ExtractedEvent[] {
  const byKey = new Map<string, ExtractedEvent>();
  for (const e of events) {
    const key = `${e.group}\u0000${e.type}\u0000${e.description
      .toLowerCase()
      .replace(/^rt\b/, "")
      .replace(/[^a-z0-9$%.]+/g, " ")
      .trim()}`;
    const seen = byKey.get(key);
    if (seen) seen.source_ids = [...new Set([...seen.source_ids, ...e.source_ids])];
    else byKey.set(key, { ...e, source_ids: [...e.source_ids] });
  }
  return [...byKey.values()];
}
