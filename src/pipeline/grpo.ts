/**
 * GRPO-style group sampling (SEP-Memory, training window). Once a training day's outcome is known,
 * the predictor samples G candidates for that day (reading only what was known at its close), each
 * candidate is rewarded (direction +/-1, plus a format term), advantages are group-relative, the best
 * explanation goes to long-term memory (if right) and the wrong ones to the reflection layer. Every
 * group is appended to grpo.jsonl for `stockmem export grpo`.
 */
import { appendFileSync } from "node:fs";
import { join } from "node:path";
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { modelIdFor, promptFor, runAgent } from "../../agents/kit.ts";
import { predictor } from "../../agents/predictor/index.ts";
import { graph as predictGraph } from "../../graphs/predict.ts";
import type { PredictorInput } from "../../prompts/predictor.ts";
import { JSON_RULE } from "../../prompts/define.ts";
import { seriesOf } from "../data/day-context.ts";
import { candidateReward, groupAdvantages } from "../memory/layers.ts";
import { layerRecordId } from "../memory/records.ts";
import { isOffline } from "../models/provider.ts";
import { ModelOutputError } from "../models/structured.ts";
import { scrub } from "../observability/secrets.ts";
import { agentRuntime, type Resources } from "./resources.ts";

export interface GroupRecord {
  ticker: string;
  date: string;
  label: "up" | "down";
  /** the predictor's prompt, as chat messages (TRL's conversational "prompt" format) */
  prompt: { role: "system" | "user"; content: string }[];
  completions: string[];
  movements: ("up" | "down" | null)[];
  rewards: number[];
  advantages: number[];
  model: string;
  prompt_version: string;
}

/** The group size actually used: the offline analyst is deterministic, so its groups have one candidate. */
export function effectiveGroupSize(r: Resources): number {
  return isOffline(modelIdFor(r.ctx, "predictor")) ? 1 : r.ctx.groupSize;
}

export async function groupStep(r: Resources, ticker: string, date: string, knownAt: string, grpoFile: string, config?: LangGraphRunnableConfig): Promise<GroupRecord | null> {
  const s = seriesOf(r.data, ticker);
  const i = s.calendar.indexOf(date)!;
  const label = s.days[i]!.label;
  const next = s.days[i + 1];
  if (!next || Date.parse(knownAt) < Date.parse(next.close_at)) throw new Error(`group rewards of ${ticker} ${date} need its outcome, known at ${next?.close_at ?? "never"}`);
  if (label !== "up" && label !== "down") return null;
  // The inputs the predictor saw at the day's close (candidate 0 is the pipeline's own prediction).
  const state = await predictGraph.invoke({ ticker, date }, { context: r.ctx as never, callbacks: config?.callbacks });
  const s0 = state.series ?? [];
  const input: PredictorInput = { ticker, date, series: s0, today: s0.at(-1) ?? { date, events: [] }, references: state.kept ?? [], memories: state.memories ?? [] };
  const G = effectiveGroupSize(r);
  const candidates: { movement: "up" | "down" | null; reason: string; formatOk: boolean }[] = [{ movement: state.prediction!.movement, reason: state.prediction!.reason, formatOk: true }];
  for (let k = 1; k < G; k++) {
    try {
      const out = await runAgent(predictor, input, { ...agentRuntime(r, config, { ticker, date, asOf: state.asOf }), temperature: r.ctx.groupTemperature, sample: k });
      candidates.push({ movement: out.movement, reason: out.reason, formatOk: true });
    } catch (e) {
      if (!(e instanceof ModelOutputError)) throw e;
      candidates.push({ movement: null, reason: e.lastError, formatOk: false }); // a format failure is a reward, not a crash
    }
  }
  const rewards = candidates.map((c) => candidateReward(c.movement === label, c.formatOk));
  const advantages = groupAdvantages(rewards);
  const prompt = promptFor(predictor, r.ctx);
  const record: GroupRecord = {
    ticker, date, label,
    prompt: [{ role: "system", content: `${prompt.system}\n\n${JSON_RULE}` }, { role: "user", content: prompt.render(input) }],
    completions: candidates.map((c) => JSON.stringify({ reason: c.reason, movement: c.movement })),
    movements: candidates.map((c) => c.movement), rewards, advantages, model: modelIdFor(r.ctx, "predictor"), prompt_version: prompt.version,
  };
  appendFileSync(grpoFile, scrub(JSON.stringify(record)) + "\n");

  // memory: the best explanation (if right) as a long-term pattern, the wrong ones as error cases
  const best = advantages.indexOf(Math.max(...advantages));
  const writes = [];
  if (candidates[best]!.movement === label) {
    const text = `${ticker} ${date}: ${label} was called right with: ${candidates[best]!.reason}`;
    writes.push({ id: layerRecordId(ticker, date, "pattern", text), ticker, date, kind: "pattern" as const, layer: "long" as const, text, importance: 0.8, access_count: 0, layer_since: date, available_at: knownAt });
  }
  for (const c of candidates.filter((x) => x.movement !== null && x.movement !== label)) {
    const text = `${ticker} ${date}: predicted ${c.movement}, but it moved ${label}. The reason given was: ${c.reason}`;
    writes.push({ id: layerRecordId(ticker, date, "error", text), ticker, date, kind: "error" as const, layer: "reflection" as const, text, importance: 0.5, access_count: 0, layer_since: date, available_at: knownAt });
  }
  if (writes.length) await r.store.putLayerRecords(writes);
  return record;
}

export const grpoFileOf = (runDir: string) => join(runDir, "grpo.jsonl");
