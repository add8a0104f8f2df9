/**
 * A fake OpenAI-compatible server on 127.0.0.1 for measuring and probing the LLM path over real
 * HTTP (ChatOpenAI -> /v1/chat/completions): a fixed delay per call, an answer per prompt (the
 * agent is recognised by its system prompt), a log of every prompt, and the most calls ever in
 * flight. No usage is returned unless asked, so token budgets fall back to estimates.
 */

import { createServer, type Server } from "node:http";
import { type BaseMessage, HumanMessage, SystemMessage } from "@langchain/core/messages";
import { AGENTS } from "../agents/registry.ts";
import type { AgentName } from "../src/domain/agents.ts";

export interface FakeCall {
  /** "chat": a request that offers tools (the chat agent) */
  agent: AgentName | "chat" | "unknown";
  messages: { role: string; content: string }[];
  startedAt: number;
}

/** The chat agent's turn: text, or tool calls. */
export type ChatTurn = { content: string } | { tool_calls: { name: string; args: Record<string, unknown> }[] };

export interface FakeOpenAI {
  url: string;
  calls: FakeCall[];
  maxInFlight: number;
  /**
   * From the next `n`-th call on, hold every call unanswered (a frozen endpoint); resolves when the
   * first held call arrives: the client is then blocked at a known point (e.g. to be killed there).
   */
  holdAfter(n: number): Promise<void>;
  /** The same from the first call that `when` picks (e.g. the first merger call for a given day) on. */
  holdWhen(when: (call: FakeCall) => boolean): Promise<void>;
  /** Stops holding; held calls are dropped (their clients are gone or will time out). */
  release(): void;
  /** requests answered 429 because they were over the server's `rpm` */
  rejected: number;
  close(): Promise<void>;
}

/**
 * The agent whose (any version of the) system prompt opens the system message; the longest match wins (the reviser's
 * opens with the predictor's).
 */
export function agentOfSystem(system: string): AgentName | "unknown" {
  let best: { name: AgentName; length: number } | undefined;
  for (const a of AGENTS)
    for (const p of a.prompts)
      if (system.startsWith(p.system) && p.system.length > (best?.length ?? -1))
        best = { name: a.name, length: p.system.length };
  return best?.name ?? "unknown";
}

