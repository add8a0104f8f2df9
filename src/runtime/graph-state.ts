/**
 * Graph state checked at the graph's boundary only. A StateGraph built on a zod state schema parses
 * every node update against partial schemas it builds anew for each update (zod then compiles a fresh
 * parser each time: ~8 % of a run's CPU in profiles). Our graphs give LangGraph the channels of their
 * zod schema instead (the same reducers, from the registry), and the schema (made partial once, as
 * LangGraph treats a graph's input by default) as its `input`, so what enters a graph (a CLI run, a
 * Studio run, a Send to a subgraph) is still parsed, and what nodes write is typed by TypeScript
 * rather than re-parsed at run time.
 */
import { schemaMetaRegistry } from "@langchain/langgraph/zod";
import type { z } from "zod";

/** The LangGraph channels of a zod state schema, typed as the schema (they are what LangGraph would derive from it). */
export function channelsOf<S extends z.ZodObject>(schema: S): S {
  return schemaMetaRegistry.getChannelsForSchema(schema) as S;
}

/**
 * `state` and `input` of a StateGraph, parsed on entry only. The input is what a user sets (Studio's
 * input form lists it, with its required fields marked): never the state the nodes fill in.
 */
export function leanState<S extends z.ZodObject, I extends z.ZodObject>(schema: S, input: I) {
  return { state: channelsOf(schema), input };
}

/**
 * A state field an earlier node sets, read by a later one: its value, or an error naming what is
 * missing (a graph entered at the wrong node, a node renamed) instead of a silent undefined.
 */
export function need<T>(value: T | undefined | null, what: string): T {
  if (value === undefined || value === null) throw new Error(`graph state: ${what} is not set`);
  return value;
}
