/**
 * HTTP for the provider, over undici: one dispatcher per call (so no socket outlives it),
 * proxies from an explicit URL or the *_PROXY / NO_PROXY environment, and every network or
 * HTTP failure turned into a QwenError that says what happened in the server's own words.
 */
import type { Dispatcher, EnvHttpProxyAgent } from 'undici';

type Undici = typeof import('undici');
let undiciModule: Undici | undefined;
/**
 * undici, loaded at the first request rather than with the extension: evaluating it is most of
 * the extension's load time (npm run bench reads activation from VS Code's own table).
 */
function undici(): Undici {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (undiciModule ??= require('undici') as Undici);
}
import { rootCertificates } from 'node:tls';
import { QwenError, stripHtml } from '../errors';

export interface HttpOptions {
  /** Proxy URL; `null` for none; `undefined` to follow HTTP_PROXY / HTTPS_PROXY / NO_PROXY. */
  proxy?: string | null;
  /** Hosts that bypass an explicit proxy (NO_PROXY syntax); defaults to the NO_PROXY environment. */
  noProxy?: string;
  /** Verify TLS certificates (default true). */
  strictSSL?: boolean;
  /**
   * Hugging Face token, sent as a bearer token only to Hugging Face's own hosts over HTTPS
   * (see `mayCarryHfToken`), whatever URL a setting points at. Never logged.
   */
  hfToken?: string;
  /** More certificate authorities to trust (PEM), beside the built-in ones: a private CA, or a test's. */
  extraCaCertificates?: string[];
  /** No bytes at all (not even Gradio's 15 s heartbeats) for this long ends the call. */
  idleTimeoutMs?: number;
  /** Extra headers (e.g. a User-Agent). */
  headers?: Record<string, string>;
}

export const DEFAULT_IDLE_TIMEOUT_MS = 60_000;
const USER_AGENT = 'qwen-chat-vscode/0.1 (+gradio-queue-client)';

export class Http {
  readonly dispatcher: Dispatcher;
  readonly proxyUrl: string | undefined;
  private readonly noProxy: string;
  private closed = false;

  constructor(private readonly opts: HttpOptions = {}) {
    // The TCP and TLS handshakes get the user's timeout too, not undici's fixed 10 s.
    const connect = {
      rejectUnauthorized: opts.strictSSL !== false,
      timeout: opts.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
      ...(opts.extraCaCertificates?.length ? { ca: [...rootCertificates, ...opts.extraCaCertificates] } : {}),
    };
    const envProxy = process.env.https_proxy || process.env.HTTPS_PROXY || process.env.http_proxy || process.env.HTTP_PROXY;
    this.noProxy = opts.noProxy ?? process.env.no_proxy ?? process.env.NO_PROXY ?? '';
    if (opts.proxy === null || (opts.proxy === undefined && !envProxy)) {
      this.dispatcher = new (undici().Agent)({ connect });
      this.proxyUrl = undefined;
    } else {
      const proxy = opts.proxy ?? undefined;
      if (proxy !== undefined) checkProxyUrl(proxy);
      this.dispatcher = new (undici().EnvHttpProxyAgent)({
        httpProxy: proxy,
        httpsProxy: proxy,
        noProxy: this.noProxy,
        connect,
        proxyTls: connect,
        requestTls: connect,
      } as ConstructorParameters<typeof EnvHttpProxyAgent>[0]);
      this.proxyUrl = proxy ?? envProxy;
    }
  }

  /** Whether a request to `url` goes through the proxy (for error wording only). */
  proxiedFor(url: string): boolean {
    return this.proxyUrl !== undefined && !matchesNoProxy(new URL(url), this.noProxy);
  }

  /** The headers for a request to `url`: the token only where `mayCarryHfToken` allows it. */
  headers(url: string, extra: Record<string, string> = {}): Record<string, string> {
    const h: Record<string, string> = { 'user-agent': USER_AGENT, ...this.opts.headers, ...extra };
    if (this.opts.hfToken && mayCarryHfToken(url)) h.authorization = `Bearer ${this.opts.hfToken}`;
    return h;
  }

  /** A request whose status is checked; non-2xx becomes a typed error with the body's message. */
  async send(
    url: string,
    init: { method?: 'GET' | 'POST'; body?: unknown; accept?: string; signal?: AbortSignal; what: string },
  ): Promise<Dispatcher.ResponseData> {
    if (this.closed) throw new QwenError('aborted', 'The request was closed.');
    const idle = this.opts.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    let res: Dispatcher.ResponseData;
    try {
      res = await undici().request(url, {
        method: init.method ?? 'GET',
        dispatcher: this.dispatcher,
        signal: init.signal,
        headersTimeout: idle,
        bodyTimeout: idle,
        headers: this.headers(url, {
          accept: init.accept ?? 'application/json',
          ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
        }),
        body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
      });
    } catch (err) {
      throw this.networkError(err, url, init.what, init.signal);
    }
    if (res.statusCode >= 200 && res.statusCode < 300) return res;
    const text = await readText(res.body, 64 * 1024).catch(() => '');
    throw httpError(res.statusCode, String(res.headers['content-type'] ?? ''), text, url, init.what, String(res.headers['retry-after'] ?? ''));
  }

