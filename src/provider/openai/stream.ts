/**
 * Reads a chat-completions stream's `data:` payloads into ProviderEvents, apart from the
 * transport: content and reasoning deltas (either field name), tool calls assembled by index
 * from fragments (vLLM, OpenRouter, DashScope) or taken whole (Ollama), usage, the end. It
 * throws the server's own words for an `error` chunk and for a stream that ended cut.
 */
import { QwenError, type QwenErrorDetails } from '../errors';
import type { ProviderEvent } from '../types';

export interface ToolCallOut {
  id: string;
  name: string;
  arguments: Record<string, unknown>;
}

interface PendingCall {
  id: string;
  name: string;
  /** Argument fragments, joined once at the end: appending to one string is quadratic. */
  args: string[];
}

interface Delta {
  content?: string | null;
  reasoning_content?: string | null;
  reasoning?: string | null;
  tool_calls?: Array<{ index?: number; id?: string | null; type?: string; function?: { name?: string | null; arguments?: string | Record<string, unknown> | null } }> | null;
}

interface Chunk {
  choices?: Array<{ index?: number; delta?: Delta | null; message?: Delta | null; finish_reason?: string | null }> | null;
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
  error?: unknown;
}

export class ChatStreamReader {
  text = '';
  reasoning = '';
  /** The last finish_reason seen, or null while the answer goes on. */
  finishReason: string | null = null;
  /** `data: [DONE]` came. */
  sawDone = false;
  private readonly calls: PendingCall[] = [];
  private usage: { promptTokens?: number; completionTokens?: number } | undefined;

  /** `details` go into every error (the endpoint's name and preset, for the hint). */
  constructor(private readonly details: QwenErrorDetails, private readonly who: string) {}

  /** One SSE `data` payload. Returns the events it makes; throws for an error chunk or bad JSON. */
  data(payload: string): ProviderEvent[] {
    if (this.sawDone) return [];
    const trimmed = payload.trim();
    if (trimmed === '[DONE]') {
      this.sawDone = true;
      return [];
    }
    if (!trimmed) return [];
    let chunk: Chunk;
    try {
      chunk = JSON.parse(trimmed) as Chunk;
    } catch {
      throw new QwenError('protocol', `${this.who} sent a stream line that is not JSON: ${trimmed.slice(0, 80)}`, this.details);
    }
    return this.chunk(chunk);
  }

  /** One parsed chunk (or a whole non-streamed completion, whose choices carry `message`). */
  chunk(chunk: Chunk): ProviderEvent[] {
    if (!chunk || typeof chunk !== 'object') throw new QwenError('protocol', `${this.who} sent a stream chunk that is not an object.`, this.details);
    if (chunk.error !== undefined && chunk.error !== null) throw streamError(chunk.error, this.who, this.details);
    const out: ProviderEvent[] = [];
    for (const choice of chunk.choices ?? []) {
      if ((choice.index ?? 0) !== 0) continue; // n > 1 is never asked for
      const delta = choice.delta ?? choice.message;
      if (delta) {
        const r = delta.reasoning_content ?? delta.reasoning;
        if (typeof r === 'string' && r) {
          this.reasoning += r;
          out.push({ type: 'reasoning', delta: r, text: this.reasoning });
        }
        if (typeof delta.content === 'string' && delta.content) {
          this.text += delta.content;
          out.push({ type: 'text', delta: delta.content, text: this.text });
        }
        if (Array.isArray(delta.tool_calls)) this.toolFragments(delta.tool_calls);
      }
      if (choice.finish_reason) {
        if (choice.finish_reason === 'error') throw streamError(undefined, this.who, this.details);
        this.finishReason = choice.finish_reason;
      }
    }
    const u = chunk.usage;
    if (u && typeof u === 'object') this.usage = { promptTokens: num(u.prompt_tokens), completionTokens: num(u.completion_tokens) };
    return out;
  }

