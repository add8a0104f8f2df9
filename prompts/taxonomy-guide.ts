/**
 * What the extractor is told about the 13/57 taxonomy (paper appendix A): one line per type, the
 * rules that separate near-duplicates, the relevance rule, and two worked examples. Written for this
 * project; the type names are the paper's.
 */
import { FILING_ITEM_TYPES } from "../src/domain/filing-items.ts";
import { GROUPS, TYPES } from "../src/domain/taxonomy.ts";

/** One-line definition per type, keyed "Group / Type". A test holds it to the taxonomy, name for name. */
export const TYPE_DEFINITIONS: Readonly<Record<string, string>> = {
  "Policies and Regulation / Policy Release":
    "a government or legislature issues or passes a law, rule or policy that bears on the company or its industry",
  "Policies and Regulation / Development Planning":
    "an official multi-year plan or programme for a sector or region (a national broadband plan, an industrial strategy)",
  "Policies and Regulation / Government Support":
    "subsidies, grants, tax credits or public funding that favour the company or its sector",
  "Policies and Regulation / Institutional Supervision":
    "a regulator or authority investigates, reviews, approves, fines or settles with the company (antitrust probes, SEC inquiries, EU rulings)",
  "Policies and Regulation / International Controls and Sanctions":
    "export controls, tariffs, trade bans, sanctions or other cross-border restrictions",
  "Macroeconomic Finance / Fiscal Policy": "government budgets and spending, central-bank and interest-rate decisions",
  "Macroeconomic Finance / Livelihood and Welfare":
    "jobs, wages, consumer spending and other household-level macro data or programmes",
  "Macroeconomic Finance / Taxation":
    "tax law changes and tax matters of the company (tax disputes, rulings, cash repatriation)",
  "Industry Standards / Standards":
    "a formal technical standard is adopted, changed or dropped (a new USB or Wi-Fi standard)",
  "Industry Standards / Specifications":
    "the technical specifications of a product or component are published or revealed",
  "Industry Standards / Opinions and Commentary":
    "views of industry figures or commentators on where the industry is heading (not ratings of the stock: those are Institutional Views)",
  "Products and Market / Research and Development":
    "R&D plans, budgets, labs or hires aimed at future products, before any result is shown",
  "Products and Market / New Product Launch": "a product, model or service is announced, unveiled or released",
  "Products and Market / Product Mass Production":
    "a product enters or ramps volume manufacturing, or its contract manufacturer starts assembly",
  "Products and Market / Product Application":
    "a product is adopted, deployed or used by customers or in a new use case",
  "Products and Market / Product Price Changes":
    "the company raises, cuts or discounts the prices of its products or services",
  "Products and Market / Product Output Changes":
    "production volumes or capacity change (cuts, increases, constraints)",
  "Products and Market / Supply-Demand Dynamics":
    "demand, unit sales, pre-orders, shortages, inventory or supplier conditions of its products",
  "Technology Events / Technological Breakthrough":
    "a new technical capability is achieved or demonstrated for the first time",
  "Technology Events / Research and Development Progress":
    "a milestone of ongoing development: prototypes, betas, tests, patents granted",
  "Technology Events / Certification":
    "a product receives (or is refused) a regulatory or industry certification (FCC, FDA, security)",
  "Technology Events / Shipment": "products are shipped or delivered, or shipment figures are reported",
  "Technology Events / Ecosystem Collaboration":
    "developers, app stores, platforms and third-party integrations around the company's technology",
  "Technology Events / Enablement":
    "the company provides a technology that enables others (cloud services, AI, APIs, connectivity)",
  "Corporate Operations / Investment": "the company puts money into assets, stakes or ventures without taking control",
  "Corporate Operations / Financing": "the company raises money: bonds, loans, credit lines, debt offerings",
  "Corporate Operations / Expenditure":
    "spending and cost programmes: capital expenditure, data-centre build-outs, restructuring charges",
  "Corporate Operations / Profitability":
    "earnings, revenue, margins and guidance, reported or expected, and their dates",
  "Corporate Operations / Order Service Agreement Signing": "a new customer order or service agreement is signed",
  "Corporate Operations / Order Service Agreement Changes":
    "an existing order or service agreement is renewed, expanded, cut or cancelled",
  "Corporate Operations / Contracts":
    "other contracts: licences, supply contracts, contract awards and disputes over them",
  "Corporate Operations / Mergers and Acquisitions":
    "buying, selling or merging a company or business unit, including talks and bids",
  "Corporate Projects / Project Initiation":
    "a new project or initiative is started or announced (a plant, a campus, a programme)",
  "Corporate Projects / Project Implementation": "progress, completion or delay of a project already under way",
  "Corporate Projects / Cross-sector Expansion": "the company moves into an industry or business line new to it",
  "Corporate Equity / Shareholder Changes":
    "changes among major holders: activist stakes, funds' disclosed positions, shareholder votes",
  "Corporate Equity / Share Increase":
    "capital returned to or held by shareholders grows: buybacks, repurchases, dividend increases, insiders buying",
  "Corporate Equity / Share Decrease":
    "shares sold or issued: insider or major-holder sales, secondary offerings, dilution",
  "Corporate Equity / Ownership Disputes": "fights over control or ownership: proxy fights, contested holdings",
  "Corporate Personnel / Executives":
    "statements, decisions or conduct of named executives (CEO, CFO, chair) in that role",
  "Corporate Personnel / Personnel Changes": "appointments, departures, hiring and layoffs",
  "Corporate Personnel / Violations and Misconduct":
    "fraud, bribery, insider trading or other misconduct by the company's people",
  "Stock Market Performance / Market Size": "the company's market capitalisation or value, and rankings by it",
  "Stock Market Performance / Sector Concept Performance": "how the company's sector or theme of stocks is trading",
  "Stock Market Performance / Individual Stock Performance":
    "the stock's own reported move with a fact: a % change, a new high, a drop after news",
  "Stock Market Performance / Capital Flows":
    "money moving into or out of the stock: fund buying or selling, institutional flows",
  "Stock Market Performance / Trading Activities":
    "trading in the stock: volume, options activity, short interest, block trades",
  "Stock Market Performance / Institutional Views":
    "analysts' ratings, upgrades, downgrades, price targets and coverage of the stock",
  "Other Financial Market Performance / Market Size":
    "the size or breadth of the wider market (IPO market, market breadth)",
  "Other Financial Market Performance / Market Performance":
    "moves of indices and the overall market (Dow, S&P 500, Nasdaq, futures)",
  "Other Financial Market Performance / Capital Flows":
    "flows of the wider market: ETF and fund flows not specific to the stock",
  "Other Financial Market Performance / Institutional Views":
    "strategists' outlooks on the overall market, not on the stock",
  "Cooperation and Strategy / Strategic Cooperation and Co-construction":
    "partnerships, joint ventures and joint development with other companies",
  "Cooperation and Strategy / Industry Alliances and Standards Organizations":
    "joining or acting in industry consortia, alliances or standards bodies",
  "Risks and Warnings / Business Clarification":
    "the company denies, confirms or clarifies a report or rumour about itself",
  "Risks and Warnings / Company-Specific Risks":
    "risks of the company itself: lawsuits, recalls, outages, breaches, defects, profit warnings",
  "Risks and Warnings / Industry-Wide Risk Alerts":
    "risks to the whole industry: a slumping market, a glut, sector-wide warnings",
};

