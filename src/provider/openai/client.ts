/**
 * A small client for OpenAI-compatible chat completions (Ollama, vLLM, SGLang, TGI, llama.cpp,
 * LM Studio, the Hugging Face router, DashScope, OpenRouter): `GET /models` and a streamed
 * `POST /chat/completions`, over the provider's Http (undici, the proxy chain, worded network
 * errors), with SSE read by eventsource-parser and chunks by ChatStreamReader.
 *
 * The key goes as a bearer token to the endpoint's own origin only, and only over https or to
 * this machine; anything else is refused before a byte is sent. It is never put in any text.
 */
import type { Dispatcher } from 'undici';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { QwenError, type QwenErrorDetails } from '../errors';
import { DEFAULT_IDLE_TIMEOUT_MS, Http, type HttpOptions, readText } from '../gradio/http';
import { contentToString, type ChatMessage } from '../prompt';
import type { ToolSpec } from '../toolCalls';
import type { ProviderEvent, SpaceStatus } from '../types';
import { baseDetails, endpointHttpError, type EndpointContext, pageInsteadOfApi, safePath, scrub } from './errors';
import { presetById } from './presets';
import { ChatStreamReader } from './stream';

type Undici = typeof import('undici');
let undiciModule: Undici | undefined;
/** undici at the first request, not at activation (as gradio/http.ts does). */
function undici(): Undici {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (undiciModule ??= require('undici') as Undici);
}

export interface Endpoint {
  /** The name the user gave it, or the preset's id: it names the endpoint in every message. */
  name: string;
  /** The API's base, usually ending in /v1: `{baseUrl}/models`, `{baseUrl}/chat/completions`. */
  baseUrl: string;
  /** An ENDPOINT_PRESETS id, for its fallback models and preset-specific hints. */
  preset?: string;
  apiKey?: string;
  /** The origin the key was entered for; a base URL moved to another origin does not get it. */
  keyOrigin?: string;
}

export interface EndpointOptions extends HttpOptions {
  signal?: AbortSignal;
  /** Offered as the OpenAI `tools` parameter; calls come back as `tool-call` events. */
  tools?: readonly ToolSpec[];
  maxTokens?: number;
  temperature?: number;
  onStatus?: (status: SpaceStatus) => void;
  /** Ask for a usage chunk (`stream_options.include_usage`); default true. */
  includeUsage?: boolean;
  /** More request fields a server takes (DashScope's `enable_thinking`); never model, messages or stream. */
  extraBody?: Record<string, unknown>;
}

export interface EndpointModel {
  id: string;
  contextTokens?: number;
  ownedBy?: string;
  label?: string;
  /** Taken from the preset's list because `/models` failed or listed nothing. */
  fromPreset?: boolean;
}

/** A line of SSE or a models list larger than this is a broken server, not an answer. */
const MAX_EVENT_CHARS = 8 * 1024 * 1024;
const MAX_JSON_CHARS = 16 * 1024 * 1024;
const USER_AGENT = 'qwen-chat-vscode/0.2 (+openai-compatible)';

