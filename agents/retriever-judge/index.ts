/** Retriever-judge (paper 3.3): keep the retrieved references that are genuinely comparable. */
import { z } from "zod";
import { type JudgeInput, judgePrompts } from "../../prompts/retriever-judge.ts";
import { type AgentDef, unknownIds } from "../kit.ts";

export const JudgeOutput = z.object({ kept: z.array(z.object({ id: z.string(), why: z.string() })) });
export type JudgeOutput = z.infer<typeof JudgeOutput>;

export const retrieverJudge: AgentDef<JudgeInput, JudgeOutput, "retriever-judge"> = {
  name: "retriever-judge",
  prompts: judgePrompts,
  schema: JudgeOutput,
  itemId: (i) => `${i.ticker} ${i.date} references`,
  check(input, out) {
    return unknownIds(
      "kept ids",
      out.kept.map((k) => k.id),
      input.candidates.map((c) => c.id),
      "candidate ids",
    );
  },
  offline(input, env) {
    const bar = env.ctx.judgeMinSim;
    return {
      kept: input.candidates
        .filter((c) => c.similarity >= bar)
        .map((c) => ({ id: c.id, why: `event-sequence similarity ${c.similarity.toFixed(2)} >= ${bar}` })),
    };
  },
};
