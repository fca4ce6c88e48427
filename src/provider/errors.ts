/**
 * Typed errors a user can read. Every failure of the provider is one of these, carrying the
 * Space's own words where it gave any; `describeError` is the one place that turns them into text.
 */

export type QwenErrorKind =
  | 'aborted' // the caller cancelled
  | 'busy' // 503: the Space's queue is full or stopped
  | 'not-found' // 404: wrong URL or API prefix
  | 'not-ready' // the Space answered with HTML (sleeping, building, paused) or not JSON
  | 'auth' // 401/403: private or gated Space, or a bad token
  | 'rate-limited' // 429
  | 'http' // any other non-2xx
  | 'space-error' // the app raised (process_completed with success:false)
  | 'unexpected' // unexpected_error from Gradio's stream loop
  | 'stream-ended' // the stream ended before our event completed
  | 'timeout' // no bytes, not even heartbeats, for too long
  | 'connection' // connection refused, DNS failure, reset
  | 'proxy' // the proxy refused or failed
  | 'tls' // the TLS handshake failed: plain HTTP on an https:// URL, or a certificate refused
  | 'protocol' // the server spoke something we cannot read
  | 'bad-model' // unknown model name
  | 'bad-request' // the caller passed something unusable (no messages, bad URL)
  | 'quota' // an endpoint's credits or plan are used up (402)
  | 'context-length'; // the conversation is longer than the endpoint's model takes

export interface QwenErrorDetails {
  status?: number;
  /** The server's own words (a Space's, or an endpoint's error message). */
  spaceMessage?: string;
  page?: string;
  cause?: unknown;
  stage?: string;
  retryAfterSeconds?: number;
  /** Set for an OpenAI-compatible endpoint's error: its name, so the hint speaks of it, not of a Space. */
  endpoint?: string;
  /** The endpoint's preset id ('ollama', 'hf'…), for preset-specific hints. */
  preset?: string;
  /** The environment variable the CLI reads the endpoint's key from. */
  keyEnv?: string;
  /** The model asked for, where the hint names it (Ollama's `ollama pull NAME`). */
  model?: string;
  /** A hint for this one error that says more than its kind's (a broken tool call, a refused key). */
  hint?: string;
}

export class QwenError extends Error {
  override readonly name = 'QwenError';
  constructor(
    readonly kind: QwenErrorKind,
    message: string,
    readonly details: QwenErrorDetails = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
  }

  /** Whether trying the same request again later may succeed. */
  get retryable(): boolean {
    switch (this.kind) {
      case 'busy':
      case 'not-ready':
      case 'rate-limited':
      case 'space-error':
      case 'unexpected':
      case 'stream-ended':
      case 'timeout':
      case 'connection':
      case 'proxy':
      case 'http':
      case 'tls':
        return true;
      default:
        return false;
    }
  }
}

export function isAbort(err: unknown): boolean {
  return err instanceof QwenError ? err.kind === 'aborted' : (err as { name?: string })?.name === 'AbortError';
}

export interface ErrorDescription {
  /** What happened, in the Space's words where it gave any. */
  message: string;
  /** What the user can do about it. */
  hint: string;
  retryable: boolean;
  /** The Space said when to try again (429 Retry-After). */
  retryAfterSeconds?: number;
}

