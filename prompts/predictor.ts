import { z } from "zod";
import { SeriesDay } from "../src/domain/events.ts";
import { MemoryNote, Reference } from "../src/domain/series.ts";
import { definePrompt, fence, UNTRUSTED_RULE } from "./define.ts";
import { seriesText, windowText } from "./series.ts";

/** What the predictor reads: the series, today's delta info, the kept references and recalled memories. */
export const PredictorInput = z.object({
  ticker: z.string(),
  date: z.string(),
  series: z.array(SeriesDay),
  /** today's events with their incremental information */
  today: SeriesDay,
  references: z.array(Reference),
  /** SEP-Memory records recalled for today (layered memory on), best first */
  memories: z.array(MemoryNote).optional(),
});
export type PredictorInput = z.infer<typeof PredictorInput>;

/** A section of a predictor prompt's user message ("" leaves it out). */
type Section = (i: PredictorInput) => string;
const joinSections = (i: PredictorInput, parts: readonly Section[]) =>
  parts
    .map((part) => part(i))
    .filter(Boolean)
    .join("\n\n");

/** The memory records of the layered memory (SEP-Memory), citable like references; absent without them. */
const memoriesSection: Section = (i) =>
  i.memories?.length
    ? `Memory records (daily notes, past explanations, past mistakes, patterns; cite their ids if you use them):\n${i.memories.map((m) => `- [${m.id}] (${m.layer}, ${m.date}) ${fence(m.text)}`).join("\n")}`
    : "";

/**
 * The user message of versions 1.0 to 1.2: series, today's delta info, references with their reflection and key events.
 */
const v1Sections: readonly Section[] = [
  (i) => `Company: ${i.ticker}. Today: ${i.date}.`,
  (i) => `Recent event series:\n${seriesText(i.series, false)}`,
  (i) => `Today's incremental information:\n${seriesText([i.today])}`,
  (i) =>
    `Reference cases:\n${i.references.length ? i.references.map((r) => `- [${r.id}] ${r.ticker} ${r.date}: moved ${r.label}. ${fence(r.reason)} Key events: ${fence(r.key_events.join("; "))}`).join("\n") : "(none)"}`,
  () => `Return {"reason": "...", "movement": "up" | "down", "cited": ["<reference id>", ...]}.`,
];

/** Paper 3.4 (test prompt): recent series + today's delta info + reference reflections -> {reason, movement}. */
export const predictorPrompt = definePrompt<PredictorInput>({
  id: "predictor",
  version: "1.0.1",
  system: `You are a financial analyst predicting whether a stock will close up or down on the next trading day. Use the recent event series, today's incremental information (what is genuinely new against expectations), and the reflections of comparable past cases (how similar news moved prices before). Reason step by step, weigh new information over repeated news, and cite the ids of the reference cases you relied on. You must choose up or down.
${UNTRUSTED_RULE}`,
  render: (i) => joinSections(i, v1Sections),
});

/**
 * 1.1.1: the same inputs, but the model must first separate what is genuinely new today from what
 * was expected, then weigh each reference by its similarity, before choosing the direction.
 */
export const predictorPromptV11 = definePrompt<PredictorInput>({
  ...predictorPrompt,
  version: "1.1.1",
  system: `You are a financial analyst predicting whether a stock will close up or down on the next trading day.
Work in three steps. (1) From today's incremental information, list what is genuinely new against what the recent event series led the market to expect, and whether it is better or worse than expected. (2) For each reference case, note how similar its situation is (its similarity score and its driving events) and how the stock moved; give more weight to more similar cases and ignore cases that only share generic event types. (3) Combine both into the more likely direction. Cite the ids of the reference cases you relied on. You must choose up or down.
${UNTRUSTED_RULE}`,
});

/**
 * 1.2.1: 1.1.1 plus the layered memory's records (SEP-Memory), which may be cited like references.
 * Without memories (layered memory off) it renders exactly as 1.1.1.
 */
export const predictorPromptV12 = definePrompt<PredictorInput>({
  ...predictorPromptV11,
  version: "1.2.1",
  render: (i) => joinSections(i, [...v1Sections.slice(0, -1), memoriesSection, v1Sections.at(-1)!]),
});

/** Words the 1.3.0 reason may use (the paper asks for a bounded analysis, not an essay). */
const REASON_WORDS = 150;

/** 1.3.0's user message, section by section. */
const sections = {
  series: (i: PredictorInput) =>
    `Recent event series (with each event's details):\n${seriesText(i.series, false, true)}`,
  today: (i: PredictorInput) =>
    `Today's incremental information (what each of today's events adds to its story, and against which expectation):\n${seriesText([i.today], true, true)}`,
  references: (i: PredictorInput) =>
    `Reference cases (past windows judged comparable; similarity is their event-sequence SeqSim, 0 to 1):\n` +
    (i.references.length
      ? i.references
          .map(
            (r) =>
              `- [${r.id}] ${r.ticker}, window ending ${r.date} (similarity ${r.similarity.toFixed(2)}); next day it moved ${r.label}.\n  its window:\n${windowText(r.series)}\n  reflection: ${fence(r.reason)}`,
          )
          .join("\n")
      : "(none)"),
  memories: memoriesSection,
  answer: () =>
    `Return {"reason": "<at most ${REASON_WORDS} words>", "movement": "up" | "down", "cited": ["<reference or memory id>", ...]}.`,
} satisfies Record<string, Section>;

/**
 * 1.3.0, per the paper's prediction step: each kept reference shows its own window series, its
 * similarity and its reflection; today's events show their details (amounts, counterparties); the
 * system message frames prices as reacting to the deviation from what was expected, and bounds the reason.
 */
export const predictorPromptV13 = definePrompt<PredictorInput>({
  id: "predictor",
  version: "1.3.0",
  system: `You are a financial analyst predicting whether a stock will close up or down on the next trading day. Prices react to the deviation of news from what the market already expected, not to the news itself: an event that was anticipated is largely priced in, while a surprise in either direction moves the price.
Work in three steps. (1) From today's incremental information, say what is genuinely new against the expectations set by the recent event series, and whether it is better or worse than expected. (2) Compare the current series with each reference case's window: how closely its events and their surprises match (its similarity and its events), and how its stock moved and why (its reflection); weigh closer cases more and ignore cases that only share generic event types. (3) Combine both into the more likely direction. Cite the ids of the reference cases (and memory records) you relied on. You must choose up or down. Keep the reason under ${REASON_WORDS} words.
${UNTRUSTED_RULE}`,
  render: (i) =>
    joinSections(i, [
      (x) => `Company: ${x.ticker}. Today: ${x.date}.`,
      sections.series,
      sections.today,
      sections.references,
      sections.memories,
      sections.answer,
    ]),
});

/**
 * Every version of this prompt, oldest first (the last is the default). Patch .1 of each: news-derived text fenced, the
 * untrusted rule added.
 */
export const predictorPrompts = [predictorPrompt, predictorPromptV11, predictorPromptV12, predictorPromptV13];
