import { AsyncLocalStorageProviderSingleton } from "@langchain/core/singletons";
import { Annotation, getConfig, StateGraph } from "@langchain/langgraph";
import { leanRunContext } from "../src/observability/lean-context.ts";
const State = Annotation.Root({ seen: Annotation<string[]>({ reducer: (a, b) => [...a, ...b], default: () => [] }) });
const g = new StateGraph(State).addNode("a", async () => {
  const st = AsyncLocalStorageProviderSingleton.getInstance().getStore() as any;
  console.log("store keys", st && Object.keys(st), st && Object.getOwnPropertySymbols(st), st?.extra && Object.getOwnPropertySymbols(st.extra));
  return { seen: [String(getConfig()?.configurable?.tag)] };
}).addEdge("__start__", "a").compile();
console.log((await g.invoke({ seen: [] }, { configurable: { tag: "x" } })).seen);
leanRunContext();
console.log((await g.invoke({ seen: [] }, { configurable: { tag: "x" } })).seen);