/** Rules for the pairs that are easy to confuse, the relevance rule, and what is not an event. */
export const EXTRACTION_RULES = [
  "Relevance: keep only events about the company itself, or events elsewhere that the item ties to the company (a supplier's outage that halts its production, a rival's deal it loses). Another company's own news, general market chatter and personal trading talk are not events of this company.",
  'Not an event: advertisements, spam, jokes, bare opinions without a fact, trading boasts ("loading calls"), chart patterns without a reported move.',
  "Market Size, Capital Flows and Institutional Views exist twice: under Stock Market Performance when they are about this stock (its market value, money moving in or out of it, analysts' views on it), under Other Financial Market Performance when they are about the overall market.",
  "An analyst's rating or price target is Institutional Views, even when a % move follows; the move itself, when the item reports it, is a separate Individual Stock Performance event.",
  "Product announcements are New Product Launch; Research and Development is work before a product exists; Research and Development Progress is a milestone of that work; Shipment is delivery; Supply-Demand Dynamics is how well it sells.",
  "Order Service Agreement Signing is a new customer agreement, Order Service Agreement Changes an existing one changed; Contracts covers licences and other contracts; Mergers and Acquisitions is a change of control.",
  "Investment is money the company puts into something it does not control; Financing is money it raises; Expenditure is money it spends on its own operations.",
  "Executives is what named leaders say or decide; Personnel Changes is who joins or leaves; Violations and Misconduct is wrongdoing.",
] as const;

