/**
 * SEC Form 8-K items onto the event taxonomy. A filing names what it reports by item code (the
 * `sec-edgar` source writes "8-K filed by <company>. Item 2.02 Results of Operations and Financial
 * Condition; ..."), the cleanest event signal there is: official and timed to the second. Items whose
 * meaning depends on what they say (7.01 Regulation FD, 8.01 Other Events) map by their content; 9.01
 * (the exhibits themselves) is no event.
 */
export const FILING_ITEM_TYPES: Readonly<Record<string, { group: string; type: string } | "by content" | "no event">> =
  {
    "1.01": { group: "Corporate Operations", type: "Contracts" },
    "1.02": { group: "Corporate Operations", type: "Order Service Agreement Changes" },
    "1.03": { group: "Risks and Warnings", type: "Company-Specific Risks" },
    "1.05": { group: "Risks and Warnings", type: "Company-Specific Risks" },
    "2.01": { group: "Corporate Operations", type: "Mergers and Acquisitions" },
    "2.02": { group: "Corporate Operations", type: "Profitability" },
    "2.03": { group: "Corporate Operations", type: "Financing" },
    "2.04": { group: "Corporate Operations", type: "Financing" },
    "2.05": { group: "Corporate Operations", type: "Expenditure" },
    "2.06": { group: "Risks and Warnings", type: "Company-Specific Risks" },
    "3.01": { group: "Risks and Warnings", type: "Company-Specific Risks" },
    "3.02": { group: "Corporate Equity", type: "Share Increase" },
    "3.03": { group: "Corporate Equity", type: "Shareholder Changes" },
    "4.01": { group: "Corporate Personnel", type: "Personnel Changes" },
    "4.02": { group: "Risks and Warnings", type: "Company-Specific Risks" },
    "5.01": { group: "Corporate Equity", type: "Shareholder Changes" },
    "5.02": { group: "Corporate Personnel", type: "Personnel Changes" },
    "5.03": { group: "Corporate Personnel", type: "Executives" },
    "5.07": { group: "Corporate Personnel", type: "Executives" },
    "7.01": "by content",
    "8.01": "by content",
    "9.01": "no event",
  };

/** The item codes a filing's text names ("8-K filed by X. Item 2.02 ...; Item 9.01 ..."), or none for other text. */
export function filingItemCodes(text: string): string[] {
  if (!/^(8-K|6-K)(\/A)? filed by /.test(text)) return [];
  return [...new Set([...text.matchAll(/\bItem (\d\.\d\d)\b/g)].map((m) => m[1]!))];
}
