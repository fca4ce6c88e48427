/**
 * The Qwen 2.5 Space provider: the surface of gpt4free's `Qwen_Qwen_2_5` (label, url, flags,
 * models, aliases, an async generator over messages, proxy) over a Gradio client that discovers
 * the endpoint, streams real token deltas, reports the queue, cancels, and fails loudly.
 */
import { QwenError } from './errors';
import { type ChatEndpoint, fetchConfig, normaliseSpaceUrl, resolveEndpoint } from './gradio/config';
import { Http, type HttpOptions } from './gradio/http';
import { appendedText, lastBotText, TextTracker } from './gradio/chatbot';
import { submit } from './gradio/queue';
import { buildPrompt, type ChatMessage, DEFAULT_SYSTEM_PROMPT } from './prompt';
import type { ProviderEvent, SpaceStatus } from './types';

export interface QwenOptions extends HttpOptions {
  /** The Space's base URL (or `owner/name`); default the real Qwen/Qwen2.5 Space. */
  baseUrl?: string;
  signal?: AbortSignal;
  /** System prompt used when the messages carry none (default: the Space's own). */
  defaultSystemPrompt?: string;
  /** Told of queue position, start, progress and warnings as they happen. */
  onStatus?: (status: SpaceStatus) => void;
  /** The Gradio function to call (default `model_chat`). */
  apiName?: string;
  /**
   * How long to wait for a Space that shows a sleeping or starting page instead of its API
   * (asking wakes it), reporting `waking` status meanwhile; 0 fails at once. Default 3 minutes.
   */
  wakeTimeoutMs?: number;
  /** How often to look again while it wakes. Default 5 s. */
  wakePollMs?: number;
}

const DEFAULT_WAKE_TIMEOUT_MS = 180_000;
const DEFAULT_WAKE_POLL_MS = 5_000;

const SPACE_URL = 'https://qwen-qwen2-5.hf.space';
/** The value of the Space's model radio; the Space's 72B model is what the demo serves. */
const MODEL_RADIO: Record<string, string> = { 'qwen-qwen2-5': '72B' };
const CONFIG_TTL_MS = 10 * 60_000;
const endpointCache = new Map<string, { ep: ChatEndpoint; at: number }>();

export class Qwen_Qwen_2_5 {
  static readonly label = 'Qwen Qwen-2.5';
  static readonly url = SPACE_URL;
  static readonly apiEndpoint = `${SPACE_URL}/queue/join`;
  static readonly working = true;
  static readonly supportsStream = true;
  static readonly supportsSystemMessage = true;
  /** As in gpt4free: the Space takes one query, so earlier turns are folded into the prompt. */
  static readonly supportsMessageHistory = false;
  static readonly defaultModel = 'qwen-qwen2-5';
  static readonly modelAliases: Readonly<Record<string, string>> = { 'qwen-2.5': 'qwen-qwen2-5' };
  static readonly models: readonly string[] = ['qwen-2.5'];

  /** Resolves a model name or alias; empty means the default. Unknown names are a clear error. */
  static getModel(model: string | undefined): string {
    const m = (model ?? '').trim();
    if (!m) return this.defaultModel;
    if (m === this.defaultModel) return m;
    const alias = this.modelAliases[m];
    if (alias) return alias;
    const known = [this.defaultModel, ...Object.keys(this.modelAliases)];
    throw new QwenError('bad-model', `Unknown model "${m}" for ${this.label}. Known models: ${known.join(', ')}.`);
  }

  /** The answer as text fragments, the way gpt4free's provider yields them. Status goes to `onStatus`. */
  static async *createAsyncGenerator(model: string, messages: readonly ChatMessage[], options: QwenOptions = {}): AsyncGenerator<string> {
    let sent = '';
    // While the stream only grows, `text` events follow on from what was sent and their deltas
    // go straight out; only after a rewrite is the whole text compared with what was sent.
    // Fragments cannot be taken back, so after a rewrite we stay quiet until the text grows
    // past what was sent again.
    let inSync = true;
    for await (const ev of this.stream(model, messages, options)) {
      if (ev.type === 'status') {
        options.onStatus?.(ev.status);
      } else if (ev.type === 'text' && inSync) {
        sent += ev.delta;
        yield ev.delta;
      } else {
        inSync = ev.text.startsWith(sent);
        if (inSync && ev.text.length > sent.length) {
          const more = ev.text.slice(sent.length);
          sent = ev.text;
          yield more;
        }
      }
    }
  }