/** `{base}/path`, whatever slashes the user typed. */
export function endpointUrl(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

function context(ep: Endpoint, model?: string): EndpointContext {
  const preset = ep.preset ? presetById(ep.preset) : undefined;
  return {
    who: ep.name || preset?.label || safeHost(ep.baseUrl),
    baseUrl: ep.baseUrl,
    ...(ep.preset ? { preset: ep.preset } : {}),
    ...(preset?.keyEnv ? { keyEnv: preset.keyEnv } : {}),
    ...(model ? { model } : {}),
    ...(ep.apiKey ? { key: ep.apiKey } : {}),
  };
}

/** Whether `host` is this machine: 127.0.0.0/8, ::1 or localhost. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/**
 * The Authorization header for a request to `url`, or none. Refuses (throws before sending)
 * when the key would leave for another origin or travel in clear text off this machine.
 */
export function authHeader(ep: Endpoint, url: string, ctx: EndpointContext): Record<string, string> {
  if (!ep.apiKey) return {};
  let target: URL;
  let base: URL;
  try {
    target = new URL(url);
    base = new URL(ep.baseUrl);
  } catch {
    throw new QwenError('bad-request', `The base URL of ${ctx.who} is not a URL.`, baseDetails(ctx));
  }
  const hint = `Use an https:// base URL, or a server on this machine; or remove the key (${'Qwen: Add Model Endpoint…'}).`;
  if (target.origin !== base.origin || (ep.keyOrigin !== undefined && originOf(ep.keyOrigin) !== target.origin)) {
    throw new QwenError('bad-request', `The key of ${ctx.who} was not sent: it was entered for ${ep.keyOrigin ? originOf(ep.keyOrigin) : base.origin}, not for ${target.origin}.`, {
      ...baseDetails(ctx),
      hint: 'Enter the key again for the new address (Qwen: Add Model Endpoint…).',
    });
  }
  if (target.protocol !== 'https:' && !isLoopbackHost(target.hostname)) {
    throw new QwenError('bad-request', `The key of ${ctx.who} was not sent: ${target.host} is reached over plain http, where anyone on the way could read it.`, { ...baseDetails(ctx), hint });
  }
  return { authorization: `Bearer ${ep.apiKey}` };
}

function originOf(u: string): string {
  try {
    return new URL(u).origin;
  } catch {
    return u;
  }
}

function makeHttp(o: EndpointOptions, auth: Record<string, string>): Http {
  // The Hugging Face token of the Spaces never goes to an endpoint: only this endpoint's key does.
  const { hfToken: _ignored, signal: _s, tools: _t, onStatus: _o, extraBody: _b, ...rest } = o;
  // Nor does an Authorization a caller put among the extra headers: the key rules above decide.
  const extra = Object.fromEntries(Object.entries(o.headers ?? {}).filter(([k]) => k.toLowerCase() !== 'authorization'));
  return new Http({ ...rest, hfToken: undefined, headers: { 'user-agent': USER_AGENT, ...extra, ...auth } });
}

async function send(
  http: Http,
  url: string,
  init: { method: 'GET' | 'POST'; body?: unknown; accept: string },
  o: EndpointOptions,
  ctx: EndpointContext,
  what: string,
): Promise<Dispatcher.ResponseData> {
  const idle = o.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  let res: Dispatcher.ResponseData;
  try {
    res = await undici().request(url, {
      method: init.method,
      dispatcher: http.dispatcher,
      signal: o.signal,
      headersTimeout: idle,
      bodyTimeout: idle,
      headers: http.headers(url, { accept: init.accept, ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) }),
      body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
    });
  } catch (err) {
    throw networkError(http, err, url, what, o, ctx, false);
  }
  if (res.statusCode >= 200 && res.statusCode < 300) return res;
  const text = await readText(res.body, 64 * 1024).catch(() => '');
  throw endpointHttpError(res.statusCode, header(res, 'content-type'), text, header(res, 'retry-after'), url, ctx);
}

/** A network failure in words, for this endpoint (never a Space's wording, never the key). */
function networkError(http: Http, err: unknown, url: string, what: string, o: EndpointOptions, ctx: EndpointContext, streaming: boolean): QwenError {
  const details = baseDetails(ctx);
  if (err instanceof QwenError) return err.details.endpoint !== undefined ? err : new QwenError(err.kind, scrub(err.message, ctx.key), { ...err.details, ...details });
  if (o.signal?.aborted) return new QwenError('aborted', 'Stopped.', { ...details, cause: err });
  const code = errCode(err);
  if (code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT') {
    const secs = +((o.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS) / 1000).toFixed(1);
    return new QwenError('timeout', `${ctx.who} sent nothing for ${secs} s while ${what}.`, { ...details, cause: err });
  }
  const e = http.networkError(err, url, what, o.signal);
  if (streaming && e.kind === 'connection') {
    return new QwenError('stream-ended', `The connection to ${ctx.who} was cut before the answer was complete (${scrub(e.message, ctx.key).replace(/\.$/, '')}).`, { ...details, cause: err });
  }
  return new QwenError(e.kind, scrub(e.message, ctx.key), { ...e.details, ...details });
}

/**
 * The endpoint's models, Qwen's first, then the rest in the server's order. When `/models` is
 * missing (404) or lists nothing, the preset's Qwen models; a refused key is an error.
 */
