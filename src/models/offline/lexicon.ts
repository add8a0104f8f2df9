/**
 * The offline analyst's event lexicon: cue phrases for the types of the 13/57 taxonomy (English).
 * A text gets every type whose cue matches; the first entries win ties, so the specific types come
 * before the generic market-talk ones. Each match records its cue, so every extraction is explainable.
 */
import { type EventType, findType } from "../../domain/taxonomy.ts";

const L: [group: string, type: string, cue: RegExp][] = [
  [
    "Policies and Regulation",
    "Institutional Supervision",
    /\b(sec|ftc|doj|antitrust|regulator\w*|investigat\w*|probe|eu commission|competition authorit\w*)\b/,
  ],
  [
    "Policies and Regulation",
    "International Controls and Sanctions",
    /\b(sanction\w*|export ban|export control\w*|tariff\w*|embargo)\b/,
  ],
  [
    "Policies and Regulation",
    "Policy Release",
    /\b(new (law|rule|regulation)s?|legislation|bill passed|net neutrality)\b/,
  ],
  [
    "Policies and Regulation",
    "Government Support",
    /\b(government (contract|support|subsid\w*)|subsid\w*|grant from)\b/,
  ],
  ["Macroeconomic Finance", "Taxation", /\b(tax|taxes|irs|tax bill|repatriat\w*)\b/],
  ["Macroeconomic Finance", "Fiscal Policy", /\b(fed|federal reserve|interest rates?|rate hike|stimulus|fiscal)\b/],
  ["Corporate Personnel", "Violations and Misconduct", /\b(fraud|misconduct|scandal|bribe\w*|insider trading)\b/],
  [
    "Corporate Personnel",
    "Executives",
    /\b(ceo|cfo|coo|cto|chairman|executive|tim cook|nadella|ellison|krzanich|hurd|catz)\b/,
  ],
  [
    "Corporate Personnel",
    "Personnel Changes",
    /\b(layoffs?|job cuts?|hires?|hiring|resign\w*|steps down|appoint\w*|fired|headcount)\b/,
  ],
  [
    "Corporate Operations",
    "Mergers and Acquisitions",
    /\b(acquir\w*|acquisition\w*|merger\w*|buyout|takeover|to buy|deal to buy)\b/,
  ],
  [
    "Corporate Operations",
    "Profitability",
    /\b(earnings|eps|revenue\w*|profit\w*|quarter(ly)? results|q[1-4]|guidance|margin\w*|beats? estimates|miss(es|ed)? estimates)\b/,
  ],
  [
    "Corporate Operations",
    "Financing",
    /\b(bond (sale|offering)|debt offering|raises? \$?\d|financing|credit facility|notes offering)\b/,
  ],
  ["Corporate Operations", "Investment", /\b(invest(s|ed|ing)? (\$?\d[\w.]* )?in|investment in|stake in)\b/],
  ["Corporate Operations", "Expenditure", /\b(capex|spending|data ?center build\w*|capital expenditure\w*)\b/],
  ["Corporate Operations", "Contracts", /\b(contract\w*|deal with|licens\w*)\b/],
  ["Corporate Operations", "Order Service Agreement Signing", /\b(signs?|signed) (a |an )?(deal|agreement|order)\b/],
  [
    "Corporate Equity",
    "Share Increase",
    /\b(buyback\w*|repurchase\w*|raises? (its )?dividend|dividend (hike|increase))\b/,
  ],
  ["Corporate Equity", "Share Decrease", /\b(dilut\w*|share (sale|offering)|secondary offering|sells? shares)\b/],
  ["Corporate Equity", "Shareholder Changes", /\b(activist|icahn|13f|shareholder\w*|stake (increase|cut)|holdings?)\b/],
  ["Corporate Equity", "Ownership Disputes", /\b(proxy fight|ownership dispute)\b/],
  [
    "Risks and Warnings",
    "Company-Specific Risks",
    /\b(lawsuit\w*|sue[sd]?|patent (suit|case|war)|recall\w*|outage\w*|breach\w*|hack\w*|vulnerab\w*|bug|defect\w*|warns?|warning)\b/,
  ],
  [
    "Risks and Warnings",
    "Industry-Wide Risk Alerts",
    /\b(pc market (slump|decline)|industry (slowdown|decline)|chip glut|sector (risk|warning))\b/,
  ],
  ["Risks and Warnings", "Business Clarification", /\b(denies|denied|clarif\w*|rumou?r\w*|responds to report)\b/],
  ["Technology Events", "Technological Breakthrough", /\b(breakthrough|first ever|world'?s first)\b/],
  ["Technology Events", "Research and Development Progress", /\b(prototype|patent (granted|filed|awarded)|patents?)\b/],
  ["Technology Events", "Certification", /\b(certif\w*|fda|fcc (approval|filing))\b/],
  ["Technology Events", "Shipment", /\b(ship(s|ments?|ped|ping)|deliver(ies|ed|s))\b/],
  [
    "Technology Events",
    "Ecosystem Collaboration",
    /\b(developers?|app store|ecosystem|open source|api|wwdc|build conference)\b/,
  ],
  [
    "Technology Events",
    "Enablement",
    /\b(cloud|ai|machine learning|artificial intelligence|5g|iot|internet of things)\b/,
  ],
  [
    "Products and Market",
    "New Product Launch",
    /\b(launch\w*|unveil\w*|announc\w* (new|the)|introduc\w*|release[sd]? (new|the)|debut\w*|new (iphone|ipad|mac|surface|xbox|watch|product)|iphone ?\d\w*|ios ?\d+|windows ?10)\b/,
  ],
  [
    "Products and Market",
    "Product Price Changes",
    /\b(price (cut|hike|increase|drop)|cuts? prices?|raises? prices?|discount\w*|cheaper)\b/,
  ],
  [
    "Products and Market",
    "Supply-Demand Dynamics",
    /\b(demand|supply|supplier\w*|shortage\w*|inventory|sold out|pre-?orders?|sales)\b/,
  ],
  ["Products and Market", "Product Output Changes", /\b(production (cut|increase)|output|ramp\w* up)\b/],
  ["Products and Market", "Product Mass Production", /\b(mass production|mass-produc\w*|foxconn|assembly)\b/],
  ["Products and Market", "Product Application", /\b(adopt\w*|rolls? out|deploy\w*|users?|customers?)\b/],
  ["Products and Market", "Research and Development", /\b(r&d|research|develop\w*)\b/],
  [
    "Cooperation and Strategy",
    "Strategic Cooperation and Co-construction",
    /\b(partner\w*|collaborat\w*|team(s|ed)? up|alliance with|joint venture)\b/,
  ],
  [
    "Cooperation and Strategy",
    "Industry Alliances and Standards Organizations",
    /\b(consortium|standards? body|industry alliance)\b/,
  ],
  ["Industry Standards", "Standards", /\b(standards?|usb-?c|wi-?fi \w+)\b/],
  ["Industry Standards", "Opinions and Commentary", /\b(opinion|commentary|editorial|op-ed|column)\b/],
  [
    "Corporate Projects",
    "Cross-sector Expansion",
    /\b(enter\w* the|expan\w* into|car project|self-driving|automotive|healthcare push|streaming service)\b/,
  ],
  ["Corporate Projects", "Project Initiation", /\b(new project|initiative|begins? work|kicks? off)\b/],
  ["Corporate Projects", "Project Implementation", /\b(construction|campus|rollout|implementation)\b/],
  [
    "Stock Market Performance",
    "Institutional Views",
    /\b(upgrad\w*|downgrad\w*|price target|pt \$?\d|analysts?|rating|overweight|underweight|outperform|underperform|buy rating|sell rating|initiat\w* coverage)\b/,
  ],
  [
    "Stock Market Performance",
    "Capital Flows",
    /\b(inflows?|outflows?|fund(s)? (buy|sell|add)\w*|hedge funds?|institutional (buying|selling))\b/,
  ],
  [
    "Stock Market Performance",
    "Trading Activities",
    /\b(options?|calls?|puts?|volume|short interest|shorts?|trad(e|es|ing)|bought|sold|position|entry|stop loss)\b/,
  ],
  [
    "Stock Market Performance",
    "Individual Stock Performance",
    /\b(stock|shares?|up \d|down \d|\d+(\.\d+)?%|new high|all[- ]time high|52[- ]week|rall\w*|surg\w*|plung\w*|sell-?off|breakout|support|resistance|chart)\b/,
  ],
  [
    "Stock Market Performance",
    "Sector Concept Performance",
    /\b(tech (stocks|sector)|semiconductor stocks|faang|sector)\b/,
  ],
  ["Stock Market Performance", "Market Size", /\b(market (cap|value|capitali[sz]ation)|most valuable|trillion)\b/],
  [
    "Other Financial Market Performance",
    "Market Performance",
    /\b(dow|s&p|nasdaq|spx|spy|qqq|futures|market (rally|selloff|sell-off|crash))\b/,
  ],
  ["Other Financial Market Performance", "Capital Flows", /\b(etf flows?|fund flows?)\b/],
  ["Other Financial Market Performance", "Institutional Views", /\b(strategists?|market outlook)\b/],
  ["Other Financial Market Performance", "Market Size", /\b(ipo market|market breadth)\b/],
  ["Macroeconomic Finance", "Livelihood and Welfare", /\b(jobs report|unemployment|consumer spending|wages)\b/],
];

export interface LexiconMatch {
  type: EventType;
  cue: string;
}

const ENTRIES = L.map(([g, t, re]) => {
  const type = findType(g, t);
  if (!type) throw new Error(`lexicon entry "${g} / ${t}" is not in the taxonomy`);
  return { type, re };
});

/** Types whose cue appears in the (cleaned) text, in lexicon order, one match per type. */
export function matchTypes(text: string): LexiconMatch[] {
  const lower = text.toLowerCase();
  const out: LexiconMatch[] = [];
  const seen = new Set<number>();
  for (const { type, re } of ENTRIES) {
    if (seen.has(type.id)) continue;
    const m = re.exec(lower);
    if (m) {
      seen.add(type.id);
      out.push({ type, cue: m[0] });
    }
  }
  return out;
}
