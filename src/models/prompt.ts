/**
 * What a model call is sent: a prompt (an id, a version that goes into traces, cache keys and eval
 * experiment names, a system message and a renderer of the user message) and the JSON answer rule.
 * The prompt texts themselves live in prompts/.
 */
export interface Prompt<I> {
  id: string;
  version: string;
  system: string;
  render(input: I): string;
}

export const JSON_RULE = "Answer with one JSON object only, no prose and no code fences.";
