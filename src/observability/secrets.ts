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
];

/** A URL's user and password, right after its "://" (what `maskUrlCredentials` masks). */
const URL_CREDENTIALS = /[^\s/:@"']+:[^\s/@"']+@/y;
const isWord = (c: string | undefined) => c !== undefined && /\w/.test(c);
const isSchemeChar = (c: string | undefined) => c !== undefined && /[a-z0-9+.-]/i.test(c);

/**
 * `scheme://user:password@` with the user and password masked (`scheme://***:***@`), a scheme being a letter at a word
 * boundary then letters, digits, "+", "." or "-": the same as
 * `s.replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^\s/:@"']+:[^\s/@"']+@/gi, "$1***:***@")`, looking only where "://" is (the
 * regular expression tried a scheme at every word of every text written: 2 % of a run's CPU).
 */
export function maskUrlCredentials(s: string): string {
  let out = "";
  let done = 0; // s[..done) is in `out`
  for (let at = s.indexOf("://"); at !== -1; at = s.indexOf("://", at + 1)) {
    if (at < done) continue;
    let from = at;
    while (from > done && isSchemeChar(s[from - 1])) from--;
    // a scheme: it starts with a letter at a word boundary somewhere in the run of scheme characters before "://"
    let scheme = false;
    for (let p = from; p < at && !scheme; p++) scheme = /[a-z]/i.test(s[p]!) && (p === 0 || !isWord(s[p - 1]));
    if (!scheme) continue;
    URL_CREDENTIALS.lastIndex = at + 3;
    if (!URL_CREDENTIALS.test(s)) continue;
    out += `${s.slice(done, at + 3)}***:***@`;
    done = URL_CREDENTIALS.lastIndex;
    at = done - 1;
  }
  return done === 0 ? s : out + s.slice(done);
}

/** The values of secret env vars (and passwords inside env URLs) of one environment, longest first. */
function secretsOf(env: NodeJS.ProcessEnv): string[] {
  const out = new Set<string>();
  for (const [k, v] of Object.entries(env)) {
    if (!v || v.length < 6) continue;
    if (SECRET_ENV.test(k)) out.add(v);
    const m = URL_PASSWORD.exec(v);
    if (m && m[1]!.length >= 4) out.add(m[1]!);
  }
  return [...out].sort((a, b) => b.length - a.length);
}

/**
 * The process's secrets as last read, with what they were read from: its variable names, and the values of the ones
 * that held a secret or a URL (reading every value of the environment anew took 80 us, and every write scrubs).
 */
let known: { names: string; watched: [string, string | undefined][]; secrets: string[] } | undefined;

/** Values of secret env vars (and passwords inside env URLs), longest first. */
export function secretValues(env: NodeJS.ProcessEnv = process.env): string[] {
  if (env !== process.env) return secretsOf(env);
  const names = Object.keys(env).join("\0");
  if (known?.names === names && known.watched.every(([k, v]) => env[k] === v)) return known.secrets;
  const watched = Object.entries(env).filter(([k, v]) => SECRET_ENV.test(k) || (v ?? "").includes("://"));
  known = { names, watched, secrets: secretsOf(env) };
  return known.secrets;
}

export function scrub(text: string, secrets: readonly string[] = secretValues()): string {
  let s = text;
  for (const v of secrets) if (s.includes(v)) s = s.split(v).join("***");
  for (const [re, rep] of PATTERNS) s = s.replace(re, rep);
  return maskUrlCredentials(s);
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
