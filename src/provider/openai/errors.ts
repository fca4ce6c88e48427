/**
 * An OpenAI-compatible endpoint's failures as QwenErrors, in the endpoint's words: the error
 * body in each server's shape (`{"error":{"message"}}`, `{"error":"…"}`, vLLM's
 * `{"object":"error","message"}`, FastAPI's `detail`), the status, and what it means for this
 * endpoint. The hint a person reads comes from describeError (../errors.ts), which speaks of
 * the endpoint because every error here carries `details.endpoint`.
 */
import { QwenError, type QwenErrorDetails } from '../errors';
import { pageText, retryAfterSeconds } from '../gradio/http';

export interface EndpointContext {
  /** The endpoint's name as the user knows it ("ollama", "My vLLM"). */
  who: string;
  baseUrl: string;
  preset?: string;
  keyEnv?: string;
  model?: string;
  /** The key, only to scrub it out of any text a server echoes back. */
  key?: string;
}

export function baseDetails(ctx: EndpointContext): QwenErrorDetails {
  return {
    endpoint: ctx.who,
    ...(ctx.preset ? { preset: ctx.preset } : {}),
    ...(ctx.keyEnv ? { keyEnv: ctx.keyEnv } : {}),
    ...(ctx.model ? { model: ctx.model } : {}),
  };
}

