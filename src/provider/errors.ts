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
  | 'bad-request'; // the caller passed something unusable (no messages, bad URL)

export class QwenError extends Error {
  override readonly name = 'QwenError';
  constructor(
    readonly kind: QwenErrorKind,
    message: string,
    readonly details: { status?: number; spaceMessage?: string; page?: string; cause?: unknown; stage?: string; retryAfterSeconds?: number } = {},
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
  };
  const retryAfter = err.details.retryAfterSeconds;
  const hint = retryAfter !== undefined ? `The Space asks to wait ${retryAfter} s; Retry waits that long.` : hints[err.kind];
  return { message: err.message, hint, retryable: err.retryable, ...(retryAfter !== undefined ? { retryAfterSeconds: retryAfter } : {}) };
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
