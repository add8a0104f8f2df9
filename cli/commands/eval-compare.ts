/** `stockmem eval compare A B`: metric deltas and flipped examples of two experiments. */
import { compare, formatComparison, loadResult } from "../../evals/compare.ts";
import { defineCommand } from "../command.ts";

export default defineCommand({
  words: ["eval", "compare"],
  about: "metric deltas and flipped examples of two experiments",
  flags: {},
  args: [{ name: "<A>" }, { name: "<B>" }],
  run: async (_v, [a, b]) => {
    console.log(formatComparison(compare(loadResult(a!), loadResult(b!))));
  },
});