export async function listModels(ep: Endpoint, o: EndpointOptions = {}): Promise<EndpointModel[]> {
  const ctx = context(ep);
  const url = endpointUrl(ep.baseUrl, 'models');
  const fallback = (): EndpointModel[] =>
    (presetById(ep.preset ?? '')?.models ?? []).map((m) => ({ id: m.id, ...(m.label ? { label: m.label } : {}), ...(m.contextTokens ? { contextTokens: m.contextTokens } : {}), fromPreset: true }));
  const http = makeHttp(o, authHeader(ep, url, ctx));
  let text: string;
  let contentType: string;
  try {
    const res = await send(http, url, { method: 'GET', accept: 'application/json' }, o, ctx, `asking ${ctx.who} for its models`);
    contentType = header(res, 'content-type');
    text = await readText(res.body, MAX_JSON_CHARS);
  } catch (err) {
    const e = networkError(http, err, url, `asking ${ctx.who} for its models`, o, ctx, false);
    // A server without /models (404, or 405 for GET) still serves its models: offer the preset's.
    if ((e.kind === 'not-found' || e.details.status === 405) && fallback().length) return fallback();
    throw e;
  } finally {
    await http.close();
  }
  if (/html/i.test(contentType) || /^\s*</.test(text)) throw pageInsteadOfApi(text, url, ctx);
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch {
    throw new QwenError('protocol', `${ctx.who} answered ${safePath(url)} with something that is not JSON: ${scrub(text.trim().slice(0, 80), ctx.key)}`, baseDetails(ctx));
  }
  const o2 = j as { data?: unknown; models?: unknown };
  const list = Array.isArray(j) ? j : Array.isArray(o2?.data) ? o2.data : Array.isArray(o2?.models) ? o2.models : undefined;
  if (!list) throw new QwenError('protocol', `${ctx.who} answered ${safePath(url)} without a list of models.`, baseDetails(ctx));
  const models = list.flatMap((m): EndpointModel[] => {
    const r = m as Record<string, unknown>;
    const id = typeof r?.id === 'string' ? r.id : typeof r?.name === 'string' ? r.name : typeof r?.model === 'string' ? r.model : undefined;
    if (!id) return [];
    const meta = r.meta as { n_ctx_train?: unknown } | undefined;
    const top = r.top_provider as { context_length?: unknown } | undefined;
    const ctxTokens = [r.max_model_len, r.context_length, r.context_window, r.max_context_length, top?.context_length, meta?.n_ctx_train].find(
      (v): v is number => typeof v === 'number' && v > 0,
    );
    return [{ id, ...(ctxTokens ? { contextTokens: ctxTokens } : {}), ...(typeof r.owned_by === 'string' ? { ownedBy: r.owned_by } : {}) }];
  });
  if (!models.length) return fallback();
  return qwenFirst(models);
}

/** Qwen models first (in the server's order), then the rest. */
export function qwenFirst<T extends { id: string }>(models: readonly T[]): T[] {
  return [...models.filter((m) => /qwen|qwq/i.test(m.id)), ...models.filter((m) => !/qwen|qwq/i.test(m.id))];
}

/** The conversation in the OpenAI wire shape: tool calls and results included. */
export function wireMessages(messages: readonly ChatMessage[]): Array<Record<string, unknown>> {
  return messages.map((m) => {
    const role = m.role === 'developer' ? 'system' : m.role;
    const text = contentToString(m.content);
    const out: Record<string, unknown> = { role, content: text };
    if (m.toolCalls?.length) {
      out.tool_calls = m.toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: JSON.stringify(c.arguments ?? {}) } }));
      if (!text) out.content = null;
    }
    if (m.toolCallId !== undefined) out.tool_call_id = m.toolCallId;
    return out;
  });
}

function wireTools(tools: readonly ToolSpec[]): Array<Record<string, unknown>> {
  return tools.map((t) => ({ type: 'function', function: { name: t.name, description: t.description, parameters: t.inputSchema ?? { type: 'object', properties: {} } } }));
}

/**
 * Streams one answer: `status` (connecting), `reasoning` and `text` deltas as they come, then
 * the whole `tool-call`s, `usage` when sent, and `done`. Throws a QwenError for every failure;
 * aborting `o.signal` closes the connection at once and throws 'aborted'.
 */
