/** The chat graph: the LLM tool loop with a scripted model, and the offline assistant end to end. */
import { AIMessage, type BaseMessage, HumanMessage, ToolMessage } from "@langchain/core/messages";
import { MemorySaver } from "@langchain/langgraph";
import { beforeAll, describe, expect, it } from "vitest";
import { executeRun } from "../app/run.ts";
import { buildChatGraph, graph as chatGraph } from "../graphs/chat.ts";
import { runContext } from "../src/config/context.ts";
import { SAMPLE_DATA_DIR } from "../src/config/paths.ts";
import { loadMarketData, type MarketData } from "../src/data/load.ts";
import { ScriptedChatModel, textOf } from "../src/models/scripted.ts";
import { type Resources, withResources } from "../src/runtime/resources.ts";
import { openingDay } from "../tools/chat.ts";
import { OFFLINE_HELP, routeOffline } from "../tools/chat-router.ts";
import { useIsolatedStockmem } from "./helpers/chroma.ts";
import { resources } from "./helpers/pipeline.ts";

const env = useIsolatedStockmem();
let data: MarketData;
const D = "2015-10-07";

beforeAll(async () => {
  // memory and stored predictions of run "chat" (offline), as `stockmem run` leaves them
  await executeRun({
    ctx: runContext({ run: "chat" }),
    dataDir: SAMPLE_DATA_DIR,
    tickers: ["MSFT", "INTC"],
    train: { from: "2015-09-14", to: "2015-09-30" },
    test: { from: "2015-10-01", to: "2015-10-09" },
    quiet: true,
  });
  data = await loadMarketData(SAMPLE_DATA_DIR, { tickers: ["MSFT", "INTC"] });
});

const say = async (r: Resources, messages: BaseMessage[], text: string) =>
  (
    await chatGraph.invoke(
      { messages: [...messages, new HumanMessage(text)], ticker: "MSFT", date: D },
      withResources(r),
    )
  ).messages;

describe("chat, LLM path (scripted model)", () => {
  it("runs the tool loop: tool call -> tool result -> answer, within the conversation's date", async () => {
    const seen: BaseMessage[][] = [];
    const script = new ScriptedChatModel((messages, i) => {
      seen.push(messages);
      if (i === 0)
        return new AIMessage({
          content: "",
          tool_calls: [
            { id: "c1", name: "price_history", args: { days: 3 }, type: "tool_call" },
            { id: "c2", name: "day_events", args: { date: "2015-10-20" }, type: "tool_call" },
          ],
        });
      return "MSFT closed at 46.80 on 2015-10-07; I cannot see 2015-10-20 yet.";
    });
    const r = await resources(env.server().url, data, { run: "chat", model: "openai:scripted" }, () => script);
    const out = await say(r, [], "How did MSFT trade, and what happens on Oct 20?");
    expect(out.map((m) => m.getType())).toEqual(["human", "ai", "tool", "tool", "ai"]);
    const prices = JSON.parse(textOf(out[2]!));
    expect(prices.bars.map((b: { date: string }) => b.date)).toEqual(["2015-10-05", "2015-10-06", "2015-10-07"]);
    expect(JSON.parse(textOf(out[3]!)).error).toMatch(/only see data up to 2015-10-07/);
    expect(textOf(out[4]!)).toMatch(/46\.80/);
    // the model saw the system prompt with the conversation's date, then the tool results
    expect(textOf(seen[0]![0]!)).toMatch(/MSFT as of the close of 2015-10-07/);
    expect(seen[1]!.filter((m) => ToolMessage.isInstance(m))).toHaveLength(2);
  });
});

