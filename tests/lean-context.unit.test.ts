/**
 * The lean run context (issue 22, item 1): with LangSmith tracing off, a node's config and context variables reach it
 * as before, without a LangSmith run tree built per runnable; with tracing on, the library's own path runs.
 */
import { getContextVariable, setContextVariable } from "@langchain/core/context";
import { AsyncLocalStorageProviderSingleton } from "@langchain/core/singletons";
import { Annotation, getConfig, StateGraph } from "@langchain/langgraph";
import { afterEach, describe, expect, it, vi } from "vitest";
import { leanRunContext } from "../src/observability/lean-context.ts";

const State = Annotation.Root({ seen: Annotation<string[]>({ reducer: (a, b) => [...a, ...b], default: () => [] }) });

/** A two-node graph whose nodes report what they can see: their config's tag, a context variable, the store's shape. */
function graph() {
  return new StateGraph(State)
    .addNode("a", async () => {
      const store = AsyncLocalStorageProviderSingleton.getInstance().getStore() as Record<string, unknown> | undefined;
      return {
        seen: [`tag ${getConfig().configurable?.tag}`, `run tree ${store !== undefined && "dotted_order" in store}`],
      };
    })
    .addNode("b", async () => ({ seen: [`tag ${getConfig().configurable?.tag}`, `var ${getContextVariable("who")}`] }))
    .addEdge("__start__", "a")
    .addEdge("a", "b")
    .compile();
}

afterEach(() => vi.unstubAllEnvs());

describe("lean run context", () => {
  it("hands every node its config and the context variables, with no run tree per runnable", async () => {
    vi.stubEnv("LANGSMITH_TRACING", "");
    vi.stubEnv("LANGCHAIN_TRACING_V2", "");
    setContextVariable("who", "set before the run"); // a context variable reaches every node, as before
    const before = await graph().invoke({ seen: [] }, { configurable: { tag: "x" } });
    expect(before.seen).toEqual(["tag x", "run tree true", "tag x", "var set before the run"]);
    expect(leanRunContext()).toBe(true);
    const after = await graph().invoke({ seen: [] }, { configurable: { tag: "x" } });
    // the same config reaches each node; the store is no LangSmith run tree any more
    expect(after.seen).toEqual(["tag x", "run tree false", "tag x", "var set before the run"]);
    expect(leanRunContext()).toBe(true); // once per process
  });

  it("leaves the library's own path in place while LangSmith tracing is on", async () => {
    vi.stubEnv("LANGSMITH_TRACING", "true");
    vi.stubEnv("LANGSMITH_API_KEY", "");
    const store = await new Promise<unknown>((resolve) =>
      AsyncLocalStorageProviderSingleton.runWithConfig({}, () =>
        resolve(AsyncLocalStorageProviderSingleton.getInstance().getStore()),
      ),
    );
    expect(store).toHaveProperty("dotted_order");
  });
});
