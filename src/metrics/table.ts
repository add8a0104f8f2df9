/** Plain fixed-width tables for terminal output: text columns left-aligned, numeric columns right-aligned. */
export function table(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cells = [header, ...rows].map((r) => r.map(String));
  const widths = header.map((_, c) => Math.max(...cells.map((r) => (r[c] ?? "").length)));
  const numeric = header.map(
    (_, c) =>
      rows.length > 0 && rows.every((r) => typeof r[c] === "number" || /^[-+]?\d[\d.,]*( ?%)?$/.test(String(r[c]))),
  );
  const line = (r: string[]) =>
    r
      .map((v, c) => (numeric[c] ? v.padStart(widths[c]!) : v.padEnd(widths[c]!)))
      .join("  ")
      .trimEnd();
  return [line(cells[0]!), widths.map((w) => "-".repeat(w)).join("  "), ...cells.slice(1).map(line)].join("\n");
}
