// Counts what issue 15 tracks, over the TypeScript sources (not node_modules): type assertions
// (`as X`, not `as const`), `as never`, non-null assertions (`x!`), and `any` written in types.
// Usage: node scripts/code-stats.mjs [dir...]   (default: the project's source folders)
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";

const roots = process.argv.slice(2).length
  ? process.argv.slice(2)
  : ["agents", "bench", "evals", "graphs", "prompts", "src", "tests", "tools"];
const files = [];
const walk = (d) => {
  for (const f of readdirSync(d)) {
    const p = join(d, f);
    if (statSync(p).isDirectory()) walk(p);
    else if (p.endsWith(".ts")) files.push(p);
  }
};
for (const r of roots) walk(r);

const counts = { files: files.length, casts: 0, asNever: 0, nonNull: 0, any: 0 };
for (const file of files) {
  const sf = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
  const visit = (n) => {
    if (ts.isAsExpression(n) || ts.isTypeAssertionExpression(n)) {
      const t = n.type.getText(sf);
      if (t !== "const") counts.casts++;
      if (t === "never") counts.asNever++;
    }
    if (ts.isNonNullExpression(n)) counts.nonNull++;
    if (n.kind === ts.SyntaxKind.AnyKeyword) counts.any++;
    if (ts.isCallExpression(n) && n.expression.getText(sf) === "z.any") counts.any++;
    ts.forEachChild(n, visit);
  };
  visit(sf);
}
console.log(JSON.stringify(counts));
