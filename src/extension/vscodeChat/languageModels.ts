/**
 * Qwen's models in VS Code's own Chat and model picker (vendor `qwen-space`): each Space's model
 * as a LanguageModelChatProvider model, with tool calling made real in Qwen's own format (the
 * tools described in the system prompt, `<tool_call>` blocks parsed out of the streamed answer
 * into LanguageModelToolCallParts, tool results folded back into the next prompt).
 */
import * as vscode from 'vscode';
import { Answer } from '../../provider/answer';
import type { ChatMessage } from '../../provider/prompt';
import { MODELS, spaceFor } from '../../provider/spaces';
import { toolCallText, toolResponseText, toolsPrompt, type ToolSpec } from '../../provider/toolCalls';
import type { ProviderEvent } from '../../provider/types';
import { ModelResponse } from './modelResponse';
import type { BatcherOptions } from '../../chat/textBatcher';

/** `tools`: offered natively (the OpenAI `tools` parameter), for an endpoint that calls them itself. */
export type ModelStream = (messages: ChatMessage[], signal: AbortSignal, model: string, tools?: readonly ToolSpec[]) => AsyncIterable<ProviderEvent>;

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

function isThinking(p: unknown): boolean {
  const Thinking = thinkingPartClass();
  return Thinking !== undefined && p instanceof Thinking;
}

/** The text of a request message's parts, tool calls and results written as Qwen reads them. */
export function partsText(content: ReadonlyArray<unknown>): string {
  const out: string[] = [];
  for (const p of content) {
    if (p instanceof vscode.LanguageModelTextPart) out.push(p.value);
    else if (p instanceof vscode.LanguageModelToolCallPart) out.push(toolCallText({ name: p.name, arguments: p.input as Record<string, unknown> }));
    else if (p instanceof vscode.LanguageModelToolResultPart) out.push(toolResponseText(partsText(p.content)));
    else if (isThinking(p)) continue; // reasoning is never fed back as the answer's text
    else if (p && typeof p === 'object' && 'value' in p && typeof (p as { value: unknown }).value === 'string') out.push((p as { value: string }).value);
  }
  return out.join('\n');
}

/** A model as the picker lists it; Spaces today, endpoints from the same list function tomorrow. */
export interface ChatModel {
  id: string;
  name: string;
  family: string;
  version: string;
  /** Where it runs, in a few words for the picker ("Qwen/Qwen2.5 Space"). */
  where: string;
  /** A sentence for the tooltip. */
  description: string;
  maxInputTokens: number;
  maxOutputTokens: number;
  /** Only where tool calls work end to end: the agent mode's picker offers only these models. */
  toolCalling: boolean;
  /** Tool calls go natively (OpenAI `tools`, an endpoint's own tool calling), not in Qwen's text format. */
  nativeTools?: boolean;
}

/** The models to list; `silent`: VS Code is only listing them, so no prompts (a key, a sign-in). */
export type ModelList = (o: { silent: boolean }) => ChatModel[] | Promise<ChatModel[]>;

/**
 * The Space models whose tool calls work end to end in Qwen's `<tool_call>` text format: Qwen2.5
 * and Qwen3 were trained on it (Hermes style). Qwen2-72B was not (it learnt Qwen-Agent's
 * ✿FUNCTION✿ format), so the agent's picker does not offer it.
 */
const NO_TEXT_TOOL_CALLS = new Set(['qwen-2-72b']);

/** Each Space's model, as the picker lists it. */
export function spaceModels(): ChatModel[] {
  return MODELS.map((id) => {
    const s = spaceFor(id);
    return {
      id,
      name: `Qwen ${id.replace(/^qwen-/, '')}`,
      family: 'qwen',
      version: s.shape.spaceId,
      where: `${s.shape.spaceId} Space`,
      description: `${s.label.replace(/^Qwen /, '')}, served free by the Hugging Face Space ${s.shape.spaceId} (no account; it may queue).`,
      maxInputTokens: contextTokens(id) - MAX_OUTPUT_TOKENS,
      maxOutputTokens: MAX_OUTPUT_TOKENS,
      toolCalling: !NO_TEXT_TOOL_CALLS.has(id),
    };
  });
}

