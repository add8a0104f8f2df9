/**
 * A fake OpenAI-compatible server on 127.0.0.1 for measuring and probing the LLM path over real
 * HTTP (ChatOpenAI -> /v1/chat/completions): a fixed delay per call, an answer per prompt (the
 * agent is recognised by its system prompt), a log of every prompt, and the most calls ever in
 * flight. No usage is returned unless asked, so token budgets fall back to estimates.
 */
import { HumanMessage, SystemMessage, type BaseMessage } from "@langchain/core/messages";
import { createServer, type Server } from "node:http";
import { AGENTS } from "../../agents/registry.ts";
import type { AgentName } from "../../agents/kit.ts";

export interface FakeCall {
  agent: AgentName | "unknown";
  messages: { role: string; content: string }[];
  startedAt: number;
}

export interface FakeOpenAI {
  url: string;
  calls: FakeCall[];
  maxInFlight: number;
  /**
   * From the next `n`-th call on, hold every call unanswered (a frozen endpoint); resolves when the
   * first held call arrives: the client is then blocked at a known point (e.g. to be killed there).
   */
  holdAfter(n: number): Promise<void>;
  /** Stops holding; held calls are dropped (their clients are gone or will time out). */
  release(): void;
  close(): Promise<void>;
}

/** The agent whose (any version of the) system prompt opens the system message; the longest match wins (the reviser's opens with the predictor's). */
export function agentOfSystem(system: string): AgentName | "unknown" {
  let best: { name: AgentName; length: number } | undefined;
  for (const a of AGENTS) for (const p of a.prompts) if (system.startsWith(p.system) && p.system.length > (best?.length ?? -1)) best = { name: a.name, length: p.system.length };
  return best?.name ?? "unknown";
}

export async function fakeOpenAI(o: {
  delayMs: number;
  answer: (agent: AgentName, messages: BaseMessage[]) => string;
  usage?: boolean;
}): Promise<FakeOpenAI> {
  const calls: FakeCall[] = [];
  let inFlight = 0;
  const state = { maxInFlight: 0 };
  let hold: { from: number; reached: () => void } | undefined;
  const held: import("node:http").ServerResponse[] = [];
  const server: Server = createServer((req, res) => {
    let raw = "";
    req.on("data", (c) => (raw += c));
    req.on("end", () => {
      const body = JSON.parse(raw || "{}") as { messages?: { role: string; content: string }[]; model?: string; stream?: boolean };
      const messages = body.messages ?? [];
      const agent = agentOfSystem(messages[0]?.content ?? "");
      calls.push({ agent, messages, startedAt: Date.now() });
      if (hold && calls.length >= hold.from) {
        held.push(res); // frozen: never answered, not counted in flight
        hold.reached();
        return;
      }
      inFlight++;
      state.maxInFlight = Math.max(state.maxInFlight, inFlight);
      setTimeout(() => {
        inFlight--;
        const lc = messages.map((m) => (m.role === "system" ? new SystemMessage(m.content) : new HumanMessage(m.content)));
        const content = agent === "unknown" ? "{}" : o.answer(agent, lc);
        const base = { id: `fake-${calls.length}`, created: Math.floor(Date.now() / 1000), model: body.model ?? "fake" };
        if (body.stream) {
          // server-sent events, as OpenAI streams: a role chunk, the content, a stop chunk, [DONE]
          res.writeHead(200, { "content-type": "text/event-stream" });
          const chunk = (delta: object, finish: string | null) => `data: ${JSON.stringify({ ...base, object: "chat.completion.chunk", choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
          res.end(chunk({ role: "assistant", content: "" }, null) + chunk({ content }, null) + chunk({}, "stop") + "data: [DONE]\n\n");
          return;
        }
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({
          ...base, object: "chat.completion",
          choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
          ...(o.usage ? { usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 } } : {}),
        }));
      }, o.delayMs);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/v1`, calls,
    get maxInFlight() {
      return state.maxInFlight;
    },
    holdAfter: (n) => new Promise<void>((resolve) => (hold = { from: calls.length + n, reached: resolve })),
    release: () => {
      hold = undefined;
      for (const r of held.splice(0)) r.destroy();
    },
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}
