/**
 * SEC EDGAR filings (no key): each 8-K (6-K for a foreign issuer) of a ticker becomes an item published
 * at the filing's acceptance time, to the second, whose text names the items it reports ("Item 2.02
 * Results of Operations and Financial Condition", ...) followed by its press-release exhibit (EX-99) as
 * text, bounded. The SEC asks every client for a User-Agent naming it and a contact
 * (`STOCKMEM_SEC_USER_AGENT`, e.g. "stockmem research you@example.com") and at most 10 requests a
 * second. `STOCKMEM_SEC_BASE_URL` points www.sec.gov and data.sec.gov elsewhere (the tests' fake server).
 * Endpoints: /files/company_tickers.json (ticker -> CIK), /submissions/CIK##########.json (recent
 * filings), /Archives/edgar/data/<cik>/<accession>/index.json (the filing's files).
 */
import { htmlText } from "./html.ts";
import { baseUrl, parseJson, SourceError } from "./http.ts";
import type { MarketSource } from "./source.ts";

/** Form 8-K's items (SEC Form 8-K, General Instructions B). */
const ITEM_NAMES: Readonly<Record<string, string>> = {
  "1.01": "Entry into a Material Definitive Agreement",
  "1.02": "Termination of a Material Definitive Agreement",
  "1.03": "Bankruptcy or Receivership",
  "1.04": "Mine Safety - Reporting of Shutdowns and Patterns of Violations",
  "1.05": "Material Cybersecurity Incidents",
  "2.01": "Completion of Acquisition or Disposition of Assets",
  "2.02": "Results of Operations and Financial Condition",
  "2.03": "Creation of a Direct Financial Obligation or an Obligation under an Off-Balance Sheet Arrangement",
  "2.04": "Triggering Events That Accelerate or Increase a Direct Financial Obligation",
  "2.05": "Costs Associated with Exit or Disposal Activities",
  "2.06": "Material Impairments",
  "3.01": "Notice of Delisting or Failure to Satisfy a Continued Listing Rule or Standard",
  "3.02": "Unregistered Sales of Equity Securities",
  "3.03": "Material Modification to Rights of Security Holders",
  "4.01": "Changes in Registrant's Certifying Accountant",
  "4.02": "Non-Reliance on Previously Issued Financial Statements or a Related Audit Report",
  "5.01": "Changes in Control of Registrant",
  "5.02": "Departure of Directors or Certain Officers; Election of Directors; Appointment of Certain Officers",
  "5.03": "Amendments to Articles of Incorporation or Bylaws; Change in Fiscal Year",
  "5.04": "Temporary Suspension of Trading Under Registrant's Employee Benefit Plans",
  "5.05": "Amendments to the Registrant's Code of Ethics, or Waiver of a Provision of the Code of Ethics",
  "5.06": "Change in Shell Company Status",
  "5.07": "Submission of Matters to a Vote of Security Holders",
  "5.08": "Shareholder Director Nominations",
  "7.01": "Regulation FD Disclosure",
  "8.01": "Other Events",
  "9.01": "Financial Statements and Exhibits",
};

/** Characters of an exhibit's text kept. */
const MAX_EXHIBIT = 6000;
const FORMS = new Set(["8-K", "6-K"]);

/** Filings as the SEC lists them: parallel arrays, one entry per filing. */
interface FilingArrays {
  accessionNumber: string[];
  filingDate: string[];
  acceptanceDateTime: string[];
  form: string[];
  items?: string[];
  primaryDocument: string[];
}

interface Submissions {
  name?: string;
  filings?: {
    recent?: FilingArrays;
    /** older filings, a file each, beyond the recent ~1,000 */
    files?: { name: string; filingFrom: string; filingTo: string }[];
  };
}

/** The SEC's fair-access pace: at most 10 requests a second. */
const pace = () => new Promise((r) => setTimeout(r, 110));

export const secEdgar: MarketSource = {
  name: "sec-edgar",
  kind: "filings",
  about: "SEC EDGAR 8-K/6-K filings with their items and press release (no key; needs STOCKMEM_SEC_USER_AGENT)",
  needs: ["STOCKMEM_SEC_USER_AGENT"],
  async pull(ticker, c) {
    const www = baseUrl(c.env, "SEC", "https://www.sec.gov");
    const data = baseUrl(c.env, "SEC", "https://data.sec.gov");
    const init = { headers: { "User-Agent": c.env.STOCKMEM_SEC_USER_AGENT!, Accept: "application/json,text/html" } };
    const requests: string[] = [];
    const get = async (url: string) => {
      requests.push(url);
      await pace();
      return c.fetch(url, init);
    };
    const json = async <T>(url: string): Promise<T> =>
      parseJson<T>(await (await get(url)).text(), "sec-edgar", ticker, url);
    const tickers = await json<Record<string, { cik_str: number; ticker: string; title: string }>>(
      `${www}/files/company_tickers.json`,
    );
    const company = Object.values(tickers).find((t) => t.ticker?.toUpperCase() === ticker);
    if (!company) throw new SourceError(`sec-edgar ${ticker}: not in the SEC's ticker list (company_tickers.json)`);
    const cik = String(company.cik_str);
    const subs = await json<Submissions>(`${data}/submissions/CIK${cik.padStart(10, "0")}.json`);
    const lists: FilingArrays[] = [];
    const recentList = subs.filings?.recent;
    if (!recentList || !Array.isArray(recentList.form))
      throw new SourceError(`sec-edgar ${ticker}: the submissions of CIK ${cik} have no filings.recent arrays`);
    lists.push(recentList);
    // a backfill older than the recent list: the older files whose span meets the range
    for (const f of subs.filings?.files ?? [])
      if (f.filingFrom <= c.to && f.filingTo >= c.from)
        lists.push(await json<FilingArrays>(`${data}/submissions/${f.name}`));
    const items = [];
    for (const recent of lists)
      for (let i = 0; i < recent.form.length; i++) {
        const form = recent.form[i]!;
        const accepted = recent.acceptanceDateTime[i];
        const day = accepted?.slice(0, 10) ?? recent.filingDate[i]!;
        if (!FORMS.has(form) || !accepted || day < c.from || day > c.to) continue;
        const accession = recent.accessionNumber[i]!;
        const folder = `${www}/Archives/edgar/data/${cik}/${accession.replaceAll("-", "")}`;
        const codes = (recent.items?.[i] ?? "")
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean);
        const named = codes.map(
          (code) => `Item ${code} ${ITEM_NAMES[code] ?? "(an item the SEC's list does not name)"}`,
        );
        // the press release: the EX-99 exhibit, else the filing's primary document
        const index = await json<{ directory?: { item?: { name: string }[] } }>(`${folder}/index.json`);
        const files = (index.directory?.item ?? []).map((f) => f.name);
        const exhibit = files.find((f) => /ex-?99/i.test(f) && /\.html?$/i.test(f)) ?? recent.primaryDocument[i];
        let body = "";
        if (exhibit) {
          const html = await (await get(`${folder}/${exhibit}`)).text();
          body = htmlText(html, MAX_EXHIBIT);
        }
        const name = subs.name ?? company.title;
        items.push({
          id: `sec-${accession}`,
          ticker,
          published_at: new Date(accepted).toISOString(),
          title: `${form} ${name}${named.length ? `: ${codes.join(", ")}` : ""}`,
          text: `${form} filed by ${name}. ${named.join("; ")}${named.length ? ". " : ""}${body}`.trim(),
          source: "sec-edgar",
          url: `${folder}/${accession}-index.htm`,
        });
      }
    return { items, requests };
  },
};