/** Two worked examples, with a fictional company so no real fact is taught. */
export const WORKED_EXAMPLES = `Example 1. Company: ACME. Items:
<news id="n1">Acme Corp said Tuesday it will buy data-analytics startup Brightline for $1.2 billion in cash, its largest deal since 2011.</news>
<news id="n2">$ACME to the moon!!! loading calls before the close</news>
Answer: {"events": [{"group": "Corporate Operations", "type": "Mergers and Acquisitions", "time": "Tuesday", "location": "", "entities": ["Acme Corp", "Brightline"], "industries": ["software", "data analytics"], "companies": ["ACME", "Brightline"], "attributes": {"price": "$1.2 billion", "payment": "cash", "target": "Brightline"}, "description": "Acme agreed to acquire data-analytics startup Brightline for $1.2 billion in cash, its largest deal since 2011.", "source_ids": ["n1"]}]}
(n2 is trading talk without a fact: no event.)

Example 2. Company: ACME. Items:
<news id="n1">Acme shares slid 3% after Globex Research cut the stock to neutral, citing slowing cloud growth; Globex's own quarterly profit beat estimates.</news>
Answer: {"events": [{"group": "Stock Market Performance", "type": "Institutional Views", "time": "", "location": "", "entities": ["Globex Research"], "industries": ["cloud computing"], "companies": ["ACME"], "attributes": {"analyst": "Globex Research", "new rating": "neutral", "reason": "slowing cloud growth"}, "description": "Globex Research downgraded Acme to neutral, citing slowing cloud growth.", "source_ids": ["n1"]}, {"group": "Stock Market Performance", "type": "Individual Stock Performance", "time": "", "location": "", "entities": ["Acme"], "industries": [], "companies": ["ACME"], "attributes": {"change": "-3%"}, "description": "Acme shares fell 3% after the downgrade.", "source_ids": ["n1"]}]}
(Globex's profit is another company's own news: no event for ACME.)`;

/** The taxonomy as the extractor reads it: per group, each type with its definition. */
export function taxonomyGuide(): string {
  return GROUPS.map(
    (g) =>
      `${g.name}:\n${TYPES.filter((t) => t.groupId === g.id)
        .map((t) => `  - ${t.name}: ${TYPE_DEFINITIONS[`${g.name} / ${t.name}`]}`)
        .join("\n")}`,
  ).join("\n");
}

/** How a filing's item codes read in the taxonomy (extractor 1.2.0), from the one table of them. */
export function filingItemRule(): string {
  const mapped = Object.entries(FILING_ITEM_TYPES)
    .map(([code, m]) => `${code} ${typeof m === "string" ? m : `${m.group} / ${m.type}`}`)
    .join("; ");
  return `SEC filings (an item whose text starts "8-K filed by" or "6-K filed by") name what they report by Form 8-K item code; read each code as this type, the press release after it giving the facts for the attributes (amounts, guidance, names): ${mapped}.`;
}