export async function fakeOpenAI(o: {
  delayMs: number;
  answer: (agent: AgentName, messages: BaseMessage[]) => string;
  /** answers requests that offer tools (the chat graph's agent), given the messages so far */
  chat?: (messages: { role: string; content: string }[]) => ChatTurn;
  usage?: boolean;
  /**
   * A provider's requests-per-minute limit: a request beyond it in the last minute gets 429 with `retry-after`; every
   * answer carries `x-ratelimit-limit-requests`, `-remaining-requests` and `-reset-requests`, as OpenAI sends them.
   */
  rpm?: number;
}): Promise<FakeOpenAI> {
  const calls: FakeCall[] = [];
  let inFlight = 0;
  const state = { maxInFlight: 0, rejected: 0 };
  /** when the requests of the last minute were accepted (the `rpm` limit) */
  const accepted: number[] = [];
  let hold: { from: number; when?: (call: FakeCall) => boolean; reached: () => void } | undefined;
  const held: import("node:http").ServerResponse[] = [];
  const server: Server = createServer((req, res) => {
    let raw = "";
    req.on("data", (c) => (raw += c));
    req.on("end", () => {
      // the model list, as OpenAI-compatible servers answer it (a run checks its endpoint with it): not a call
      if (req.method === "GET" && req.url?.endsWith("/models")) {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ object: "list", data: [{ id: "fake-model", object: "model", owned_by: "fake" }] }));
        return;
      }
      const body = JSON.parse(raw || "{}") as {
        messages?: { role: string; content: string | null }[];
        model?: string;
        stream?: boolean;
        tools?: unknown[];
      };
      const messages = (body.messages ?? []).map((m) => ({ ...m, content: m.content ?? "" }));
      const agent = body.tools?.length ? "chat" : agentOfSystem(messages[0]?.content ?? "");
      const call: FakeCall = { agent, messages, startedAt: Date.now() };
      calls.push(call);
      if (hold?.when?.(call)) hold.from = calls.length;
      if (hold && calls.length >= hold.from) {
        held.push(res); // frozen: never answered, not counted in flight
        hold.reached();
        return;
      }
      const limits: Record<string, string> = {};
      if (o.rpm) {
        const now = Date.now();
        while (accepted.length && accepted[0]! <= now - 60_000) accepted.shift();
        const reset = accepted.length ? Math.max(0, accepted[0]! + 60_000 - now) : 0;
        if (accepted.length >= o.rpm) {
          state.rejected++;
          res.writeHead(429, {
            "content-type": "application/json",
            "retry-after": String(Math.ceil(reset / 1000)),
            "x-ratelimit-limit-requests": String(o.rpm),
            "x-ratelimit-remaining-requests": "0",
            "x-ratelimit-reset-requests": `${(reset / 1000).toFixed(3)}s`,
          });
          res.end(JSON.stringify({ error: { message: "Rate limit reached for requests", type: "requests" } }));
          return;
        }
        accepted.push(now);
        Object.assign(limits, {
          "x-ratelimit-limit-requests": String(o.rpm),
          "x-ratelimit-remaining-requests": String(o.rpm - accepted.length),
          "x-ratelimit-reset-requests": `${((accepted[0]! + 60_000 - now) / 1000).toFixed(3)}s`,
        });
      }
      inFlight++;
      state.maxInFlight = Math.max(state.maxInFlight, inFlight);
      setTimeout(() => {
        inFlight--;
        const base = {
          id: `fake-${calls.length}`,
          created: Math.floor(Date.now() / 1000),
          model: body.model ?? "fake",
        };
        if (agent === "chat") {
          const turn = o.chat ? o.chat(messages) : { content: "" };
          const toolCalls =
            "tool_calls" in turn
              ? turn.tool_calls.map((t, i) => ({
                  id: `call_${calls.length}_${i}`,
                  type: "function",
                  function: { name: t.name, arguments: JSON.stringify(t.args) },
                }))
              : undefined;
          const message = {
            role: "assistant",
            content: "content" in turn ? turn.content : null,
            ...(toolCalls ? { tool_calls: toolCalls } : {}),
          };
          if (body.stream) {
            res.writeHead(200, { "content-type": "text/event-stream", ...limits });
            const chunk = (delta: object, finish: string | null) =>
              `data: ${JSON.stringify({ ...base, object: "chat.completion.chunk", choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
            const delta = toolCalls
              ? { role: "assistant", tool_calls: toolCalls.map((t, index) => ({ index, ...t })) }
              : { role: "assistant", content: message.content };
            res.end(`${chunk(delta, null) + chunk({}, toolCalls ? "tool_calls" : "stop")}data: [DONE]\n\n`);
            return;
          }
          res.writeHead(200, { "content-type": "application/json" });
          res.end(
            JSON.stringify({
              ...base,
              object: "chat.completion",
              choices: [{ index: 0, message, finish_reason: toolCalls ? "tool_calls" : "stop" }],
            }),
          );
          return;
        }
        const lc = messages.map((m) =>
          m.role === "system" ? new SystemMessage(m.content) : new HumanMessage(m.content),
        );
        const content = agent === "unknown" ? "{}" : o.answer(agent, lc);
        if (body.stream) {
          // server-sent events, as OpenAI streams: a role chunk, the content, a stop chunk, [DONE]
          res.writeHead(200, { "content-type": "text/event-stream", ...limits });
          const chunk = (delta: object, finish: string | null) =>
            `data: ${JSON.stringify({ ...base, object: "chat.completion.chunk", choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
          res.end(
            `${chunk({ role: "assistant", content: "" }, null) + chunk({ content }, null) + chunk({}, "stop")}data: [DONE]\n\n`,
          );
          return;
        }
        res.writeHead(200, { "content-type": "application/json", ...limits });
        res.end(
          JSON.stringify({
            ...base,
            object: "chat.completion",
            choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
            ...(o.usage ? { usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 } } : {}),
          }),
        );
      }, o.delayMs);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/v1`,
    calls,
    get maxInFlight() {
      return state.maxInFlight;
    },
    get rejected() {
      return state.rejected;
    },
    holdAfter: (n) => new Promise<void>((resolve) => (hold = { from: calls.length + n, reached: resolve })),
    holdWhen: (when) =>
      new Promise<void>((resolve) => (hold = { from: Number.POSITIVE_INFINITY, when, reached: resolve })),
    release: () => {
      hold = undefined;
      for (const r of held.splice(0)) r.destroy();
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