/** The one place that turns any error into text for a person. */
export function describeError(err: unknown): ErrorDescription {
  if (!(err instanceof QwenError)) {
    const message = err instanceof Error ? err.message : String(err);
    return { message: message || 'Something went wrong.', hint: 'Try again; if it keeps happening, see the Qwen Chat log.', retryable: true };
  }
  const hints: Record<QwenErrorKind, string> = {
    aborted: 'Stopped. The partial answer is kept.',
    busy: 'The Space is busy. Try again in a minute.',
    'not-found': 'Check the Space URL settings (qwenChat.spaceUrl, qwenChat.spaces).',
    'not-ready': 'The Space may be asleep or starting. Wait a minute and try again.',
    auth: 'The Space refused the request. Set or clear your Hugging Face token (Qwen: Set Hugging Face Token).',
    'rate-limited': 'Too many requests. Wait a little, or set a Hugging Face token.',
    http: 'Try again; if it keeps happening, check the Space URL.',
    'space-error': 'The Space failed on its side. Try again, or shorten the conversation.',
    unexpected: 'The Space hit an internal error. Try again.',
    'stream-ended': 'The connection to the Space was cut. Try again.',
    timeout: 'The Space stopped answering. Try again, or raise qwenChat.requestTimeoutSeconds.',
    connection: 'Check your network connection and the Space URL.',
    proxy: 'Check the proxy setting (qwenChat.proxy or http.proxy).',
    tls: 'Check the Space URL (http:// or https://); a proxy that inspects TLS needs its certificate trusted, or http.proxyStrictSSL off.',
    protocol: 'The Space answered in a way this extension does not understand. Check the Space URL.',
    'bad-model': 'Pick one of the listed models (qwenChat.model).',
    'bad-request': 'Check what was sent.',
    quota: 'The account has no credits left. Add credits, or pick another model.',
    'context-length': 'The conversation is too long for this model. Start a new conversation, or attach less.',
  };
  const retryAfter = err.details.retryAfterSeconds;
  if (err.details.endpoint !== undefined) {
    const hint = err.details.hint ?? (retryAfter !== undefined ? `${err.details.endpoint} asks to wait ${retryAfter} s; Retry waits that long.` : endpointHint(err.kind, err.details));
    return { message: err.message, hint, retryable: err.retryable, ...(retryAfter !== undefined ? { retryAfterSeconds: retryAfter } : {}) };
  }
  const hint = err.details.hint ?? (retryAfter !== undefined ? `The Space asks to wait ${retryAfter} s; Retry waits that long.` : hints[err.kind]);
  return { message: err.message, hint, retryable: err.retryable, ...(retryAfter !== undefined ? { retryAfterSeconds: retryAfter } : {}) };
}

const ADD_ENDPOINT = 'Qwen: Add Model Endpoint…';

/** What to do about an OpenAI-compatible endpoint's failure: the endpoint's settings, not a Space's. */
function endpointHint(kind: QwenErrorKind, d: QwenErrorDetails): string {
  const name = d.endpoint || 'the endpoint';
  const local = d.preset === 'ollama' || d.preset === 'lmstudio' || d.preset === 'llamacpp';
  switch (kind) {
    case 'aborted':
      return 'Stopped. The partial answer is kept.';
    case 'auth':
      return `Set ${name}'s key with ${ADD_ENDPOINT}${d.keyEnv ? ` (the CLI reads it from ${d.keyEnv}, or --api-key-env)` : ' (the CLI: --api-key-env VAR)'}.`;
    case 'quota':
      return `Add credits to your ${name} account, or pick another model.`;
    case 'busy':
      return `${name} is busy. Try again in a minute, or pick another model.`;
    case 'not-ready':
      return 'The model is still loading. Wait a minute and try again.';
    case 'rate-limited':
      return 'Too many requests. Wait a little and try again.';
    case 'bad-model':
      return d.preset === 'ollama' && d.model
        ? `Pull it first: ollama pull ${d.model}`
        : `Pick a model ${name} lists (its /models), or check the model name.`;
    case 'context-length':
      return 'The conversation is longer than this model takes. Start a new conversation, attach less, or pick a model with a longer context.';
    case 'not-found':
    case 'protocol':
      return `Check ${name}'s base URL: it is the API's address, usually ending in /v1 (${ADD_ENDPOINT}).`;
    case 'connection':
      if (d.preset === 'ollama') return 'Is Ollama running? Start it with `ollama serve`.';
      if (local) return `Is ${name} running on this machine? Start its server, or check the base URL.`;
      return `Check your network connection and ${name}'s base URL.`;
    case 'timeout':
      return `${name} stopped answering. Try again, or raise qwenChat.requestTimeoutSeconds (the CLI: --timeout).`;
    case 'stream-ended':
      return `The connection to ${name} was cut. Try again.`;
    case 'proxy':
      return 'Check the proxy setting (qwenChat.proxy or http.proxy), or NO_PROXY for a server on your network.';
    case 'tls':
      return `Check ${name}'s base URL (http:// or https://); a proxy that inspects TLS needs its certificate trusted, or http.proxyStrictSSL off.`;
    case 'space-error':
    case 'unexpected':
    case 'http':
      return `${name} failed on its side. Try again, or pick another model.`;
    case 'bad-request':
      return `Check ${name}'s settings (${ADD_ENDPOINT}).`;
  }
}

/** Strips HTML tags and decodes the few entities Gradio and ZeroGPU put into error text: one line. */
export function stripHtml(text: string): string {
  return text
    .replace(/<\s*br\s*\/?>/gi, ' ')
    .replace(/<[^>]*>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}
