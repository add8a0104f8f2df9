/** Text helpers of the offline analyst: cleaning social posts, companies, sentiment. */

/** Strips retweet prefixes, URLs and HTML entities; collapses whitespace. */
export function cleanText(text: string): string {
  return text
    .replace(/^RT\s+@\w+:?\s*/i, "")
    .replace(/https?:\/\/\S*/g, "")
    .replace(/&amp;/g, "&")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/…/g, "")
    .replace(/\s+/g, " ")
    .trim();
}

/** Names and products that identify each covered company (lower case). */
const COMPANY_ALIASES: Record<string, readonly string[]> = {
  AAPL: ["apple", "iphone", "ipad", "macbook", "apple watch", "itunes", "tim cook"],
  MSFT: ["microsoft", "windows", "xbox", "azure", "office 365", "nadella", "surface"],
  INTC: ["intel", "krzanich", "xeon", "altera"],
  ORCL: ["oracle", "larry ellison", "safra catz", "mark hurd"],
  AMZN: ["amazon", "aws", "bezos", "kindle", "prime"],
  GOOG: ["google", "alphabet", "android", "youtube", "pichai"],
  FB: ["facebook", "zuckerberg", "instagram", "whatsapp", "oculus"],
  CSCO: ["cisco", "chambers", "chuck robbins"],
};

export const INDUSTRY: Record<string, string> = {
  AAPL: "Consumer Electronics",
  MSFT: "Software",
  INTC: "Semiconductors",
  ORCL: "Software",
  AMZN: "E-commerce",
  GOOG: "Internet",
  FB: "Internet",
  CSCO: "Networking",
};

/** Companies mentioned: cashtags plus known names, as tickers, in order of (first) appearance. */
export function companiesIn(text: string): string[] {
  const found: { at: number; ticker: string }[] = [];
  for (const m of text.matchAll(/\$([A-Za-z]{1,6})\b/g)) found.push({ at: m.index, ticker: m[1]!.toUpperCase() });
  const lower = text.toLowerCase();
  for (const [ticker, names] of Object.entries(COMPANY_ALIASES))
    for (const n of names) {
      const at = lower.indexOf(n);
      if (at >= 0) found.push({ at, ticker });
    }
  return [...new Set(found.sort((a, b) => a.at - b.at).map((f) => f.ticker))];
}

/** Cashtags of index funds and volatility gauges: the market, not a company (they never make an item another's). */
const MARKET_TAGS = new Set(["SPY", "QQQ", "DIA", "IWM", "VIX", "VXX", "UVXY", "TQQQ", "SQQQ", "XLK", "SPX", "NDX"]);

/** More companies than this in one item make it a list (market chatter, a watch list), not one company's event. */
const LIST_COMPANIES = 3;

/**
 * Whether a news item is `ticker`'s own: the relevance rule of the extractor's prompt ("events of this company
 * only"), offline. Chosen a priori, not fitted: an item's subject is the company it names first (index funds aside);
 * an item whose subject is another company is that company's news, and an item naming more than three companies is
 * a list, nobody's event. An item naming no company stays with the ticker its source filed it under.
 */
export function isAbout(ticker: string, text: string): boolean {
  const companies = companiesIn(text).filter((c) => !MARKET_TAGS.has(c));
  if (companies.length === 0) return true;
  return companies.length <= LIST_COMPANIES && companies[0] === ticker;
}

const POSITIVE = [
  "beat",
  "beats",
  "surge",
  "surges",
  "soar",
  "soars",
  "rally",
  "rallies",
  "jump",
  "jumps",
  "gain",
  "gains",
  "rise",
  "rises",
  "up",
  "upgrade",
  "upgraded",
  "upgrades",
  "buy",
  "bullish",
  "long",
  "record",
  "strong",
  "growth",
  "higher",
  "outperform",
  "raises",
  "raised",
  "boost",
  "boosts",
  "breakout",
  "win",
  "wins",
  "positive",
  "profit",
  "exceed",
  "exceeds",
  "top",
  "tops",
  "best",
  "love",
  "great",
  "calls",
];
const NEGATIVE = [
  "miss",
  "misses",
  "missed",
  "fall",
  "falls",
  "drop",
  "drops",
  "plunge",
  "plunges",
  "slump",
  "slumps",
  "decline",
  "declines",
  "down",
  "downgrade",
  "downgraded",
  "downgrades",
  "sell",
  "bearish",
  "short",
  "weak",
  "lower",
  "cut",
  "cuts",
  "loss",
  "losses",
  "lawsuit",
  "sue",
  "sued",
  "probe",
  "fine",
  "fined",
  "recall",
  "warning",
  "warns",
  "underperform",
  "risk",
  "crash",
  "fear",
  "fears",
  "worst",
  "negative",
  "puts",
  "layoffs",
  "slowdown",
];
const POS = new Set(POSITIVE);
const NEG = new Set(NEGATIVE);
const NEGATORS = new Set(["not", "no", "never", "isn't", "don't", "doesn't", "won't", "didn't"]);

/**
 * Lexicon sentiment in [-1, 1]: (pos - neg) / (pos + neg); a negator up to two tokens before a cue flips it ("not a
 * beat"); 0 without cue words.
 */
export function sentiment(text: string): number {
  const toks = text.toLowerCase().match(/[a-z']+/g) ?? [];
  let pos = 0;
  let neg = 0;
  toks.forEach((t, i) => {
    const flip = (i > 0 && NEGATORS.has(toks[i - 1]!)) || (i > 1 && NEGATORS.has(toks[i - 2]!));
    if (POS.has(t)) flip ? neg++ : pos++;
    else if (NEG.has(t)) flip ? pos++ : neg++;
  });
  return pos + neg === 0 ? 0 : (pos - neg) / (pos + neg);
}
