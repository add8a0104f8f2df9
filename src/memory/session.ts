/** Opening the memory of a run: the Chroma endpoint (managed or CHROMA_URL) and the store on it. */
import { stateDir } from "../config/paths.ts";
import { connectChroma, type ChromaEndpoint } from "./chroma-server.ts";
import { createEmbedder } from "./embeddings.ts";
import { MemoryStore } from "./store.ts";

export interface MemorySession {
  endpoint: ChromaEndpoint;
  store: MemoryStore;
  close(): Promise<void>;
}

export async function openMemory(opts: { run: string; embeddings: string; embeddingDim: number; env?: NodeJS.ProcessEnv }): Promise<MemorySession> {
  const env = opts.env ?? process.env;
  const endpoint = await connectChroma(stateDir(env), env);
  try {
    const store = await MemoryStore.open(endpoint.url, opts.run, createEmbedder(opts.embeddings, { dim: opts.embeddingDim, env }));
    return { endpoint, store, close: () => endpoint.stop() };
  } catch (e) {
    await endpoint.stop();
    throw e;
  }
}

/** Runs `fn` with the Chroma endpoint of this process, stopping a managed server afterwards. */
export async function withChroma<T>(fn: (endpoint: ChromaEndpoint) => Promise<T>, env: NodeJS.ProcessEnv = process.env): Promise<T> {
  const endpoint = await connectChroma(stateDir(env), env);
  try {
    return await fn(endpoint);
  } finally {
    await endpoint.stop();
  }
}
