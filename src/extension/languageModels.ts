/**
 * Qwen's models in VS Code's own Chat and model picker (vendor `qwen-space`): each Space's model
 * as a LanguageModelChatProvider model, with tool calling made real in Qwen's own format (the
 * tools described in the system prompt, `<tool_call>` blocks parsed out of the streamed answer
 * into LanguageModelToolCallParts, tool results folded back into the next prompt).
 */
import * as vscode from 'vscode';
import { describeError } from '../provider/errors';
import type { ChatMessage } from '../provider/prompt';
import { MODELS, spaceFor } from '../provider/spaces';
import { ToolCallParser, toolCallText, toolResponseText, toolsPrompt, type ToolSpec } from '../provider/toolCalls';
import type { ProviderEvent } from '../provider/types';

export type ModelStream = (messages: ChatMessage[], signal: AbortSignal, model: string) => AsyncIterable<ProviderEvent>;

/** Characters per token, roughly, for Qwen's tokenizer on English and code: counts are estimates. */
const CHARS_PER_TOKEN = 3.5;
/** The Spaces' demos cap an answer well below the models' own limits; this is what they allow at most. */
const MAX_OUTPUT_TOKENS = 8_192;
/** The context each Space's model has (Qwen2.5, Qwen2 and Qwen3: 32K tokens natively; the 1M demo: one million). */
function contextTokens(model: string): number {
  return model === 'qwen-2.5-1m' ? 1_000_000 : 32_768;
}
/** Of the prompt budget, at most this share goes to describing tools. */
const TOOLS_SHARE = 0.5;

export function estimateTokens(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}

/** The text of a request message's parts, tool calls and results written as Qwen reads them. */
export function partsText(content: ReadonlyArray<unknown>): string {
  const out: string[] = [];
  for (const p of content) {
    if (p instanceof vscode.LanguageModelTextPart) out.push(p.value);
    else if (p instanceof vscode.LanguageModelToolCallPart) out.push(toolCallText({ name: p.name, arguments: p.input as Record<string, unknown> }));
    else if (p instanceof vscode.LanguageModelToolResultPart) out.push(toolResponseText(partsText(p.content)));
    else if (p && typeof p === 'object' && 'value' in p && typeof (p as { value: unknown }).value === 'string') out.push((p as { value: string }).value);
  }
  return out.join('\n');
}

export class QwenChatModels implements vscode.LanguageModelChatProvider, vscode.Disposable {
  static readonly vendor = 'qwen-space';
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeLanguageModelChatInformation = this.emitter.event;
  private calls = 0;

  constructor(
    private readonly stream: ModelStream,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  changed(): void {
    this.emitter.fire();
  }

  provideLanguageModelChatInformation(): vscode.LanguageModelChatInformation[] {
    return MODELS.map((id) => {
      const s = spaceFor(id);
      return {
        id,
        name: `Qwen ${id.replace(/^qwen-/, '')}`,
        family: 'qwen',
        version: s.shape.spaceId,
        tooltip: `${s.label}, served free by the Hugging Face Space ${s.shape.spaceId} (no account; it may queue).`,
        detail: s.shape.spaceId,
        maxInputTokens: contextTokens(id) - MAX_OUTPUT_TOKENS,
        maxOutputTokens: MAX_OUTPUT_TOKENS,
        capabilities: { toolCalling: true },
      };
    });
  }

  async provideTokenCount(_model: vscode.LanguageModelChatInformation, text: string | vscode.LanguageModelChatRequestMessage): Promise<number> {
    return estimateTokens(typeof text === 'string' ? text : partsText(text.content));
  }

  async provideLanguageModelChatResponse(
    model: vscode.LanguageModelChatInformation,
    messages: readonly vscode.LanguageModelChatRequestMessage[],
    options: vscode.ProvideLanguageModelChatResponseOptions,
    progress: vscode.Progress<vscode.LanguageModelResponsePart>,
    token: vscode.CancellationToken,
  ): Promise<void> {
    const msgs = toChatMessages(messages);
    const tools: ToolSpec[] = (options.tools ?? []).map((t) => ({ name: t.name, description: t.description, inputSchema: t.inputSchema }));
    if (tools.length) {
      const budget = Math.floor((model.maxInputTokens * CHARS_PER_TOKEN) * TOOLS_SHARE);
      const { text, withSchema } = toolsPrompt(tools, budget, msgs.map((m) => m.content).join('\n'));
      const sys = msgs.find((m) => m.role === 'system');
      if (sys) sys.content = `${sys.content}\n\n${text}`;
      else msgs.unshift({ role: 'system', content: text });
      this.log.info(`language model ${model.id}: ${tools.length} tools offered, ${withSchema} with full schemas, ${text.length} characters`);
    }
    const ac = new AbortController();
    const sub = token.onCancellationRequested(() => ac.abort());
    const parser = new ToolCallParser();
    const emit = (parts: ReturnType<ToolCallParser['push']>) => {
      for (const p of parts) {
        if (p.type === 'call') progress.report(new vscode.LanguageModelToolCallPart(`qwen-${Date.now().toString(36)}-${++this.calls}`, p.call.name, p.call.arguments));
        else progress.report(new vscode.LanguageModelTextPart(p.text));
      }
    };
    try {
      for await (const ev of this.stream(msgs, ac.signal, model.id)) {
        if (ev.type === 'text') emit(tools.length ? parser.push(ev.delta) : [{ type: 'text', text: ev.delta }]);
        else if (ev.type === 'model' && ev.fallbackReason) this.log.info(`language model ${model.id}: ${ev.fallbackReason}; answered by ${ev.model}`);
      }
      emit(parser.end());
    } catch (err) {
      if (token.isCancellationRequested) return;
      const d = describeError(err);
      throw new Error(`${d.message} ${d.hint}`);
    } finally {
      sub.dispose();
    }
  }

  dispose(): void {
    this.emitter.dispose();
  }
}

/** VS Code's request messages as the provider's: roles kept, parts as text. */
export function toChatMessages(messages: readonly vscode.LanguageModelChatRequestMessage[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  for (const m of messages) {
    const content = partsText(m.content);
    if (!content.trim()) continue;
    const role = m.role === vscode.LanguageModelChatMessageRole.Assistant ? 'assistant' : (m.role as number) === 3 /* System, where VS Code sends one */ ? 'system' : 'user';
    out.push({ role, content });
  }
  return out;
}
