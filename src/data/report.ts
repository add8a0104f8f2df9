import type { LoadReport } from "./load.ts";

const total = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
const detail = (r: Record<string, number>, max = 5) =>
  Object.entries(r)
    .sort((a, b) => b[1] - a[1])
    .slice(0, max)
    .map(([k, v]) => `${k}: ${v}`)
    .join(", ");

/** Human lines for everything the loader did not keep as-is; empty when the input was clean. */
export function describeReport(r: LoadReport): string[] {
  const out: string[] = [];
  const add = (n: number, what: string, more = "") => n > 0 && out.push(`${n} ${what}${more ? ` (${more})` : ""}`);
  add(
    r.invalid.length,
    "invalid lines skipped",
    r.invalid
      .slice(0, 3)
      .map((i) => `${i.file.split("/").pop()}:${i.line} ${i.reason}`)
      .join("; "),
  );
  add(r.duplicateIds, "duplicate item ids removed");
  add(r.identicalDuplicateRows ?? 0, "price rows repeated to the letter, kept once");
  add(
    r.gaps?.length ?? 0,
    "gaps in the prices (rows missing): the label across each is marked and not scored unless --allow-gaps",
    (r.gaps ?? []).slice(0, 3).join("; "),
  );
  add(r.emptyText, "items with empty text skipped");
  add(r.truncatedTexts, "items with a text, title or label field cut to its size cap");
  add(r.scrubbedSecrets ?? 0, "items with a secret (key, token or an env value) replaced by ***");
  add(total(r.unknownTickers), "items of tickers without prices skipped", detail(r.unknownTickers));
  add(total(r.filteredTickers), "items of other tickers filtered out");
  add(
    total(r.beforePriceRange),
    "items published before the close of their ticker's first price row skipped: a day's news is what came out between the previous close and its own, so the first row only opens the window of the second",
    detail(r.beforePriceRange),
  );
  add(
    total(r.afterPriceRange),
    "items published after the close of their ticker's last price row skipped: they belong to a day whose prices are not in the data yet",
    detail(r.afterPriceRange),
  );
  add(r.afterCutoff ?? 0, "price rows and items after the cutoff not read (the data as it stood at that close)");
  add(
    total(r.droppedBySpamCap),
    `items dropped by the per-day cap on ${Object.keys(r.droppedBySpamCap).length} ticker-days`,
    detail(r.droppedBySpamCap, 3),
  );
  return out;
}
