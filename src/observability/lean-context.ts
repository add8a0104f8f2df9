/**
 * A leaner run context for LangGraph's nodes when nothing traces to LangSmith (issue 22, item 1).
 *
 * Every runnable LangGraph calls (each node, each task of a fan-out) goes through
 * `AsyncLocalStorageProviderSingleton.runWithConfig`, which, when no LangSmith tracer is among the callbacks, builds a
 * LangSmith `RunTree` named "<runnable_lambda>" with tracing disabled only to carry the child config in its `extra`: a
 * uuid, a microsecond date string and a callback-manager copy per runnable, about a tenth of the offline path's CPU.
 * Nothing reads that object but `getRunnableConfig` (its `extra`) and the context variables; with tracing off, a
 * plain object holding the same two things is equivalent. With LangSmith tracing on, or a LangSmith tracer passed in,
 * the library's own path runs unchanged. One difference, unused here: a context variable set inside a node
 * (`setContextVariable`) replaces the node's store, and `getConfig()` then answers undefined in that node.
 */
import { AsyncLocalStorageProviderSingleton } from "@langchain/core/singletons";

const LC_CHILD_KEY = Symbol.for("lc:child_config");
const CONTEXT_VARIABLES_KEY = Symbol.for("lc:context_variables");
const PATCHED = Symbol.for("stockmem:lean-run-context");

type RunWithConfig = (config: unknown, callback: () => unknown, avoidCreatingRootRunTree?: boolean) => unknown;

const tracingOn = (env: NodeJS.ProcessEnv) =>
  [env.LANGSMITH_TRACING, env.LANGSMITH_TRACING_V2, env.LANGCHAIN_TRACING_V2, env.LANGCHAIN_TRACING].some(
    (v) => v === "true",
  );

/** Whether a config's callbacks hold a LangSmith tracer (then the library's own path keeps its run tree). */
function hasLangSmithTracer(config: unknown): boolean {
  const cb = (config as { callbacks?: unknown } | undefined)?.callbacks;
  const handlers = Array.isArray(cb)
    ? cb
    : [
        ...((cb as { handlers?: unknown[] } | undefined)?.handlers ?? []),
        ...((cb as { inheritableHandlers?: unknown[] } | undefined)?.inheritableHandlers ?? []),
      ];
  return handlers.some((h) => (h as { name?: string } | undefined)?.name === "langchain_tracer");
}

/** Installs the lean path once per process; returns whether it is in place (off while LangSmith tracing is on). */
export function leanRunContext(env: NodeJS.ProcessEnv = process.env): boolean {
  const provider = AsyncLocalStorageProviderSingleton as unknown as Record<PropertyKey, unknown> & {
    runWithConfig: RunWithConfig;
    getInstance(): {
      getStore(): Record<PropertyKey, unknown> | undefined;
      run(store: unknown, cb: () => unknown): unknown;
    };
  };
  if (provider[PATCHED]) return true;
  if (tracingOn(env)) return false;
  const original = provider.runWithConfig.bind(provider) as RunWithConfig;
  provider.runWithConfig = (config, callback, avoidCreatingRootRunTree) => {
    if (tracingOn(process.env) || hasLangSmithTracer(config))
      return original(config, callback, avoidCreatingRootRunTree);
    const storage = provider.getInstance();
    const previous = storage.getStore()?.[CONTEXT_VARIABLES_KEY];
    let store: Record<PropertyKey, unknown> | undefined = avoidCreatingRootRunTree
      ? undefined
      : { extra: { [LC_CHILD_KEY]: config } };
    if (previous !== undefined) {
      store ??= {};
      store[CONTEXT_VARIABLES_KEY] = previous;
    }
    return storage.run(store, callback);
  };
  provider[PATCHED] = true;
  return true;
}
