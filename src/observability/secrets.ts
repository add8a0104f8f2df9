/**
 * Secret scrubbing for everything stockmem writes (memory, traces, run files, cache, eval results,
 * errors): the values of secret-looking environment variables, API-key and bearer-token shapes, and
 * credentials in URLs. Child processes that need no credentials get an environment without them.
 */
const SECRET_ENV = /(KEY|TOKEN|SECRET|PASSWORD|PASS|AUTH|CREDENTIAL)/i;
/** A URL with a user and password in it (the password captured), as env values sometimes are. */
const URL_PASSWORD = /:\/\/[^\s/:@]+:([^\s/@]+)@/;
const PATTERNS: [RegExp, string][] = [
  [/\bsk-[A-Za-z0-9_-]{12,}/g, "sk-***"],
  [/\blsv2_[A-Za-z0-9_]{12,}/g, "lsv2_***"],
  // a credential after the scheme has a digit and 12+ token characters ("Basic Materials" is not one)
  [/\b(Bearer|Basic)\s+(?=[A-Za-z0-9._~+/=-]*\d)[A-Za-z0-9._~+/=-]{12,}/gi, "$1 ***"],
  [/(\b[a-z][a-z0-9+.-]*:\/\/)[^\s/:@"']+:[^\s/@"']+@/gi, "$1***:***@"],
];

/** Values of secret env vars (and passwords inside env URLs), longest first. */
export function secretValues(env: NodeJS.ProcessEnv = process.env): string[] {
  const out = new Set<string>();
  for (const [k, v] of Object.entries(env)) {
    if (!v || v.length < 6) continue;
    if (SECRET_ENV.test(k)) out.add(v);
    const m = URL_PASSWORD.exec(v);
    if (m && m[1]!.length >= 4) out.add(m[1]!);
  }
  return [...out].sort((a, b) => b.length - a.length);
}

export function scrub(text: string, secrets: readonly string[] = secretValues()): string {
  let s = text;
  for (const v of secrets) s = s.split(v).join("***");
  for (const [re, rep] of PATTERNS) s = s.replace(re, rep);
  return s;
}

/** Every string inside a value scrubbed (records about to be stored: memory documents and metadata). */
export function scrubDeep<T>(value: T, secrets: readonly string[] = secretValues()): T {
  if (typeof value === "string") return scrub(value, secrets) as T;
  if (Array.isArray(value)) return value.map((v) => scrubDeep(v, secrets)) as T;
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubDeep(v, secrets)])) as T;
  return value;
}

/**
 * The environment for a child process that needs no credentials (the Chroma server): secret-looking variables left out.
 */
export function withoutSecrets(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(env).filter(([k, v]) => !SECRET_ENV.test(k) && !(v && URL_PASSWORD.test(v))),
  );
}