  /** The answer as events: status, text deltas, rewrites and the final text. */
  static async *stream(model: string, messages: readonly ChatMessage[], options: QwenOptions = {}): AsyncGenerator<ProviderEvent> {
    const resolved = this.getModel(model);
    const { prompt, system } = buildPrompt(messages, options.defaultSystemPrompt ?? DEFAULT_SYSTEM_PROMPT);
    const baseUrl = normaliseSpaceUrl(options.baseUrl ?? this.url);
    const http = new Http(options);
    const { signal } = options;
    try {
      yield { type: 'status', status: { stage: 'connecting', url: baseUrl } };
      let ep = yield* wakeAndResolve(http, baseUrl, options, false);
      const tracker = new TextTracker();
      let producedOutput = false;
      for (let attempt = 0; ; attempt++) {
        const data = buildData(ep, prompt, system, MODEL_RADIO[resolved] ?? '72B');
        try {
          for await (const ev of submit(http, ep, data, { signal })) {
            if (ev.type === 'status') {
              yield ev;
              continue;
            }
            producedOutput = true;
            const text = lastBotText(ev.data[ep.chatbotOutput]) ?? '';
            const appended = ev.ops ? appendedText(ev.ops[ep.chatbotOutput]) : undefined;
            const change = (appended !== undefined && tracker.append(appended, text)) || tracker.update(text);
            if (change.kind === 'delta') yield { type: 'text', delta: change.delta, text: tracker.text };
            else if (change.kind === 'rewrite') yield { type: 'rewrite', text: change.text };
            if (ev.final) {
              yield { type: 'done', text: tracker.text };
              return;
            }
          }
          return;
        } catch (err) {
          // A Space that fell asleep since its config was read shows its page on join: wait for it.
          if (!producedOutput && attempt === 0 && isWaking(err)) {
            endpointCache.delete(cacheKey(baseUrl, options.apiName));
            ep = yield* wakeAndResolve(http, baseUrl, options, true, err);
            continue;
          }
          // A changed app shows up as 404/500/422 on join: read the config again, once.
          const stale =
            err instanceof QwenError && !producedOutput && attempt === 0 && [404, 422, 500].includes(err.details.status ?? 0);
          if (!stale) throw err;
          endpointCache.delete(cacheKey(baseUrl, options.apiName));
          ep = await endpointFor(http, baseUrl, options.apiName, signal, true);
          yield { type: 'status', status: { stage: 'warning', message: 'The Space changed; read its config again and retried.' } };
        }
      }
    } catch (err) {
      if (signal?.aborted && !(err instanceof QwenError && err.kind !== 'aborted')) {
        throw new QwenError('aborted', 'Stopped.', { cause: err });
      }
      throw err;
    } finally {
      await http.close();
    }
  }
}

/**
 * The endpoint, from the cache or /config. While the Space shows a sleeping or starting page
 * instead (asking wakes it), looks again every wakePollMs until wakeTimeoutMs, with `waking`
 * status meanwhile. `first` is the failure that already showed it asleep, if any.
 */
async function* wakeAndResolve(http: Http, baseUrl: string, options: QwenOptions, fresh: boolean, first?: QwenError): AsyncGenerator<ProviderEvent, ChatEndpoint> {
  const { signal } = options;
  const wakeTimeout = options.wakeTimeoutMs ?? DEFAULT_WAKE_TIMEOUT_MS;
  const t0 = Date.now();
  let last = first;
  for (;;) {
    if (last) {
      const waited = Date.now() - t0;
      if (waited >= wakeTimeout) {
        if (wakeTimeout === 0) throw last;
        throw new QwenError('not-ready', `The Space did not wake up within ${Math.round(waited / 1000)} s. ${last.message}`, { ...last.details, cause: last });
      }
      const said = last.details.spaceMessage || last.details.page?.slice(0, 200) || '';
      yield { type: 'status', status: { stage: 'waking', waitedSeconds: Math.round(waited / 1000), timeoutSeconds: Math.round(wakeTimeout / 1000), said } };
      await delay(Math.min(options.wakePollMs ?? DEFAULT_WAKE_POLL_MS, wakeTimeout - waited), signal);
    }
    try {
      return await endpointFor(http, baseUrl, options.apiName, signal, fresh);
    } catch (err) {
      if (!isWaking(err)) throw err;
      last = err;
    }
  }
}

/**
 * Whether a failed /config looks like a Hugging Face Space that is asleep or starting (asking
 * wakes it; the Hub shows a page meanwhile), rather than a wrong URL or a paused Space.
 */
export function isWaking(err: unknown): err is QwenError {
  if (!(err instanceof QwenError)) return false;
  const said = `${err.details.spaceMessage ?? ''} ${err.details.page ?? ''}`;
  if (/\bpaused\b|\berror\b|failed/i.test(said)) return false;
  const page = WAKING_PAGE.test(said);
  return err.kind === 'busy' ? err.details.status === 503 && page : err.kind === 'not-ready' && page;
}

/** What the Hub's page says while a Space sleeps, builds or starts. */
const WAKING_PAGE = /sleep|start|build|restart|prepar|wak|loading|hugging\s*face/i;

/** Waits, or rejects as soon as the signal aborts. */
function delay(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new QwenError('aborted', 'Stopped.'));
    const onAbort = () => {
      clearTimeout(timer);
      reject(new QwenError('aborted', 'Stopped.'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function cacheKey(baseUrl: string, apiName: string | undefined): string {
  return `${baseUrl}#${apiName ?? ''}`;
}

async function endpointFor(http: Http, baseUrl: string, apiName: string | undefined, signal: AbortSignal | undefined, fresh: boolean): Promise<ChatEndpoint> {
  const key = cacheKey(baseUrl, apiName);
  const hit = endpointCache.get(key);
  if (!fresh && hit && Date.now() - hit.at < CONFIG_TTL_MS) return hit.ep;
  const ep = resolveEndpoint(await fetchConfig(http, baseUrl, signal), baseUrl, apiName);
  endpointCache.set(key, { ep, at: Date.now() });
  return ep;
}

/** Forgets discovered endpoints (tests, and the "Space URL changed" path). */
export function clearEndpointCache(): void {
  endpointCache.clear();
}

function buildData(ep: ChatEndpoint, prompt: string, system: string, radio: string): unknown[] {
  return ep.inputs.map((slot) => {
    switch (slot.kind) {
      case 'query':
        return prompt;
      case 'history':
        return [];
      case 'system':
        return system;
      case 'model':
        return radio;
      case 'fixed':
        return slot.value;
    }
  });
}
