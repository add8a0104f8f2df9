/**
 * The layers, enforced (`npm run deps`, in CI). `src/` is the floor: it imports nothing outside `src/`.
 * Above it, the top-level folders in one strict order; inside `src/`, its folders in one strict order.
 * A folder may import only folders before it in the list (and itself), so no folder cycle can form.
 * tests, bench and scripts may use anything; testkit (test doubles) only they may use; nothing
 * imports tests or bench.
 */
const LAYERS = [
  "src/domain", // schemas, taxonomy, series, events: the vocabulary
  "src/observability", // traces, secret scrubbing, ids
  "src/config", // run context, paths
  "src/metrics", // ACC, MCC, tables
  "src/data", // loaders, calendar, labels, DayContext
  "src/models", // providers, structured calls, the offline analyst's classical methods
  "src/memory", // Chroma server, embeddings and their clustering, store, layers
  "src/runtime", // what a run runs on: resources, graph state, checkpointer, ledger, lock, gc
  "prompts", // prompts, one per file, and how memory reads in them
  "agents", // agent contracts: prompt, schema, check, offline strategy
  "tools", // Jaccard retrieval, chat tools, the offline chat router
  "graphs", // the LangGraph graphs (graphs/steps: the steps a graph calls that are more than a node)
  "app", // the run entry, its dry run, the Studio door
  "evals", // datasets, experiments, ablations, reports
  "cli", // the stockmem command: cli/commands/<command>.ts each
];

const esc = (s) => s.replace(/[/.]/g, (c) => `\\${c}`);
const above = (i) =>
  LAYERS.slice(i + 1)
    .map((l) => `^${esc(l)}/`)
    .join("|");

module.exports = {
  forbidden: [
    ...LAYERS.slice(0, -1).map((layer, i) => ({
      name: `layer-${layer.replace("/", "-")}`,
      comment: `${layer} may import only the layers below it: ${LAYERS.slice(0, i).join(", ") || "none"}`,
      severity: "error",
      from: { path: `^${esc(layer)}/` },
      to: { path: above(i) },
    })),
    {
      name: "no-import-of-tests-or-bench",
      comment: "tests and bench use the product; the product never uses them",
      severity: "error",
      from: { pathNot: "^(tests|bench)/" },
      to: { path: "^(tests|bench)/" },
    },
    {
      name: "testkit-only-for-tests",
      comment: "test doubles are for tests and bench",
      severity: "error",
      from: { pathNot: "^(tests|bench|testkit)/" },
      to: { path: "^testkit/" },
    },
    {
      name: "no-circular",
      comment: "no module cycles",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    {
      name: "no-unresolvable",
      severity: "error",
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      extensions: [".ts", ".mjs", ".js", ".json"],
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "types", "default"],
    },
  },
};
