/**
 * Before a run's first ticker-day: every model it will call has its key and its endpoint answers. Without this, a
 * missing OPENAI_API_KEY surfaced mid-run as the SDK's text about `workloadIdentity`/`adminAPIKey`.
 */
import { messageOf } from "../domain/errors.ts";
import { endpointOf, isOffline } from "./provider.ts";

/** A model a run needs cannot be used: its key is missing or refused, or its endpoint does not answer. */
export class ModelSetupError extends Error {
  constructor(message: string) {
    super(`${message} (checked before the first ticker-day: nothing was run)`);
    this.name = "ModelSetupError";
  }
}

/** How long an endpoint has to answer the check. */
const REACH_MS = 5_000;

/**
 * Checks the chat and embedding models `specs` (provider:model; offline ones need nothing): an OpenAI model needs
 * OPENAI_API_KEY unless OPENAI_BASE_URL points at a server of one's own; each endpoint must answer GET /models (any
 * status but 401/403) within a few seconds.
 */
export async function checkModels(specs: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const live = [...new Set(specs)].filter((s) => !isOffline(s) && s !== "offline:hash");
  for (const spec of live)
    if (spec.startsWith("openai:") && !env.OPENAI_API_KEY && !env.OPENAI_BASE_URL)
      throw new ModelSetupError(
        `${spec} needs OPENAI_API_KEY: set it in the environment or in .env (or set OPENAI_BASE_URL to an OpenAI-compatible server that needs no key)`,
      );
  const endpoints = new Map<string, string>(); // endpoint -> a spec that uses it
  for (const spec of live) if (!endpoints.has(endpointOf(spec, env))) endpoints.set(endpointOf(spec, env), spec);
  await Promise.all(
    [...endpoints].map(async ([endpoint, spec]) => {
      const key = spec.startsWith("openai:") ? env.OPENAI_API_KEY : undefined;
      let status: number;
      try {
        const res = await fetch(`${endpoint}/models`, {
          headers: key ? { authorization: `Bearer ${key}` } : {},
          signal: AbortSignal.timeout(REACH_MS),
        });
        status = res.status;
        await res.body?.cancel();
      } catch (e) {
        const why = (e as Error).name === "TimeoutError" ? `no answer within ${REACH_MS / 1000} s` : causeOf(e);
        throw new ModelSetupError(`${spec}: its endpoint ${endpoint} cannot be reached (${why}): is the server up?`);
      }
      if (status === 401 || status === 403)
        throw new ModelSetupError(
          `${spec}: ${endpoint} refused the key (${status})${key ? ": check OPENAI_API_KEY" : ""}`,
        );
    }),
  );
}

/** fetch's "fetch failed" hides the reason in its cause (ECONNREFUSED, ENOTFOUND, ...). */
function causeOf(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? messageOf(e);
}