describe("chat, offline analyst", () => {
  it("routes plain requests to the tools and answers from them", async () => {
    const r = await resources(env.server().url, data, { run: "chat" });
    let msgs: BaseMessage[] = [];
    const ask = async (q: string) => {
      msgs = await say(r, msgs, q);
      return textOf(msgs.at(-1)!);
    };
    // a summary of the day, not a dump of its posts: counts by group, then at most five events
    const today = await ask("what happened today?");
    expect(today).toMatch(
      /^MSFT 2015-10-07: \d+ news items, (\d+) events\. By group: [A-Z][^\n]+ \d+\.\nMost reported:\n- /,
    );
    const listed = today.split("\n").filter((l) => l.startsWith("- "));
    expect(listed.length).toBeGreaterThan(0);
    expect(listed.length).toBeLessThanOrEqual(5);
    for (const l of listed) expect(l).toMatch(/\(\d+ items?; ev:MSFT:2015-10-07:[0-9a-f]+\)$/);
    const n = Number(/, (\d+) events\./.exec(today)![1]);
    if (n > 5) expect(today).toMatch(new RegExp(`\\(${n - 5} more; `));
    const counts = /By group: ([^\n]+)\./
      .exec(today)![1]!
      .split(", ")
      .map((g) => Number(g.split(" ").at(-1)));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(n);
    // a question about a day after the conversation's close says so
    expect(await ask("what will MSFT do on 2016-03-01?")).toBe(
      "Sorry: I can only see data up to 2015-10-07 (the close of that day); 2016-03-01 is after it.",
    );
    expect(await ask("predict please")).toMatch(/^MSFT after 2015-10-07: I expect (UP|DOWN)\./);
    expect(await ask("why?")).toMatch(/^MSFT 2015-10-07 was predicted (up|down)\./);
    expect(await ask("similar days")).toMatch(/^Past days most like MSFT 2015-10-07/);
    expect(await ask("INTC prices")).toMatch(/^INTC closes:\n(- 2015-\d\d-\d\d: [\d.]+ .*\n?){10}$/);
    expect(await ask("events on 2015-10-20")).toBe(
      "Sorry: I can only see data up to 2015-10-07 (the close of that day); 2015-10-20 is after it.",
    );
    expect(await ask("tell me a joke")).toBe(OFFLINE_HELP);
    const events = msgs
      .filter((m) => ToolMessage.isInstance(m) && m.name === "day_events")
      .map((m) => JSON.parse(textOf(m)));
    const id = events[0].events[0]?.id;
    if (id) expect(await ask(`chain ${id}`)).toMatch(/^Chain of ev:MSFT:2015-10-07:/);
  });

  it("reads dates, tickers and event ids from the request", () => {
    expect(routeOffline("what happened to INTC on 2015-10-02?", ["MSFT", "INTC"])).toEqual({
      name: "day_events",
      args: { date: "2015-10-02", ticker: "INTC" },
    });
    expect(routeOffline("why did you say so", ["MSFT"])).toEqual({ name: "explain_prediction", args: {} });
    expect(routeOffline("chain ev:MSFT:2015-10-07:0123abcd", ["MSFT"])).toEqual({
      name: "event_chain",
      args: { event_id: "ev:MSFT:2015-10-07:0123abcd" },
    });
    expect(routeOffline("hi", ["MSFT"])).toBeNull();
    expect(routeOffline("what will MSFT do on 2016-03-01?", ["MSFT"])).toEqual({
      name: "predict",
      args: { date: "2016-03-01", ticker: "MSFT" },
    });
  });
});

describe("chat threads and their opening day (issue 21, item 4)", () => {
  it("keeps the stock and the day across turns: a follow-up needs only its message", async () => {
    const r = await resources(env.server().url, data, { run: "chat" });
    const g = buildChatGraph().compile({ checkpointer: new MemorySaver() });
    const thread = withResources(r, { configurable: { thread_id: "t1" } });
    const first = await g.invoke({ messages: [new HumanMessage("what happened today?")], ticker: "MSFT" }, thread);
    // no date given: the run's last predicted day of MSFT (its test window ends 2015-10-09), not the data's last row
    expect(first.date).toBe("2015-10-09");
    expect(textOf(first.messages.at(-1)!)).toMatch(/^MSFT 2015-10-09: /);
    const next = await g.invoke({ messages: [new HumanMessage("predict please")] }, thread);
    expect(next.ticker).toBe("MSFT");
    expect(textOf(next.messages.at(-1)!)).toMatch(/^MSFT after 2015-10-09: I expect (UP|DOWN)\./);
    // a thread's first message without a stock is told what to give, not a ZodError
    await expect(
      g.invoke({ messages: [new HumanMessage("hi")] }, withResources(r, { configurable: { thread_id: "t2" } })),
    ).rejects.toThrow(/the chat needs a stock: give "ticker"/);
  });

  it("opens on the run's last predicted day, else the latest day with news, and says which", () => {
    const predicted = [
      { ticker: "MSFT", date: "2015-10-08" },
      { ticker: "MSFT", date: "2015-10-09" },
      { ticker: "INTC", date: "2015-10-09" },
    ];
    expect(openingDay(data, "MSFT", predicted)).toEqual({ date: "2015-10-09", why: "the run's last predicted day" });
    const s = data.series.get("MSFT")!;
    const withNews = s.days.filter((_, i) => i > 0 && s.itemsByDay[i]!.length > 0).at(-1)!.date;
    expect(s.itemsByDay.at(-1)).toHaveLength(0); // the sample's last row (2016-01-04) has no news
    expect(openingDay(data, "MSFT", [])).toEqual({ date: withNews, why: "the latest day with news" });
    expect(() => openingDay(data, "NVDA", [])).toThrow(/unknown ticker NVDA \(known: INTC, MSFT\)/);
  });
});
