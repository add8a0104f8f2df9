/**
 * A scripted chat model: a real BaseChatModel whose answers come from a function of the messages
 * (or a recorded list). It exercises the exact LLM code path without a network: tests, the bench's
 * call counts, and replays of recorded responses use it. Every call is recorded.
 */
import { BaseChatModel, type BaseChatModelParams } from "@langchain/core/language_models/chat_models";
import { AIMessage, type BaseMessage } from "@langchain/core/messages";
import type { ChatResult } from "@langchain/core/outputs";

export type Script = (messages: BaseMessage[], callIndex: number) => string | AIMessage;

export class ScriptedChatModel extends BaseChatModel {
  readonly calls: BaseMessage[][] = [];

  constructor(
    private readonly script: Script,
    params: BaseChatModelParams = {},
  ) {
    super(params);
  }

  /** Tools are accepted as-is: the script decides the tool calls (AIMessage.tool_calls). */
  override bindTools(): this {
    return this;
  }

  _llmType(): string {
    return "scripted";
  }

  async _generate(messages: BaseMessage[]): Promise<ChatResult> {
    this.calls.push(messages);
    const out = this.script(messages, this.calls.length - 1);
    const message = typeof out === "string" ? new AIMessage(out) : out;
    const text = typeof message.content === "string" ? message.content : "";
    return { generations: [{ text, message }] };
  }

  /** Answers from a fixed list, in order; fails loudly when the list runs out. */
  static fromList(answers: readonly string[]): ScriptedChatModel {
    return new ScriptedChatModel((_, i) => {
      const a = answers[i];
      if (a === undefined) throw new Error(`scripted model: no answer recorded for call ${i + 1}`);
      return a;
    });
  }
}

export const textOf = (m: BaseMessage): string =>
  typeof m.content === "string" ? m.content : JSON.stringify(m.content);