/** The server's error message and code from a body of any dialect, on one line and bounded. */
export function errorBody(body: string): { message: string; code?: string; estimatedTime?: number; html: boolean } {
  const t = body.trim();
  if (!t) return { message: '', html: false };
  if (/^[{[]/.test(t)) {
    try {
      const j = JSON.parse(t) as Record<string, unknown>;
      const e = j.error;
      const est = typeof j.estimated_time === 'number' ? j.estimated_time : undefined;
      if (typeof e === 'string') return { message: oneLine(e), ...(est !== undefined ? { estimatedTime: est } : {}), html: false };
      if (e && typeof e === 'object') {
        const o = e as { message?: unknown; code?: unknown; type?: unknown };
        const code = o.code !== undefined && o.code !== null ? String(o.code) : typeof o.type === 'string' ? o.type : undefined;
        return { message: oneLine(typeof o.message === 'string' ? o.message : JSON.stringify(e)), ...(code ? { code } : {}), html: false };
      }
      if (typeof j.message === 'string') return { message: oneLine(j.message), ...(typeof j.type === 'string' ? { code: j.type } : {}), html: false };
      const d = j.detail;
      if (typeof d === 'string') return { message: oneLine(d), html: false };
      if (Array.isArray(d)) return { message: oneLine(d.map((x) => (x && typeof x === 'object' && 'msg' in x ? String((x as { msg: unknown }).msg) : JSON.stringify(x))).join('; ')), html: false };
    } catch {
      /* not JSON after all */
    }
  }
  if (/^</.test(t) && /<(html|!doctype|head|body|title)\b/i.test(t)) {
    const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(t)?.[1];
    return { message: oneLine(pageText(title ?? '') || pageText(t).slice(0, 120)), html: true };
  }
  return { message: oneLine(t), html: false };
}

const CONTEXT = /context length|context window|maximum context|context size|context_length_exceeded|exceed_context|too many tokens|prompt is too long|must be <= \d+|Range of input length|input.{0,20}too long/i;
const NO_MODEL = /model.{0,120}(not found|does not exist|not exist|is not (a valid|supported|available)|not supported)|unknown model|invalid model|no such model|model_not_found|not a valid model/i;

/** A non-2xx answer as a QwenError that names what the user can do. */
export function endpointHttpError(status: number, contentType: string, body: string, retryAfterHeader: string, url: string, ctx: EndpointContext): QwenError {
  const b = errorBody(body);
  const html = b.html || /html/i.test(contentType);
  const said = scrub(b.message, ctx.key);
  const d: QwenErrorDetails = { ...baseDetails(ctx), status, ...(said ? { spaceMessage: said } : {}) };
  const where = `${ctx.who} (${status} from ${safePath(url)})`;
  const words = said ? `: ${said}` : '';
  const code = b.code ?? '';
  if (status === 401 || status === 403 || /invalid_api_key|authentication_error/i.test(code)) {
    const key = ctx.key ? 'refused the key' : 'wants a key and none is set';
    return new QwenError('auth', `${ctx.who} ${key} (${status}${words}).`, d);
  }
  if (status === 402 || /Arrearage|insufficient_quota|insufficient.credit/i.test(code)) {
    return new QwenError('quota', `${ctx.who} says the account has no credits left (${status}${words}).`, d);
  }
  if (status === 429) {
    const wait = retryAfterSeconds(retryAfterHeader);
    return new QwenError('rate-limited', `${ctx.who} is limiting requests (429${words}).${wait !== undefined ? ` Try again in ${wait} s.` : ''}`, {
      ...d,
      ...(wait !== undefined ? { retryAfterSeconds: wait } : {}),
    });
  }
  if (!html && CONTEXT.test(said)) {
    return new QwenError('context-length', `The conversation is too long for ${ctx.model ?? 'the model'} at ${ctx.who}${words}.`, d);
  }
  if (!html && (status === 404 || status === 400 || status === 422) && ctx.model && (NO_MODEL.test(said) || /model_not_found/i.test(code))) {
    const pull = ctx.preset === 'ollama' ? `: pull it first: ollama pull ${ctx.model}` : '';
    return new QwenError('bad-model', `${ctx.who} does not have the model ${ctx.model}${pull} (${status}${words}).`, d);
  }
  if (status === 503 && (b.estimatedTime !== undefined || /loading/i.test(said))) {
    const eta = b.estimatedTime !== undefined ? Math.max(1, Math.ceil(b.estimatedTime)) : undefined;
    return new QwenError('not-ready', `${ctx.who} is still loading ${ctx.model ?? 'the model'}${eta !== undefined ? ` (about ${eta} s more)` : ''}${words}.`, {
      ...d,
      ...(eta !== undefined ? { retryAfterSeconds: eta } : {}),
    });
  }
  if (status === 404 || html) {
    return new QwenError(html ? 'protocol' : 'not-found', notTheApi(status, html, said, url, ctx), d);
  }
  if (status === 503 || status === 502 || status === 504 || status === 529) {
    return new QwenError('busy', `${ctx.who} is unavailable right now (${status}${words}).`, d);
  }
  if (status >= 400 && status < 500) return new QwenError('bad-request', `${where} refused the request${words}.`, d);
  return new QwenError('http', `${where} failed${words}.`, d);
}

/** A web page, or nothing, where the API should be: the base URL is not the API's. */
function notTheApi(status: number, html: boolean, said: string, url: string, ctx: EndpointContext): string {
  const path = new URL(ctx.baseUrl).pathname.replace(/\/+$/, '');
  const missingV1 = !/\/v\d+[a-z]*$/i.test(path) && !/compatible-mode|api\/v1/.test(path);
  const suggestion = missingV1 ? ` The base URL may be missing /v1 (try ${ctx.baseUrl.replace(/\/+$/, '')}/v1).` : ' Check the base URL.';
  if (html) {
    return `${ctx.who} answered with a web page${said ? ` ("${said}")` : ''} instead of the API at ${safePath(url)} (${status}).${suggestion}`;
  }
  return `Nothing at ${safePath(url)} (404${said ? `: ${said}` : ''}): it is not an OpenAI-compatible API.${suggestion}`;
}

/** A 200 answer that is a web page, not the API's stream or JSON. */
export function pageInsteadOfApi(body: string, url: string, ctx: EndpointContext): QwenError {
  const b = errorBody(body);
  return new QwenError('protocol', notTheApi(200, true, b.message, url, ctx), { ...baseDetails(ctx), status: 200, page: pageText(body) });
}

/** Replaces the key wherever a server echoed it back (OpenAI-style "Incorrect API key provided: sk-…"). */
export function scrub(text: string, key: string | undefined): string {
  if (!key || key.length < 4) return text;
  return text.split(key).join('***');
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim().slice(0, 500);
}

export function safePath(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return url;
  }
}
