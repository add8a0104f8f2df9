/**
 * What the LangGraph dev server (`npm run studio`) admits. It listens on 127.0.0.1 only, but any web
 * page the user visits can send it requests: a page's origin, a rebound DNS name (a Host header that
 * is not a local one), a data dir anywhere on disk, or a model that spends the configured key. One
 * home for the rules; app/studio-door.ts applies the door, the graphs' resources the rest.
 */
import { realpathSync } from "node:fs";
import { delimiter, resolve } from "node:path";
import { SAMPLE_DATA_DIR } from "./paths.ts";

/** LangGraph Studio's web app: the one remote origin that may drive the dev server. */
const STUDIO_ORIGIN = "https://smith.langchain.com";

const LOCAL_HOST = /^(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?$/i;
const LOCAL_ORIGIN = /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?$/i;

/**
 * Why a request may not pass the door, or undefined when it may: its Host must be a local name (no DNS
 * rebinding), and its Origin, when a browser sends one, Studio's, a local page's, or one listed in
 * STOCKMEM_STUDIO_ORIGINS (comma-separated).
 */
export function doorRefusal(
  h: { host?: string | null; origin?: string | null },
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  if (!h.host || !LOCAL_HOST.test(h.host))
    return `host ${JSON.stringify(h.host ?? "")} is not a local name: the dev server answers 127.0.0.1 and localhost only`;
  if (!h.origin) return undefined; // not a browser page (the SDK, curl, Studio's server side)
  const extra = (env.STOCKMEM_STUDIO_ORIGINS ?? "")
    .split(",")
    .map((o) => o.trim())
    .filter(Boolean);
  if (h.origin === STUDIO_ORIGIN || LOCAL_ORIGIN.test(h.origin) || extra.includes(h.origin)) return undefined;
  return `origin ${JSON.stringify(h.origin)} may not drive the dev server (allowed: ${STUDIO_ORIGIN}, local pages${extra.length ? `, ${extra.join(", ")}` : ""}; add one to STOCKMEM_STUDIO_ORIGINS)`;
}

const real = (p: string) => {
  try {
    return realpathSync(p);
  } catch {
    return resolve(p);
  }
};

/**
 * The data dirs a graph run from the dev server may read: the bundled sample, STOCKMEM_MARKET_DATA, and
 * STOCKMEM_DATA_DIRS (a path list).
 */
function configuredDataDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  const listed = (env.STOCKMEM_DATA_DIRS ?? "").split(delimiter).filter((d) => d.trim());
  return [
    ...new Set(
      [SAMPLE_DATA_DIR, env.STOCKMEM_MARKET_DATA, ...listed]
        .filter((d): d is string => Boolean(d?.trim()))
        .map((d) => real(d)),
    ),
  ];
}

/**
 * The data dir a graph context asks for, if the project configures it; otherwise an error naming the way to allow it
 * (never the dir's contents).
 */
export function admittedDataDir(asked: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (asked === undefined) return resolve(env.STOCKMEM_MARKET_DATA ?? SAMPLE_DATA_DIR);
  const allowed = configuredDataDirs(env);
  const dir = real(asked);
  if (allowed.includes(dir)) return dir;
  throw new Error(
    `context.dataDir ${JSON.stringify(asked)} is not a data dir this project configures (${allowed.join(", ")}): list it in STOCKMEM_DATA_DIRS in .env to read it from Studio`,
  );
}

/**
 * The model-call budget of a graph run from the dev server when its context sets none (STOCKMEM_STUDIO_BUDGET_CALLS,
 * default 300).
 */
export function studioBudgetCalls(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.STOCKMEM_STUDIO_BUDGET_CALLS ?? 300);
  return Number.isInteger(n) && n > 0 ? n : 300;
}
