/** Every command, in the order `stockmem --help` lists them; a new command is a file here and a line below. */
import type { CommandDef } from "../command.ts";
import agents from "./agents.ts";
import chat from "./chat.ts";
import daily from "./daily.ts";
import dataPull from "./data-pull.ts";
import dataStats from "./data-stats.ts";
import evalAb from "./eval-ab.ts";
import evalAblations from "./eval-ablations.ts";
import evalCompare from "./eval-compare.ts";
import evalDataset from "./eval-dataset.ts";
import evalList from "./eval-list.ts";
import evalRun from "./eval-run.ts";
import exportGrpo from "./export-grpo.ts";
import memoryGc from "./memory-gc.ts";
import memoryReset from "./memory-reset.ts";
import memoryStats from "./memory-stats.ts";
import report from "./report.ts";
import run from "./run.ts";
import start from "./start.ts";
import trace from "./trace.ts";
import traceExport from "./trace-export.ts";

/** The groups' own help: a group is the first of a command's two words, with no action of its own. */
export const GROUPS: Readonly<Record<string, string>> = {
  data: "the market data",
  eval: "datasets, experiments, comparisons and ablations",
  export: "export a run's data",
  memory: "the Chroma memory",
};

export const COMMANDS: readonly CommandDef[] = [
  start,
  run,
  daily,
  dataStats,
  dataPull,
  evalDataset,
  evalRun,
  evalAb,
  evalCompare,
  evalList,
  evalAblations,
  report,
  chat,
  agents,
  trace,
  traceExport,
  exportGrpo,
  memoryStats,
  memoryReset,
  memoryGc,
];
