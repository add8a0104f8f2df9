import { z } from "zod";
import { TAXONOMY } from "../src/domain/taxonomy.ts";
import { definePrompt, newsBlock, UNTRUSTED_RULE } from "./define.ts";
import { EXTRACTION_RULES, filingItemRule, taxonomyGuide, WORKED_EXAMPLES } from "./taxonomy-guide.ts";

const ExtractScope = z.enum(["document", "cross-item"]);
type ExtractScope = z.infer<typeof ExtractScope>;

/** What the extractor reads: one batch of a ticker-day's news items. */
export const ExtractorInput = z.object({
  ticker: z.string(),
  date: z.string(),
  /** `id` is what the model sees (an alias in the pipeline); `source`, the item's own id, names it in errors */
  items: z.array(
    z.object({ id: z.string(), source: z.string().optional(), published_at: z.string(), text: z.string() }),
  ),
  /**
   * "document" (default, the paper's protocol): each item's events are extracted and cited on their own,
   * the merger consolidates duplicates afterwards; "cross-item": an event reported by several items is
   * extracted once, citing all of them (the ablation).
   */
  scope: ExtractScope.optional(),
});
export type ExtractorInput = z.infer<typeof ExtractorInput>;

const taxonomyText = TAXONOMY.map(([g, types]) => `- ${g}: ${types.join("; ")}`).join("\n");

/** Paper 3.1.1: news -> structured events in the 13-group / 57-type taxonomy. */
export const extractorPrompt = definePrompt<ExtractorInput>({
  id: "extractor",
  version: "1.0.1",
  system: `You are a financial event extraction analyst. From news and social posts about a listed company, you extract the distinct real-world events they report, in a fixed taxonomy.

Event taxonomy (group: types):
${taxonomyText}

For every event give: group and type (exactly as in the taxonomy; the type must belong to the group), time (as stated or inferred), location (empty string if unknown), entities (participating people, organisations, products), industries, companies (tickers or names), attributes (an object of extra facts such as amounts, percentages, product names, as strings), a one-sentence factual description, and source_ids: the ids of the news items that report it.
Skip items that report no event (spam, pure chart talk without facts, advertisements). Several items may report the same event: extract it once and cite all of them.
${UNTRUSTED_RULE}`,
  render: (i) =>
    `Company: ${i.ticker}. Trading day: ${i.date}.\n\n${i.items.map((n) => newsBlock(n.id, n.published_at, n.text)).join("\n\n")}\n\n` +
    `Return {"events": [{"group": ..., "type": ..., "time": ..., "location": ..., "entities": [...], "industries": [...], "companies": [...], "attributes": {...}, "description": ..., "source_ids": [...]}]} (an empty list if there is no event).`,
});

const SCOPE_RULE: Record<ExtractScope, string> = {
  document:
    "Extract the events of each news item on its own: every event cites exactly one item in source_ids. When several items report the same event, extract it once per item; duplicates are merged in a later step.",
  "cross-item": "Several items may report the same event: extract it once and cite all of them in source_ids.",
};

/**
 * 1.1.0: every type with a one-line definition, the rules that separate near-duplicate types, the
 * relevance rule (events of this company only), two worked examples, and per-document citation by default.
 */
export const extractorPromptV11 = definePrompt<ExtractorInput>({
  id: "extractor",
  version: "1.1.0",
  system: `You are a financial event extraction analyst. From news and social posts about a listed company, you extract the distinct real-world events they report, in a fixed taxonomy of 13 groups and 57 types.

Event taxonomy (group, then each type with what it covers):
${taxonomyGuide()}

Rules:
${EXTRACTION_RULES.map((r) => `- ${r}`).join("\n")}

For every event give: group and type (exactly as in the taxonomy; the type must belong to the group), time (as stated or inferred; empty string if unknown), location (empty string if unknown), entities (participating people, organisations, products), industries, companies (tickers or names), attributes (an object of the facts that make the event specific, as strings: amounts, percentages, counterparties, products, ratings), a one-sentence factual description that names the company, and source_ids: the ids of the news items that report it.

${WORKED_EXAMPLES}
${UNTRUSTED_RULE}`,
  render: (i) =>
    `Company: ${i.ticker}. Trading day: ${i.date}.\n${SCOPE_RULE[i.scope ?? "document"]}\n\n${i.items.map((n) => newsBlock(n.id, n.published_at, n.text)).join("\n\n")}\n\n` +
    `Return {"events": [{"group": ..., "type": ..., "time": ..., "location": ..., "entities": [...], "industries": [...], "companies": [...], "attributes": {...}, "description": ..., "source_ids": [...]}]} (an empty list if there is no event).`,
});

/** 1.2.0: 1.1.0 with the rule that reads an SEC filing's item codes as taxonomy types (the sec-edgar source). */
const extractorPromptV12 = definePrompt<ExtractorInput>({
  ...extractorPromptV11,
  version: "1.2.0",
  system: extractorPromptV11.system.replace(
    "\n\nFor every event give:",
    `\n- ${filingItemRule()}\n\nFor every event give:`,
  ),
});

/** Every version of this prompt, oldest first (the last is the default). */
export const extractorPrompts = [extractorPrompt, extractorPromptV11, extractorPromptV12];