/** An endpoint's models as the picker lists them: tool calling where the endpoint calls tools natively. */
export function endpointChatModels(entries: ReadonlyArray<{ id: string; where: string; family: string; contextTokens?: number; nativeTools: boolean }>): ChatModel[] {
  return entries
    .filter((e) => e.family === 'endpoint')
    .map((e) => {
      const context = e.contextTokens ?? 32_768;
      const output = Math.min(MAX_OUTPUT_TOKENS, Math.floor(context / 4));
      return {
        id: e.id,
        name: e.id.slice(e.id.indexOf('/') + 1),
        family: 'qwen',
        version: e.where,
        where: e.where,
        description: `${e.id.slice(e.id.indexOf('/') + 1)} on ${e.where}, your own endpoint.`,
        maxInputTokens: context - output,
        maxOutputTokens: output,
        // Native tools where the endpoint has them; otherwise Qwen's text format, which Qwen models follow.
        toolCalling: true,
        nativeTools: e.nativeTools,
      };
    });
}

/** VS Code's thinking part, where this VS Code has one (a proposed API that ships in the runtime). */
type ThinkingPartClass = new (value: string, id?: string, metadata?: Record<string, unknown>) => object;
export function thinkingPartClass(): ThinkingPartClass | undefined {
  const c = (vscode as unknown as { LanguageModelThinkingPart?: unknown }).LanguageModelThinkingPart;
  return typeof c === 'function' ? (c as ThinkingPartClass) : undefined;
}

export interface QwenChatModelsOptions {
  /** The models to offer (default: each Space's). */
  models?: ModelList;
  /** The last known state of a model in a few words ("queue full 2 min ago"), and when it changes. */
  health?: (model: string) => string | undefined;
  onDidChangeHealth?: vscode.Event<void>;
  /** Tests pace the text with their own clock. */
  batching?: BatcherOptions;
}

export class QwenChatModels implements vscode.LanguageModelChatProvider, vscode.Disposable {
  static readonly vendor = 'qwen-space';
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeLanguageModelChatInformation = this.emitter.event;
  private readonly subs: vscode.Disposable[] = [];
  private calls = 0;
  private readonly models: ModelList;

  constructor(
    private readonly stream: ModelStream,
    private readonly log: vscode.LogOutputChannel,
    private readonly o: QwenChatModelsOptions = {},
  ) {
    this.models = o.models ?? spaceModels;
    // The picker shows each model's last known state: read the list again when it changes.
    if (o.onDidChangeHealth) this.subs.push(o.onDidChangeHealth(() => this.changed()));
  }

  changed(): void {
    this.emitter.fire();
  }

