/**
 * A graph's nodes as plain calls inside a run's task (issue 22, item 1: a thin coordinator).
 *
 * The run does a ticker-day's phase (ingest, predict, reflect) inside one of its own tasks. Invoking the phase's
 * compiled graph there cost a Pregel loop per ticker-day per phase: channels, tasks, config copies and callback
 * managers for every node, about a fifth of the offline path's CPU, for a graph whose steps always run in the same
 * order. So the run calls the same node functions in that order, and each call is reported to the run's callbacks as
 * the compiled graph reports it: one chain run named after the graph, with a chain run per node under it (metadata
 * `langgraph_node`), the model calls under their node. The local trace, its timeline and LangSmith see the same
 * records either way; the graphs themselves are unchanged for Studio, which still runs them compiled.
 */
import type { CallbackManagerForChainRun } from "@langchain/core/callbacks/manager";
import { getCallbackManagerForConfig, type RunnableConfig } from "@langchain/core/runnables";

/** Calls one node of a graph run (a node function: its state, its run's config): its update, traced as the node. */
type Step<C> = <S, U>(name: string, state: S, fn: (state: S, config: C) => U | Promise<U>) => Promise<U>;

/** What a step says it is (the local trace tells a graph run from a node run by it, see trace.ts) */
const serialized = (kind: "graph" | "node") => ({
  lc: 1 as const,
  type: "not_implemented" as const,
  id: ["stockmem", kind],
});

/** `fn` as a traced chain run named `name` under `config`'s callbacks, its config for its children. */
async function traced<C extends RunnableConfig, T>(
  config: C,
  kind: "graph" | "node",
  name: string,
  inputs: unknown,
  metadata: Record<string, unknown>,
  fn: (child: C) => Promise<T>,
): Promise<T> {
  if (!config.callbacks) return fn(config);
  const cm = await getCallbackManagerForConfig({ ...config, metadata: { ...config.metadata, ...metadata } });
  const run: CallbackManagerForChainRun | undefined = await cm?.handleChainStart(
    serialized(kind),
    (inputs ?? {}) as Record<string, unknown>,
    undefined,
    undefined,
    undefined,
    undefined,
    name,
  );
  if (!run) return fn(config);
  let out: T;
  try {
    out = await fn({ ...config, callbacks: run.getChild() });
  } catch (e) {
    await run.handleChainError(e);
    throw e;
  }
  await run.handleChainEnd((out ?? {}) as Record<string, unknown>);
  return out;
}

/**
 * Runs `body` as the graph `graph` given `input`: `body` calls the graph's nodes in their order through `step`, and
 * returns the graph's output.
 */
export function graphSteps<C extends RunnableConfig, I, O>(
  config: C,
  graph: string,
  input: I,
  body: (step: Step<C>) => Promise<O>,
): Promise<O> {
  return traced(config, "graph", graph, input, {}, (inGraph) =>
    body((name, state, fn) =>
      traced(inGraph, "node", name, state, { langgraph_node: name }, async (inNode) => fn(state, inNode)),
    ),
  );
}