  /** Maps undici/Node errors to QwenError. */
  networkError(err: unknown, url: string, what: string, signal?: AbortSignal): QwenError {
    if (err instanceof QwenError) return err;
    // Only the caller's signal means "stopped": undici also names a refused proxy tunnel AbortError.
    if (signal?.aborted) {
      return new QwenError('aborted', 'Stopped.', { cause: err });
    }
    const code = errCode(err);
    const detail = errText(err);
    const secs = +((this.opts.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS) / 1000).toFixed(1);
    if (code === 'UND_ERR_CONNECT_TIMEOUT') {
      const through = this.proxiedFor(url) ? ` through the proxy ${redactUrl(this.proxyUrl!)}` : '';
      return new QwenError('timeout', `Could not connect to ${safeHost(url)}${through} within ${secs} s while ${what}: the ${url.startsWith('https:') ? 'TCP or TLS' : 'TCP'} handshake did not complete.`, { cause: err });
    }
    if (code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT') {
      return new QwenError('timeout', `The Space sent nothing for ${secs} s while ${what}.`, { cause: err });
    }
    const tls = tlsProblem(code, detail);
    if (tls) return new QwenError('tls', `The secure connection to ${safeHost(url)} failed while ${what}: ${tls}.`, { cause: err });
    if (this.proxiedFor(url)) {
      const m = /Proxy response \((\d+)\)/.exec(detail);
      const why = m ? `it answered ${m[1]}${m[1] === '407' ? ' (proxy authentication required)' : ''}` : detail;
      return new QwenError('proxy', `The proxy ${redactUrl(this.proxyUrl!)} failed while ${what}: ${why}.`, { cause: err });
    }
    const host = safeHost(url);
    switch (code) {
      case 'ECONNREFUSED':
        return new QwenError('connection', `${host} refused the connection while ${what}.`, { cause: err });
      case 'ENOTFOUND':
      case 'EAI_AGAIN':
        return new QwenError('connection', `Cannot find the host ${host} (DNS lookup failed) while ${what}.`, { cause: err });
      case 'ECONNRESET':
      case 'UND_ERR_SOCKET':
      case 'EPIPE':
        return new QwenError('connection', `The connection to ${host} was reset while ${what}.`, { cause: err });
      default:
        return new QwenError('connection', `Could not reach ${host} while ${what}: ${detail}.`, { cause: err });
    }
  }

  /** Closes every socket of this call at once. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.dispatcher.destroy().catch(() => undefined);
  }
}

/** A TLS failure in words, or undefined: never OpenSSL's own dump. */
function tlsProblem(code: string | undefined, detail: string): string | undefined {
  if (code === 'EPROTO' || /wrong version number|packet length too long|ssl3_get_record|SSL routines/i.test(detail)) {
    return /wrong version number|packet length too long|http request/i.test(detail)
      ? 'the server answered in plain HTTP, not TLS (is the URL http://, not https://?)'
      : 'the TLS handshake failed';
  }
  switch (code) {
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
      return 'its certificate is self-signed and not trusted';
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return 'its certificate was issued by an authority this machine does not trust';
    case 'CERT_HAS_EXPIRED':
      return 'its certificate has expired';
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return 'its certificate is for another host name';
    default:
      return undefined;
  }
}

/** Seconds from a Retry-After header (delta-seconds or an HTTP date), or undefined. */
export function retryAfterSeconds(value: string, now = Date.now()): number | undefined {
  const v = value.trim();
  if (!v) return undefined;
  if (/^\d+$/.test(v)) return Math.min(Number(v), 24 * 3600);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.min(Math.ceil((at - now) / 1000), 24 * 3600));
}

export function httpError(status: number, contentType: string, body: string, url: string, what: string, retryAfter = ''): QwenError {
  const message = bodyMessage(contentType, body);
  const where = `${what} (${status} from ${safePath(url)})`;
  const html = /html/i.test(contentType) || /^\s*</.test(body);
  const page = html ? pageText(body) : undefined;
  switch (status) {
    case 503:
      return new QwenError('busy', message ? `The Space is busy: ${message}` : `The Space is busy right now: ${where}.`, { status, spaceMessage: message, page });
    case 404:
      return new QwenError(
        'not-found',
        `Nothing found at ${safePath(url)} (404${message ? `: ${message}` : ''}). The Space URL may be wrong, or the Space changed its API.`,
        { status, spaceMessage: message },
      );
    case 401:
    case 403:
      return new QwenError('auth', `The Space refused access (${status}${message ? `: ${message}` : ''}).`, { status, spaceMessage: message });
    case 429: {
      const wait = retryAfterSeconds(retryAfter);
      const when = wait !== undefined ? ` Try again in ${wait} s.` : '';
      return new QwenError('rate-limited', `Too many requests (429${message ? `: ${message}` : ''}).${when}`, { status, spaceMessage: message, ...(wait !== undefined ? { retryAfterSeconds: wait } : {}) });
    }
    default:
      if (html) {
        return new QwenError('not-ready', `The Space answered with a web page instead of its API while ${where}: it may be asleep, building or paused.${message ? ` It said: ${message}` : ''}`, { status, spaceMessage: message, page });
      }
      return new QwenError('http', `The Space failed while ${where}${message ? `: ${message}` : ''}.`, { status, spaceMessage: message });
  }
}

