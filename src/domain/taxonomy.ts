/**
 * The StockMem event taxonomy (paper appendix A): 13 event groups, 57 event types.
 *
 * Ids are stable: a group's id is its index here, a type's id is its index in TYPES
 * (groups in order, types in order within each group). Bit vectors (V_t in {0,1}^57,
 * G_t in {0,1}^13) use these ids as bit positions, so never reorder this list.
 * Some names repeat across groups ("Market Size", "Capital Flows", "Institutional Views"):
 * a type is identified by group + name, or by its id.
 */
export const TAXONOMY = [
  [
    "Policies and Regulation",
    [
      "Policy Release",
      "Development Planning",
      "Government Support",
      "Institutional Supervision",
      "International Controls and Sanctions",
    ],
  ],
  ["Macroeconomic Finance", ["Fiscal Policy", "Livelihood and Welfare", "Taxation"]],
  ["Industry Standards", ["Standards", "Specifications", "Opinions and Commentary"]],
  [
    "Products and Market",
    [
      "Research and Development",
      "New Product Launch",
      "Product Mass Production",
      "Product Application",
      "Product Price Changes",
      "Product Output Changes",
      "Supply-Demand Dynamics",
    ],
  ],
  [
    "Technology Events",
    [
      "Technological Breakthrough",
      "Research and Development Progress",
      "Certification",
      "Shipment",
      "Ecosystem Collaboration",
      "Enablement",
    ],
  ],
  [
    "Corporate Operations",
    [
      "Investment",
      "Financing",
      "Expenditure",
      "Profitability",
      "Order Service Agreement Signing",
      "Order Service Agreement Changes",
      "Contracts",
      "Mergers and Acquisitions",
    ],
  ],
  ["Corporate Projects", ["Project Initiation", "Project Implementation", "Cross-sector Expansion"]],
  ["Corporate Equity", ["Shareholder Changes", "Share Increase", "Share Decrease", "Ownership Disputes"]],
  ["Corporate Personnel", ["Executives", "Personnel Changes", "Violations and Misconduct"]],
  [
    "Stock Market Performance",
    [
      "Market Size",
      "Sector Concept Performance",
      "Individual Stock Performance",
      "Capital Flows",
      "Trading Activities",
      "Institutional Views",
    ],
  ],
  ["Other Financial Market Performance", ["Market Size", "Market Performance", "Capital Flows", "Institutional Views"]],
  [
    "Cooperation and Strategy",
    ["Strategic Cooperation and Co-construction", "Industry Alliances and Standards Organizations"],
  ],
  ["Risks and Warnings", ["Business Clarification", "Company-Specific Risks", "Industry-Wide Risk Alerts"]],
] as const satisfies ReadonlyArray<readonly [string, readonly string[]]>;

export interface EventGroup {
  id: number;
  name: string;
}

export interface EventType {
  id: number;
  groupId: number;
  group: string;
  name: string;
}

export const GROUPS: readonly EventGroup[] = TAXONOMY.map(([name], id) => ({ id, name }));

export const TYPES: readonly EventType[] = TAXONOMY.flatMap(([group, names], groupId) =>
  names.map((name) => ({ groupId, group, name })),
).map((t, id) => ({ id, ...t }));

export const N_GROUPS = GROUPS.length;
export const N_TYPES = TYPES.length;

const typeKey = (group: string, name: string) => `${group.toLowerCase()}::${name.toLowerCase()}`;
const TYPE_BY_KEY = new Map(TYPES.map((t) => [typeKey(t.group, t.name), t]));

/** Look a type up by group + name (case-insensitive); undefined if the pair is not in the taxonomy. */
export function findType(group: string, name: string): EventType | undefined {
  return TYPE_BY_KEY.get(typeKey(group.trim(), name.trim()));
}

export function typeById(id: number): EventType {
  const t = TYPES[id];
  if (!t) throw new RangeError(`event type id ${id} is outside 0..${N_TYPES - 1}`);
  return t;
}