  /**
   * The stream is over. Gives the tool calls, usage and `done`; a stream that ended with neither
   * a finish_reason nor `[DONE]` was cut, and that is an error, not a short answer.
   */
  end(): ProviderEvent[] {
    if (!this.sawDone && this.finishReason === null) {
      throw new QwenError('stream-ended', `The connection to ${this.who} was cut before the answer was complete.`, this.details);
    }
    const out: ProviderEvent[] = [];
    for (const call of this.toolCalls()) out.push({ type: 'tool-call', call });
    if (this.usage) out.push({ type: 'usage', ...defined(this.usage) });
    out.push({ type: 'done', text: this.text });
    return out;
  }

  /** The assembled calls, arguments parsed; a call whose arguments are not a JSON object is an error. */
  toolCalls(): ToolCallOut[] {
    return this.calls.filter(Boolean).map((c, i) => {
      const raw = c.args.join('');
      let args: unknown;
      try {
        args = raw.trim() === '' ? {} : JSON.parse(raw);
      } catch {
        throw new QwenError('protocol', `The model called the tool ${c.name || '(no name)'} with arguments that are not JSON: ${raw.slice(0, 120)}`, {
          ...this.details,
          hint: 'The model wrote a broken tool call. Try again, or ask in other words.',
        });
      }
      if (!args || typeof args !== 'object' || Array.isArray(args)) {
        throw new QwenError('protocol', `The model called the tool ${c.name || '(no name)'} with arguments that are not an object: ${raw.slice(0, 120)}`, {
          ...this.details,
          hint: 'The model wrote a broken tool call. Try again, or ask in other words.',
        });
      }
      if (!c.name) throw new QwenError('protocol', `${this.who} sent a tool call without a name.`, this.details);
      return { id: c.id || `call_${i}`, name: c.name, arguments: args as Record<string, unknown> };
    });
  }

  private toolFragments(list: NonNullable<Delta['tool_calls']>): void {
    for (const f of list) {
      if (!f || typeof f !== 'object') continue;
      // Without an index (some servers), a fragment with a new id starts a call; one without continues the last.
      let i = typeof f.index === 'number' ? f.index : f.id && !this.calls.some((c) => c?.id === f.id) ? this.calls.length : Math.max(0, this.calls.length - 1);
      if (i < 0 || i > 1000) i = this.calls.length;
      const call = (this.calls[i] ??= { id: '', name: '', args: [] });
      // DashScope repeats `"id": ""` and `"name": ""` on later fragments: only a value replaces.
      if (f.id) call.id = f.id;
      const fn = f.function;
      if (fn?.name) call.name = fn.name;
      const a = fn?.arguments;
      if (typeof a === 'string') {
        if (a) call.args.push(a);
      } else if (a && typeof a === 'object') call.args.push(JSON.stringify(a)); // a server that sends the object itself
    }
  }
}

/** The error inside an `error` chunk, worded with the server's message. */
function streamError(error: unknown, who: string, details: QwenErrorDetails): QwenError {
  const e = (typeof error === 'object' && error !== null ? error : { message: error }) as { message?: unknown; code?: unknown; type?: unknown };
  const message = typeof e.message === 'string' ? e.message.trim() : typeof error === 'string' ? error : '';
  const code = typeof e.code === 'number' ? e.code : Number(e.code) || undefined;
  const said = message ? `: ${message}` : ' without saying why';
  const d = { ...details, ...(code ? { status: code } : {}), ...(message ? { spaceMessage: message } : {}) };
  if (code === 429) return new QwenError('rate-limited', `${who} stopped the answer: too many requests${said}.`, d);
  if (/context length|context window|maximum context|context size/i.test(message)) return new QwenError('context-length', `${who} stopped the answer${said}.`, d);
  return new QwenError('space-error', `${who} failed in the middle of the answer${said.replace(/\.$/, '')}.`, d);
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
