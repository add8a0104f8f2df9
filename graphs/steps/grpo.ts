/**
 * GRPO-style group sampling (SEP-Memory, training window). Once a training day's outcome is known,
 * the predictor samples G candidates for that day (reading only what was known at its close), each
 * candidate is rewarded (direction +/-1, plus a format term), advantages are group-relative, the best
 * explanation goes to long-term memory (if right) and the wrong ones to the reflection layer. The run
 * appends every group to grpo.jsonl for `stockmem export grpo`.
 */

import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { modelIdFor, promptFor, runAgent } from "../../agents/kit.ts";
import { predictor } from "../../agents/predictor/index.ts";
import { seriesOf } from "../../src/data/day-context.ts";
import type { Movement } from "../../src/domain/schemas.ts";
import { candidateReward, groupAdvantages } from "../../src/memory/layers.ts";
import { JSON_RULE } from "../../src/models/prompt.ts";
import { isOffline } from "../../src/models/provider.ts";
import { ModelOutputError } from "../../src/models/structured.ts";
import { agentRuntime, type Resources, withResources } from "../../src/runtime/resources.ts";
import { predictorInput, predictSteps } from "../predict.ts";
import { errorCase, newLayerRecord } from "./layered.ts";

/** A pattern enters long-term memory at its promotion line, so it stays there while it keeps being right. */
const PATTERN_IMPORTANCE = 0.8;

export interface GroupRecord {
  ticker: string;
  date: string;
  label: Movement;
  /** the predictor's prompt, as chat messages (TRL's conversational "prompt" format) */
  prompt: { role: "system" | "user"; content: string }[];
  completions: string[];
  movements: (Movement | null)[];
  rewards: number[];
  advantages: number[];
  model: string;
  prompt_version: string;
}

/** The group size actually used: the offline analyst is deterministic, so its groups have one candidate. */
function effectiveGroupSize(r: Resources): number {
  return isOffline(modelIdFor(r.ctx, "predictor")) ? 1 : r.ctx.groupSize;
}

/** The group of a training day, once its outcome is known (the run appends it to grpo.jsonl at the day's commit). */
export async function groupStep(
  r: Resources,
  ticker: string,
  date: string,
  knownAt: string,
  config?: LangGraphRunnableConfig,
): Promise<GroupRecord | null> {
  const s = seriesOf(r.data, ticker);
  const i = s.calendar.indexOf(date)!;
  const label = s.days[i]!.label;
  const next = s.days[i + 1];
  if (!next || Date.parse(knownAt) < Date.parse(next.close_at))
    throw new Error(`group rewards of ${ticker} ${date} need its outcome, known at ${next?.close_at ?? "never"}`);
  if (label !== "up" && label !== "down") return null;
  // The inputs the predictor saw at the day's close (candidate 0 is the pipeline's own prediction).
  const state = await predictSteps({ ticker, date }, withResources(r, { callbacks: config?.callbacks }));
  const input = predictorInput(state);
  const G = effectiveGroupSize(r);
  const candidates: { movement: Movement | null; reason: string; formatOk: boolean }[] = [
    { movement: state.prediction!.movement, reason: state.prediction!.reason, formatOk: true },
  ];
  for (let k = 1; k < G; k++) {
    try {
      const out = await runAgent(predictor, input, {
        ...agentRuntime(r, config, { ticker, date, asOf: state.asOf }),
        temperature: r.ctx.groupTemperature,
        sample: k,
      });
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
    ticker,
    date,
    label,
    prompt: [
      { role: "system", content: `${prompt.system}\n\n${JSON_RULE}` },
      { role: "user", content: prompt.render(input) },
    ],
    completions: candidates.map((c) => JSON.stringify({ reason: c.reason, movement: c.movement })),
    movements: candidates.map((c) => c.movement),
    rewards,
    advantages,
    model: modelIdFor(r.ctx, "predictor"),
    prompt_version: prompt.version,
  };

  // memory: the best explanation (if right) as a long-term pattern, the wrong ones as error cases
  const best = advantages.indexOf(Math.max(...advantages));
  const writes = candidates
    .filter((x) => x.movement !== null && x.movement !== label)
    .map((c) => errorCase(ticker, date, c.movement!, label, c.reason, knownAt));
  if (candidates[best]!.movement === label) {
    const text = `${ticker} ${date}: ${label} was called right with: ${candidates[best]!.reason}`;
    writes.unshift(
      newLayerRecord({
        ticker,
        date,
        kind: "pattern",
        layer: "long",
        text,
        availableAt: knownAt,
        importance: PATTERN_IMPORTANCE,
      }),
    );
  }
  if (writes.length) await r.store.putLayerRecords(writes);
  return record;
}
