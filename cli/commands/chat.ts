/** `stockmem chat TICKER [--date D] [--run NAME] [--model M]`: a terminal chat, streamed. */

import { createInterface } from "node:readline";
import { type AIMessageChunk, HumanMessage } from "@langchain/core/messages";
import { MemorySaver } from "@langchain/langgraph";
import { buildChatGraph } from "../../graphs/chat.ts";
import { RunContext } from "../../src/config/context.ts";
import { predictionsFile, stateDir } from "../../src/config/paths.ts";
import { connectChroma } from "../../src/memory/chroma-server.ts";
import { requireStoredRun } from "../../src/memory/store.ts";
import { readMarket } from "../../src/runtime/market.ts";
import { openResources, withResources } from "../../src/runtime/resources.ts";
import { readPredictions } from "../../src/runtime/run-files.ts";
import { openingDay } from "../../tools/chat.ts";
import { defineCommand } from "../command.ts";
import { DATA_OPTIONS, loadOptions } from "../data-flags.ts";
import { UsageError } from "../errors.ts";
import type { FlagSpecs, ValuesOf } from "../flags.ts";
import { MODEL_OPTIONS, RUN_DEFAULTS } from "../run-flags.ts";

const CHAT_OPTIONS = {
  date: {
    type: "string",
    arg: "D",
    description: "talk as of the close of this trading day (default: the ticker's last day)",
  },
  run: { type: "string", arg: "NAME", description: `the run whose memory to use (default ${RUN_DEFAULTS.run})` },
  model: MODEL_OPTIONS.model,
  ...DATA_OPTIONS,
} as const satisfies FlagSpecs;

async function chatCommand(tickerArg: string, values: ValuesOf<typeof CHAT_OPTIONS>): Promise<void> {
  const ticker = tickerArg.toUpperCase();
  const ctx = RunContext.parse({ run: values.run ?? RUN_DEFAULTS.run, model: values.model });
  const endpoint = await connectChroma(stateDir());
  try {
    // a chat reads a run: a name without memory is a mistake to name, never a new empty run
    await requireStoredRun(
      endpoint.url,
      ctx.run,
      (run) => `chat with one of them (--run NAME), or build "${run}" first with \`stockmem run --run ${run}\``,
    );
    // the run's data dir and limits unless the flags say otherwise
    const data = await readMarket({ ...loadOptions(values), run: ctx.run, tickers: undefined });
    const cal = data.series.get(ticker)?.calendar;
    if (!cal) throw new UsageError(`unknown ticker ${ticker} (known: ${data.tickers.join(", ")})`);
    const opening = values.date
      ? { date: values.date, why: "" }
      : openingDay(data, ticker, readPredictions(predictionsFile(ctx.run)));
    const date = opening.date;
    if (cal.indexOf(date) === undefined) throw new UsageError(`${date} is not a trading day of ${ticker}`);
    const r = await openResources(endpoint.url, ctx, data);
    const graph = buildChatGraph().compile({ checkpointer: new MemorySaver() });
    const thread = withResources(r, { configurable: { thread_id: `chat-${Date.now()}` } });
    const tty = Boolean(process.stdin.isTTY && process.stdout.isTTY);
    console.log(
      `stockmem chat: ${ticker} as of the close of ${date}${opening.why ? ` (${opening.why}; --date D for another)` : ""}, memory of run "${ctx.run}", model ${ctx.model}${ctx.model === "offline" ? " (offline analyst, not an LLM)" : ""}. Ctrl-D to leave.`,
    );
    // In a terminal, readline owns the line: it echoes what you type, edits it, and keeps a history (up arrow).
    const rl = createInterface({
      input: process.stdin,
      output: tty ? process.stdout : undefined,
      terminal: tty,
      historySize: 200,
      prompt: "you> ",
    });
    const ask = () => tty && rl.prompt();
    ask();
    for await (const line of rl) {
      if (!line.trim()) {
        ask();
        continue;
      }
      if (!tty) console.log(`you> ${line}`);
      const stream = await graph.stream(
        { messages: [new HumanMessage(line)], ticker, date },
        { ...thread, streamMode: "messages" },
      );
      let open = false;
      for await (const [chunk, meta] of stream as AsyncIterable<[AIMessageChunk, { langgraph_node?: string }]>) {
        if (meta.langgraph_node !== "agent") continue;
        for (const call of chunk.tool_calls ?? []) {
          if (!call.name) continue;
          process.stdout.write(`${open ? "\n" : ""}  (tool ${call.name} ${JSON.stringify(call.args)})\n`);
          open = false;
        }
        const text = typeof chunk.content === "string" ? chunk.content : "";
        if (text) {
          if (!open) process.stdout.write("stockmem> ");
          process.stdout.write(text);
          open = true;
        }
      }
      if (open) process.stdout.write("\n");
      ask();
    }
  } finally {
    await endpoint.stop();
  }
}

export default defineCommand({
  words: ["chat"],
  about: "talk with the predictor about a stock, as of a date",
  flags: CHAT_OPTIONS,
  args: [{ name: "<TICKER>", about: "the stock, e.g. MSFT" }],
  run: (v, [ticker]) => chatCommand(ticker!, v),
});
