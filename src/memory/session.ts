/** The Chroma endpoint of a command: CHROMA_URL, or a managed server stopped afterwards. */
import { stateDir } from "../config/paths.ts";
import { type ChromaEndpoint, connectChroma } from "./chroma-server.ts";

/** Runs `fn` with the Chroma endpoint of this process, stopping a managed server afterwards. */
export async function withChroma<T>(
  fn: (endpoint: ChromaEndpoint) => Promise<T>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<T> {
  const endpoint = await connectChroma(stateDir(env), env);
  try {
    return await fn(endpoint);
  } finally {
    await endpoint.stop();
  }
}
