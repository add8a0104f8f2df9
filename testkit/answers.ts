/**
 * A generic scripted answer for every agent (a test double shared by tests and bench): valid JSON derived from the
 * prompt (one event per news item).
 */

import type { BaseMessage } from "@langchain/core/messages";
import type { AgentName } from "../src/domain/agents.ts";
import { textOf } from "../src/models/scripted.ts";
import { noDetails } from "./events.ts";

const ids = (text: string, re: RegExp) => [...text.matchAll(re)].map((m) => m[1]!);

export function validAnswer(agent: AgentName, messages: BaseMessage[]): string {
  const user = textOf(messages[1]!);
  switch (agent) {
    case "extractor":
      return JSON.stringify({
        events: ids(user, /<news id="([^"]+)"/g).map((id, k) => ({
          group: "Stock Market Performance",
          type: "Individual Stock Performance",
          ...noDetails(),
          description: `report ${k % 3}`,
          source_ids: [id],
        })),
      });
    case "merger":
      return JSON.stringify({
        events: [
          {
            type: "Individual Stock Performance",
            description: "merged report",
            merged_ids: ids(user, /^- \[([^\]]+)\]/gm),
          },
        ],
      });
    case "tracker-link":
      return JSON.stringify({ predecessor_id: ids(user, /^- \[([^\]]+)\]/gm)[0] ?? null, why: "w" });
    case "tracker":
      return JSON.stringify({
        predecessor_id: ids(user, /^- \[([^\]]+)\]/gm)[0] ?? null,
        why: "w",
        delta: "d",
        direction: "neutral",
      });
    case "tracker-batch":
      return JSON.stringify({
        events: [
          ...user.matchAll(/^\* \{([^}]+)\}[^\n]*\n(?: {4}details: [^\n]*\n)? {4}candidates: ([^ ,\n]+)?/gm),
        ].map(([, key, first]) => ({
          key,
          predecessor_id: first === "(none)" ? null : (first ?? null),
          why: "w",
          delta: "d",
          direction: "neutral",
        })),
      });
    case "tracker-delta":
      return JSON.stringify({ delta: "d", direction: "neutral" });
    case "retriever-judge":
      return JSON.stringify({ kept: ids(user, /^- \[([^\]]+)\]/gm).map((id) => ({ id, why: "w" })) });
    case "predictor":
      return JSON.stringify({ reason: "r", movement: "up", cited: [] });
    case "reflector":
      return JSON.stringify({ reason: "r", key_events: [] });
    case "summarizer":
      return JSON.stringify({ summary: "s" });
    case "critic":
      return JSON.stringify({ critique: "c", missed: [], overweighted: [], verdict: "keep", lessons_used: [] });
    case "reviser":
      return JSON.stringify({ reason: "r2", movement: "up", cited: [] });
  }
}
