/**
 * `chat`: talk with the predictor about a stock. A messages state and a tool-calling agent whose
 * tools are the product's own (tools/chat.ts), all bounded by the conversation's date. With an
 * LLM configured it is a real agent (bindTools); with the offline analyst, a command-style assistant
 * that routes plain requests to the same tools, through the same ToolNode.
 */
import { AIMessage, type BaseMessage, SystemMessage, ToolMessage } from "@langchain/core/messages";
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { END, MessagesZodMeta, START, StateGraph } from "@langchain/langgraph";
import { ToolNode } from "@langchain/langgraph/prebuilt";
import { registry } from "@langchain/langgraph/zod";
import { z } from "zod";
import { modelIdFor } from "../agents/kit.ts";
import { chatPrompt } from "../prompts/chat.ts";
import { predictionsFile } from "../src/config/paths.ts";
import { IsoDate } from "../src/domain/scalars.ts";
import { createChatModel, isOffline } from "../src/models/provider.ts";
import { leanState } from "../src/runtime/graph-state.ts";
import { GraphContext, type Resources, resourcesOf, withResources } from "../src/runtime/resources.ts";
import { readPredictions } from "../src/runtime/run-files.ts";
import { type ChatDeps, type ChatScope, chatTools, openingDay } from "../tools/chat.ts";
import { formatToolAnswer, OFFLINE_HELP, routeOffline } from "../tools/chat-router.ts";
import { buildPredictGraph } from "./predict.ts";
import { seriesFor } from "./steps/series.ts";

const ChatState = z.object({
  // An array of any (not z.custom, which JSON Schema cannot express: Studio got no input schema at all),
  // marked langgraph_type "messages" by MessagesZodMeta so Studio opens its chat view; items keep their class.
  messages: (
    z.array(z.any()).describe("the conversation") as unknown as z.ZodType<BaseMessage[], BaseMessage[]>
  ).register(registry, MessagesZodMeta),
  ticker: z
    .string()
    .optional()
    .describe("(required) the stock the conversation is about, e.g. MSFT; a thread's later messages may leave it out"),
  date: IsoDate.optional().describe(
    "the conversation's date: nothing after its close is visible (default: the run's last predicted day of the stock, else its latest day with news); kept across turns",
  ),
});
/** The chat's input: messages (Studio's chat view), the stock, and optionally the conversation's date. */
const ChatInput = ChatState.describe(
  "Chat with the predictor about a stock, as of a date: the day's events, chains, similar days, predictions and their reasons, prices.",
);
type S = z.infer<typeof ChatState>;
type Config = LangGraphRunnableConfig<GraphContext>;

function scopeOf(r: Resources, state: S): ChatScope {
  if (!state.ticker)
    throw new Error('the chat needs a stock: give "ticker" (e.g. "MSFT") with the thread\'s first message');
  const ticker = state.ticker.toUpperCase();
  return { ticker, date: state.date ?? openingDay(r.data, ticker, readPredictions(predictionsFile(r.ctx.run))).date };
}

let toolCallSeq = 0;
const predictGraph = buildPredictGraph().compile({ checkpointer: false, name: "predict" });

/** The chat tools' view of a run: its memory and data, the predict graph, its stored predictions. */
function chatDeps(r: Resources, config: Config): ChatDeps {
  return {
    ctx: r.ctx,
    data: r.data,
    store: r.store,
    series: (ticker, date) => seriesFor(r, ticker, date, config),
    predict: async (ticker, date) =>
      (await predictGraph.invoke({ ticker, date }, withResources(r, { callbacks: config.callbacks }))).prediction!,
    stored: (ticker, date) =>
      readPredictions(predictionsFile(r.ctx.run)).find((x) => x.ticker === ticker && x.date === date),
  };
}

async function agent(state: S, config: Config) {
  const r = await resourcesOf(config, { stored: true });
  const scope = scopeOf(r, state);
  const kept = { ticker: scope.ticker, date: scope.date }; // the thread's later turns keep talking about it
  const last = state.messages.at(-1);
  const modelId = modelIdFor(r.ctx, "chat");
  if (isOffline(modelId)) {
    if (last && ToolMessage.isInstance(last))
      return { ...kept, messages: [new AIMessage(formatToolAnswer(last.name ?? "", String(last.content)))] };
    const route = routeOffline(String(last?.content ?? ""), r.data.tickers);
    if (!route) return { ...kept, messages: [new AIMessage(OFFLINE_HELP)] };
    return {
      ...kept,
      messages: [
        new AIMessage({
          content: "",
          tool_calls: [{ id: `offline-${++toolCallSeq}`, name: route.name, args: route.args, type: "tool_call" }],
        }),
      ],
    };
  }
  const base = r.chatModel ? r.chatModel(modelId, "chat" as never) : createChatModel(modelId);
  if (!base.bindTools) throw new Error(`${modelId} cannot call tools`);
  const model = base.bindTools(chatTools(chatDeps(r, config), scope));
  const reply = await model.invoke([new SystemMessage(chatPrompt.render(scope)), ...state.messages], {
    ...config,
    metadata: {
      ...config?.metadata,
      agent: "chat",
      model: modelId,
      promptId: chatPrompt.id,
      promptVersion: chatPrompt.version,
      ticker: scope.ticker,
      date: scope.date,
    },
  });
  return { ...kept, messages: [reply] };
}

async function tools(state: S, config: Config) {
  const r = await resourcesOf(config);
  return new ToolNode(chatTools(chatDeps(r, config), scopeOf(r, state))).invoke(state, config);
}

const next = (state: S) => {
  const last = state.messages.at(-1);
  return last && AIMessage.isInstance(last) && (last.tool_calls?.length ?? 0) > 0 ? "tools" : END;
};

export function buildChatGraph() {
  return new StateGraph({ ...leanState(ChatState, ChatInput), context: GraphContext })
    .addNode("agent", agent)
    .addNode("tools", tools)
    .addEdge(START, "agent")
    .addConditionalEdges("agent", next, ["tools", END])
    .addEdge("tools", "agent");
}

/** @public The graph LangGraph Studio loads (langgraph.json). */
export const graph = buildChatGraph().compile();
graph.name = "chat";