  async provideLanguageModelChatInformation(options: vscode.PrepareLanguageModelChatModelOptions): Promise<vscode.LanguageModelChatInformation[]> {
    return (await this.models({ silent: options?.silent ?? true })).map((m) => {
      const state = this.o.health?.(m.id);
      return {
        id: m.id,
        name: m.name,
        family: m.family,
        version: m.version,
        detail: state ? `${m.where} · ${state}` : m.where,
        tooltip: state ? `${m.description} Last known: ${state}.` : m.description,
        maxInputTokens: m.maxInputTokens,
        maxOutputTokens: m.maxOutputTokens,
        capabilities: { toolCalling: m.toolCalling },
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
    const info = (await this.models({ silent: true })).find((m) => m.id === model.id);
    const native = info?.nativeTools === true;
    const msgs = toChatMessages(messages, native);
    const tools: ToolSpec[] = (options.tools ?? []).map((t) => ({ name: t.name, description: t.description, inputSchema: t.inputSchema }));
    if (tools.length && native) this.log.info(`language model ${model.id}: ${tools.length} tools offered natively`);
    else if (tools.length) {
      const budget = Math.floor((model.maxInputTokens * CHARS_PER_TOKEN) * TOOLS_SHARE);
      const { text, withSchema } = toolsPrompt(tools, budget, msgs.map((m) => m.content).join('\n'));
      const sys = msgs.find((m) => m.role === 'system');
      if (sys) sys.content = `${sys.content}\n\n${text}`;
      else msgs.unshift({ role: 'system', content: text });
      this.log.info(`language model ${model.id}: ${tools.length} tools offered, ${withSchema} with full schemas, ${text.length} characters`);
    }
    const Thinking = thinkingPartClass();
    const thinkingId = `qwen-thinking-${Date.now().toString(36)}-${++this.calls}`;
    // Text and reasoning at a human cadence (VS Code renders the response again on each part).
    const response = new ModelResponse(
      (p) => {
        if (p.kind === 'call') progress.report(new vscode.LanguageModelToolCallPart(p.id ?? `qwen-${Date.now().toString(36)}-${++this.calls}`, p.call.name, p.call.arguments));
        else if (p.kind === 'text') progress.report(new vscode.LanguageModelTextPart(p.text));
        else if (Thinking) progress.report((p.done ? new Thinking('', '', { vscode_reasoning_done: true }) : new Thinking(p.text, thinkingId)) as vscode.LanguageModelResponsePart);
      },
      // Native tool calls come as events; only Qwen's text format is parsed out of the text.
      { tools: tools.length > 0 && !native, thinking: Thinking !== undefined, ...this.o.batching },
    );
    // Stop: what waits goes out first (nothing is held back), then the Space is told.
    const answer = new Answer((signal) => this.stream(msgs, signal, model.id, native && tools.length ? tools : undefined), { token, onStop: () => response.flush() });
    let answered = model.id;
    for await (const ev of answer) {
      if (ev.type === 'model') {
        if (ev.fallbackReason) this.log.info(`language model ${model.id}: ${ev.fallbackReason}; answered by ${ev.model}`);
        answered = ev.model;
      } else response.event(ev);
    }
    response.end();
    if (answer.state === 'error') {
      const d = answer.described!;
      throw new Error(`${d.message} ${d.hint}`);
    }
    if (answer.state === 'done') this.log.info(`language model ${model.id}: answered by ${answered}`);
  }

  dispose(): void {
    for (const s of this.subs) s.dispose();
    this.emitter.dispose();
  }
}

/** VS Code's request messages as the provider's: roles kept, parts as text. */
export function toChatMessages(messages: readonly vscode.LanguageModelChatRequestMessage[], native = false): ChatMessage[] {
  const out: ChatMessage[] = [];
  for (const m of messages) {
    const role = m.role === vscode.LanguageModelChatMessageRole.Assistant ? 'assistant' : (m.role as number) === 3 /* System, where VS Code sends one */ ? 'system' : 'user';
    if (native) {
      // Native tool calling: calls stay calls (with their ids), results go back as `tool` messages.
      const calls = m.content.filter((p): p is vscode.LanguageModelToolCallPart => p instanceof vscode.LanguageModelToolCallPart);
      const results = m.content.filter((p): p is vscode.LanguageModelToolResultPart => p instanceof vscode.LanguageModelToolResultPart);
      const rest = partsText(m.content.filter((p) => !(p instanceof vscode.LanguageModelToolCallPart) && !(p instanceof vscode.LanguageModelToolResultPart)));
      for (const r of results) out.push({ role: 'tool', toolCallId: r.callId, content: partsText(r.content) });
      if (calls.length) {
        out.push({ role: 'assistant', content: rest, toolCalls: calls.map((c) => ({ id: c.callId, name: c.name, arguments: (c.input ?? {}) as Record<string, unknown> })) });
        continue;
      }
      if (rest.trim()) out.push({ role, content: rest });
      continue;
    }
    const content = partsText(m.content);
    if (!content.trim()) continue;
    out.push({ role, content });
  }
  return out;
}
