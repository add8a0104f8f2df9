/**
 * `stockmem agents`: every agent with its prompt versions and the model it would use, under the model
 * and prompt flags given (what `--agent-model` and `--prompt-version` can name, and what a run would pick).
 */

import { modelIdFor, promptFor } from "../../agents/kit.ts";
import { AGENTS } from "../../agents/registry.ts";
import { RunContext } from "../../src/config/context.ts";
import { AGENT_INITIALS } from "../../src/domain/agents.ts";
import { table } from "../../src/metrics/table.ts";
import { defineCommand } from "../command.ts";
import { UsageError } from "../errors.ts";
import type { FlagSpecs } from "../flags.ts";
import { agentModels, MODEL_OPTIONS, promptVersionsOf } from "../run-flags.ts";

const AGENTS_OPTIONS = {
  model: MODEL_OPTIONS.model,
  "agent-model": MODEL_OPTIONS["agent-model"],
  "prompt-version": {
    type: "string",
    multiple: true,
    arg: "AGENT=V",
    description: "one agent's prompt version, e.g. predictor=1.2.1",
  },
  json: { type: "boolean", description: "as JSON" },
} as const satisfies FlagSpecs;

export default defineCommand({
  words: ["agents"],
  about: "the agents: their prompt versions and the model each would use",
  flags: AGENTS_OPTIONS,
  run: async (values) => {
    const ctx = RunContext.parse({
      model: values.model,
      models: agentModels(values["agent-model"] ?? []),
      prompts: promptVersionsOf(values["prompt-version"]),
    });
    for (const a of AGENTS) {
      const want = ctx.prompts[a.name];
      if (want && !a.prompts.some((p) => p.version === want))
        throw new UsageError(
          `${a.name} has no prompt version ${want} (versions: ${a.prompts.map((p) => p.version).join(", ")})`,
        );
    }
    const rows = AGENTS.map((a) => ({
      agent: a.name,
      initials: AGENT_INITIALS[a.name],
      prompt: a.prompts[0]!.id,
      versions: a.prompts.map((p) => p.version),
      version: promptFor(a, ctx).version,
      model: modelIdFor(ctx, a.name),
    }));
    if (values.json) {
      process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      return;
    }
    console.log(
      table(
        ["agent", "initials", "prompt", "versions", "used", "model"],
        rows.map((r) => [r.agent, r.initials, r.prompt, r.versions.join(", "), r.version, r.model]),
      ),
    );
    console.log(
      "\n`--prompt-version AGENT=V` and `--agent-model AGENT=M` choose another (eval run, eval ab; run takes --agent-model)",
    );
  },
});