/** The visible text of an HTML page, for telling a sleeping Space's page from any other. */
export function pageText(html: string): string {
  return stripHtml(html.replace(/<(script|style)\b[\s\S]*?<\/\1>/gi, ' ')).replace(/\s+/g, ' ').trim().slice(0, 2_000);
}

/** The human part of an error body: FastAPI's `detail`, Gradio's `error`/`message`, an HTML title, or short text. */
export function bodyMessage(contentType: string, body: string): string {
  const trimmed = body.trim();
  if (!trimmed) return '';
  if (/json/i.test(contentType) || /^[{[]/.test(trimmed)) {
    try {
      const j = JSON.parse(trimmed) as Record<string, unknown>;
      const d = j.detail ?? j.error ?? j.message;
      if (typeof d === 'string') return stripHtml(d);
      if (Array.isArray(d)) return d.map((x) => (typeof x === 'object' && x && 'msg' in x ? String((x as { msg: unknown }).msg) : JSON.stringify(x))).join('; ');
      if (d !== undefined && d !== null) return JSON.stringify(d);
    } catch {
      /* not JSON after all */
    }
  }
  if (/html/i.test(contentType) || /^</.test(trimmed)) {
    const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(trimmed)?.[1];
    const h1 = /<h1[^>]*>([\s\S]*?)<\/h1>/i.exec(trimmed)?.[1];
    return stripHtml(title || h1 || '').slice(0, 200);
  }
  return stripHtml(trimmed).slice(0, 300);
}

export async function readText(body: AsyncIterable<Uint8Array>, limit = Infinity): Promise<string> {
  const dec = new TextDecoder();
  let out = '';
  for await (const chunk of body) {
    out += dec.decode(chunk, { stream: true });
    if (out.length > limit) break;
  }
  return out + dec.decode();
}

function errCode(err: unknown): string | undefined {
  const e = err as { code?: string; cause?: { code?: string; errors?: Array<{ code?: string }> }; errors?: Array<{ code?: string }> };
  return e?.code && e.code !== 'UND_ERR' ? e.code : e?.cause?.code ?? e?.errors?.[0]?.code ?? e?.cause?.errors?.[0]?.code ?? e?.code;
}

function errText(err: unknown): string {
  const e = err as { message?: string; cause?: { message?: string } };
  const parts = [e?.message, e?.cause?.message].filter((s): s is string => !!s);
  return parts.join(': ') || String(err);
}

/** A URL's host for messages, or the text itself when it is not a URL. */
export function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

function safePath(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return url;
  }
}

/**
 * Whether a request to `url` may carry the Hugging Face token: HTTPS on the default port to
 * huggingface.co, one of its subdomains (the Inference Providers router among them) or a Space's
 * own `*.hf.space` host. Nothing else, whatever a setting says: a workspace's settings can point a
 * model at any URL, and the token is the user's, not the workspace's. Look-alikes such as
 * `evilhf.space` or `huggingface.co.example.com` do not match.
 */
export function mayCarryHfToken(url: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.protocol !== 'https:' || u.port !== '' || u.username || u.password) return false;
  const host = u.hostname.toLowerCase().replace(/\.$/, '');
  return host === 'huggingface.co' || host.endsWith('.huggingface.co') || (host.endsWith('.hf.space') && host.length > '.hf.space'.length);
}

/** A proxy URL with any password replaced, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    if (u.username) u.username = u.username ? '***' : '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '(invalid proxy URL)';
  }
}

function checkProxyUrl(proxy: string): void {
  let u: URL;
  try {
    u = new URL(proxy);
  } catch {
    throw new QwenError('proxy', `The proxy setting "${redactUrl(proxy)}" is not a URL (expected http://host:port).`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new QwenError('proxy', `Only http:// and https:// proxies are supported, not ${u.protocol}//.`);
  }
}

/** NO_PROXY matching as curl and undici read it: `*`, host suffixes, optional ports, leading dots. */
export function matchesNoProxy(url: URL, noProxy: string): boolean {
  const entries = noProxy.split(/[\s,]+/).filter(Boolean);
  if (entries.includes('*')) return true;
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  for (const raw of entries) {
    const m = /^(.*?)(?::(\d+))?$/.exec(raw.toLowerCase().replace(/^\*?\./, '.'));
    if (!m) continue;
    const [, h, p] = m;
    if (p && p !== port) continue;
    const name = h.replace(/^\./, '').replace(/^\[|\]$/g, '');
    if (host === name || host.endsWith(`.${name}`)) return true;
  }
  return false;
}