export async function* streamChat(ep: Endpoint, model: string, messages: readonly ChatMessage[], o: EndpointOptions = {}): AsyncGenerator<ProviderEvent> {
  const ctx = context(ep, model);
  const details: QwenErrorDetails = baseDetails(ctx);
  if (!messages.length) throw new QwenError('bad-request', 'There is nothing to send: the conversation has no message.', details);
  if (!model) throw new QwenError('bad-model', `No model was named for ${ctx.who}.`, details);
  if (o.signal?.aborted) throw new QwenError('aborted', 'Stopped.', details);
  const url = endpointUrl(ep.baseUrl, 'chat/completions');
  const http = makeHttp(o, authHeader(ep, url, ctx));
  const what = `asking ${ctx.who} for an answer`;
  const body: Record<string, unknown> = { ...o.extraBody, model, messages: wireMessages(messages), stream: true };
  if (o.includeUsage !== false) body.stream_options = { include_usage: true };
  if (o.tools?.length) body.tools = wireTools(o.tools);
  if (o.maxTokens !== undefined) body.max_tokens = o.maxTokens;
  if (o.temperature !== undefined) body.temperature = o.temperature;
  const status: SpaceStatus = { stage: 'connecting', url: safePath(url) };
  o.onStatus?.(status);
  yield { type: 'status', status };
  let streaming = false;
  try {
    const res = await send(http, url, { method: 'POST', body, accept: 'text/event-stream' }, o, ctx, what);
    const reader = new ChatStreamReader(details, ctx.who);
    const contentType = header(res, 'content-type');
    streaming = true;
    if (!/event-stream/i.test(contentType)) {
      yield* whole(await readText(res.body, MAX_JSON_CHARS), contentType, url, ctx, reader);
      return;
    }
    const pending: string[] = [];
    let tooLarge = false;
    const parser = createParser({
      maxBufferSize: MAX_EVENT_CHARS,
      onEvent: (ev: EventSourceMessage) => pending.push(ev.event === 'error' && !/"error"/.test(ev.data) ? JSON.stringify({ error: { message: ev.data } }) : ev.data),
      onError: (e) => {
        if (e.type === 'max-buffer-size-exceeded') tooLarge = true;
      },
    });
    const decoder = new TextDecoder();
    for await (const chunk of res.body) {
      parser.feed(decoder.decode(chunk as Uint8Array, { stream: true }));
      if (tooLarge) throw new QwenError('protocol', `${ctx.who} sent a stream event larger than ${MAX_EVENT_CHARS / (1024 * 1024)} MB.`, details);
      if (pending.length) {
        // for…of, not yield*: yield* over an array in an async generator costs extra promise turns per event.
        for (let i = 0; i < pending.length; i++) for (const ev of reader.data(pending[i])) yield ev;
        pending.length = 0;
      }
      if (reader.sawDone) break; // the server may keep the connection open after [DONE]
    }
    if (!reader.sawDone) {
      parser.feed(decoder.decode());
      for (const p of pending) for (const ev of reader.data(p)) yield ev;
    }
    for (const ev of reader.end()) yield ev;
  } catch (err) {
    throw networkError(http, err, url, what, o, ctx, streaming);
  } finally {
    await http.close();
  }
}

/** A 200 that is not a stream: a whole completion (a server that ignored `stream`), an error, or a web page. */
function* whole(text: string, contentType: string, url: string, ctx: EndpointContext, reader: ChatStreamReader): Generator<ProviderEvent> {
  if (/html/i.test(contentType) || /^\s*</.test(text)) throw pageInsteadOfApi(text, url, ctx);
  let j: { choices?: Array<{ finish_reason?: string | null }>; error?: unknown };
  try {
    j = JSON.parse(text) as typeof j;
  } catch {
    throw new QwenError('protocol', `${ctx.who} answered with something that is neither a stream nor JSON: ${scrub(text.trim().slice(0, 80), ctx.key)}`, baseDetails(ctx));
  }
  if (!j || typeof j !== 'object' || (!Array.isArray(j.choices) && j.error === undefined)) {
    throw new QwenError('protocol', `${ctx.who} answered without choices: it may not be a chat-completions API.`, baseDetails(ctx));
  }
  yield* reader.chunk(j as Parameters<ChatStreamReader['chunk']>[0]);
  if (reader.finishReason === null) reader.finishReason = 'stop';
  yield* reader.end();
}

function header(res: Dispatcher.ResponseData, name: string): string {
  const v = res.headers[name];
  return Array.isArray(v) ? v.join(', ') : String(v ?? '');
}

function errCode(err: unknown): string | undefined {
  const e = err as { code?: string; cause?: { code?: string } };
  return e?.code ?? e?.cause?.code;
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
