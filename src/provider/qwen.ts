/**
 * A Qwen demo Space as a provider: the surface of gpt4free's Space providers (label, url, flags,
 * models, aliases, an async generator over messages, proxy) over a Gradio client that discovers
 * the endpoint, streams real token deltas, reports the queue, cancels, and fails loudly. Each
 * Space is one row of data (a `SpaceSpec` in spaces.ts: its URL, models, prompt and the shape of
 * its chat function) and one `QwenSpace` built from it, with its own endpoint cache.
 */
import { QwenError } from './errors';
import { type ChatEndpoint, fetchConfig, joinUrl, type KnownLayout, normaliseSpaceUrl, resolveEndpoint } from './gradio/config';
import { Http, type HttpOptions, readText } from './gradio/http';
import { appendedText, lastBotReply, TextTracker } from './gradio/chatbot';
import { submit } from './gradio/queue';
import { checkHealth } from './hub';
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
  /**
   * The Hugging Face Hub to ask for the Space's stage before the first call (`null`: never ask).
   * Default: https://huggingface.co, asked only for the Space's own *.hf.space URL.
   */
  hubUrl?: string | null;
}

const DEFAULT_WAKE_TIMEOUT_MS = 180_000;
const DEFAULT_WAKE_POLL_MS = 5_000;

const CONFIG_TTL_MS = 10 * 60_000;

/** How a Space's chat function is called: what a row of the table states about its wire format. */
export interface SpaceShape {
  /** The Hub id, `owner/name`. */
  spaceId: string;
  /** The chat function as gpt4free called it (the fallback when /config does not list it). */
  known: KnownLayout;
  /** The API prefix gpt4free used ('' Gradio 4, '/gradio_api' Gradio 5+), used only with `known`. */
  knownPrefix: '' | '/gradio_api';
  /** The value the Space's own model input takes, per resolved model name. */
  modelValue: Readonly<Record<string, string>>;
  /** Qwen2.5-1M: the unqueued "add text" call (fn_index) made before joining the queue. */
  addTextFn?: number;
  /** Text the Space puts into its answer that is not answer (Qwen2.5-1M's thinking markup). */
  clean?: (text: string) => { text: string; reasoning: string };
}

/** One Space as data: a row of the table in spaces.ts. */
export interface SpaceSpec {
  /** gpt4free's label, `Qwen Qwen-2.5`. */
  readonly label: string;
  /** The Space's own URL (`https://owner-name.hf.space`). */
  readonly url: string;
  /** The model the Space serves by gpt4free's name for it. */
  readonly defaultModel: string;
  /** The names a user picks (`qwen-2.5`) mapped to the Space's (`qwen-qwen2-5`). */
  readonly modelAliases: Readonly<Record<string, string>>;
  /** The names a user picks from, the first one first in fallback and checks. */
  readonly models: readonly string[];
  /** The system prompt the Space uses when the messages carry none ('' sends none; default: DEFAULT_SYSTEM_PROMPT). */
  readonly defaultSystemPrompt?: string;
  readonly shape: SpaceShape;
}

/** Moved on by clearEndpointCache: an entry stored before the last move is never used. */
let generation = 0;

/**
 * Endpoints discovered from /config, per base URL and function name, kept CONFIG_TTL_MS. Each
 * Space has its own, so two Spaces at one URL never use each other's layout.
 */
class EndpointCache {
  private readonly entries = new Map<string, { ep: ChatEndpoint; at: number; generation: number }>();

  get(key: string): ChatEndpoint | undefined {
    const hit = this.entries.get(key);
    return hit && hit.generation === generation && Date.now() - hit.at < CONFIG_TTL_MS ? hit.ep : undefined;
  }

  set(key: string, ep: ChatEndpoint): void {
    this.entries.set(key, { ep, at: Date.now(), generation });
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}

export class QwenSpace implements SpaceSpec {
  readonly label: string;
  readonly url: string;
  readonly working: boolean = true;
  readonly supportsStream: boolean = true;
  readonly supportsSystemMessage: boolean = true;
  /** As in gpt4free: the Spaces take one query, so earlier turns are folded into the prompt. */
  readonly supportsMessageHistory: boolean = false;
  readonly defaultModel: string;
  readonly modelAliases: Readonly<Record<string, string>>;
  readonly models: readonly string[];
  /** The system prompt the Space uses when the messages carry none ('' sends none). */
  readonly defaultSystemPrompt: string;
  readonly shape: SpaceShape;
  private readonly endpoints = new EndpointCache();

  constructor(spec: SpaceSpec) {
    this.label = spec.label;
    this.url = spec.url;
    this.defaultModel = spec.defaultModel;
    this.modelAliases = spec.modelAliases;
    this.models = spec.models;
    this.defaultSystemPrompt = spec.defaultSystemPrompt ?? DEFAULT_SYSTEM_PROMPT;
    this.shape = spec.shape;
  }

  get apiEndpoint(): string {
    return joinUrl(this.url, this.shape.knownPrefix, 'queue/join');
  }

  /** Every name this Space answers to: its models, aliases and the default model. */
  get allModels(): string[] {
    return [...new Set([this.defaultModel, ...this.models, ...Object.keys(this.modelAliases), ...Object.values(this.modelAliases)])];
  }

  /** Resolves a model name or alias; empty means the default. Unknown names are a clear error. */
  getModel(model: string | undefined): string {
    const m = (model ?? '').trim();
    if (!m) return this.defaultModel;
    if (m === this.defaultModel) return m;
    const alias = this.modelAliases[m];
    if (alias) return alias;
    if (this.models.includes(m)) return m;
    const known = [this.defaultModel, ...Object.keys(this.modelAliases)];
    throw new QwenError('bad-model', `Unknown model "${m}" for ${this.label}. Known models: ${known.join(', ')}.`);
  }

  /** Forgets the endpoints this Space discovered (clearEndpointCache forgets every Space's). */
  forgetEndpoints(): void {
    this.endpoints.clear();
  }

  /** The answer as text fragments, the way gpt4free's provider yields them. Status goes to `onStatus`. */
  async *createAsyncGenerator(model: string, messages: readonly ChatMessage[], options: QwenOptions = {}): AsyncGenerator<string> {
    let sent = '';
    // While the stream only grows, `text` events follow on from what was sent and their deltas
    // go straight out; only after a rewrite is the whole text compared with what was sent.
    // Fragments cannot be taken back, so after a rewrite we stay quiet until the text grows
    // past what was sent again.
    let inSync = true;
    for await (const ev of this.stream(model, messages, options)) {
      if (ev.type === 'status') {
        options.onStatus?.(ev.status);
      } else if (ev.type === 'reasoning' || ev.type === 'model' || ev.type === 'tool-call' || ev.type === 'usage') {
        continue; // gpt4free's generator yields the answer only
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
  async *stream(model: string, messages: readonly ChatMessage[], options: QwenOptions = {}): AsyncGenerator<ProviderEvent> {
    const resolved = this.getModel(model);
    const { prompt, system } = buildPrompt(messages, options.defaultSystemPrompt ?? this.defaultSystemPrompt);
    const baseUrl = normaliseSpaceUrl(options.baseUrl ?? this.url);
    const http = new Http(options);
    const { signal } = options;
    const shape = this.shape;
    const opts = { ...options, known: shape.known, knownPrefix: shape.knownPrefix };
    try {
      yield { type: 'status', status: { stage: 'connecting', url: baseUrl } };
      // Ask the Hub first: a paused or broken Space fails at once, a sleeping one is woken.
      const hub = options.hubUrl === undefined ? (baseUrl === normaliseSpaceUrl(this.url) ? 'https://huggingface.co' : null) : options.hubUrl;
      if (hub && shape.spaceId) yield* checkHealth(http, hub, shape.spaceId, this.label, signal);
      const cache = this.endpoints;
      let ep = yield* wakeAndResolve(http, cache, baseUrl, opts, false);
      const tracker = new TextTracker();
      const thoughts = new TextTracker();
      let producedOutput = false;
      for (let attempt = 0; ; attempt++) {
        const data = buildData(ep, prompt, system, shape.modelValue[resolved] ?? Object.values(shape.modelValue)[0] ?? resolved);
        try {
          if (shape.addTextFn !== undefined) await addText(http, ep, shape.addTextFn, prompt, signal);
          for await (const ev of submit(http, ep, data, { signal })) {
            if (ev.type === 'status') {
              yield ev;
              continue;
            }
            producedOutput = true;
            const reply = lastBotReply(ev.data[ep.chatbotOutput]) ?? { text: '', reasoning: '' };
            const { text, reasoning } = shape.clean ? mergeClean(reply, shape.clean) : reply;
            const r = thoughts.update(reasoning);
            if (r.kind === 'delta') yield { type: 'reasoning', delta: r.delta, text: thoughts.text };
            else if (r.kind === 'rewrite') yield { type: 'reasoning', delta: '', text: thoughts.text };
            const appended = ev.ops && !shape.clean && !reasoning ? appendedText(ev.ops[ep.chatbotOutput]) : undefined;
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
            cache.delete(cacheKey(baseUrl, options.apiName));
            ep = yield* wakeAndResolve(http, cache, baseUrl, opts, true, err);
            continue;
          }
          // A changed app shows up as 404/500/422 on join: read the config again, once.
          const stale =
            err instanceof QwenError && !producedOutput && attempt === 0 && [404, 422, 500].includes(err.details.status ?? 0);
          if (!stale) throw err;
          cache.delete(cacheKey(baseUrl, options.apiName));
          ep = await endpointFor(http, cache, baseUrl, opts, signal, true);
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
type ResolveOptions = QwenOptions & { known: KnownLayout; knownPrefix: string };

async function* wakeAndResolve(http: Http, cache: EndpointCache, baseUrl: string, options: ResolveOptions, fresh: boolean, first?: QwenError): AsyncGenerator<ProviderEvent, ChatEndpoint> {
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
      return await endpointFor(http, cache, baseUrl, options, signal, fresh);
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

async function endpointFor(http: Http, cache: EndpointCache, baseUrl: string, o: ResolveOptions, signal: AbortSignal | undefined, fresh: boolean): Promise<ChatEndpoint> {
  const key = cacheKey(baseUrl, o.apiName);
  const hit = fresh ? undefined : cache.get(key);
  if (hit) return hit;
  const config = await fetchConfig(http, baseUrl, signal);
  // A config that lists no functions: the Space's known layout, at its known prefix.
  if (!Array.isArray(config.dependencies) && config.api_prefix === undefined && o.knownPrefix) config.api_prefix = o.knownPrefix;
  const ep = resolveEndpoint(config, baseUrl, o.apiName, o.known);
  cache.set(key, ep);
  return ep;
}

/** Forgets the endpoints every Space discovered (tests, and the "Space URL changed" path). */
export function clearEndpointCache(): void {
  generation++;
}

/** A modelscope_studio chatbot message, as the Qwen Spaces' chatbots hold them. */
export function mgrMessage(text: string | null) {
  return { id: null, elem_id: null, elem_classes: null, name: null, text, flushing: null, avatar: '', files: [] };
}

function buildData(ep: ChatEndpoint, prompt: string, system: string, model: string): unknown[] {
  return ep.inputs.map((slot) => {
    switch (slot.kind) {
      case 'query':
        return prompt;
      case 'history':
        return [];
      case 'system':
        return system;
      case 'model':
        return model;
      case 'settings':
        return { thinking_budget: 38, model, sys_prompt: system };
      case 'chat-with-query':
        return [[mgrMessage(prompt), null]];
      case 'fixed':
        return slot.value;
    }
  });
}

/** Qwen2.5-1M's first, unqueued step: the query goes into the Space's chat before generating. */
async function addText(http: Http, ep: ChatEndpoint, fnIndex: number, prompt: string, signal: AbortSignal | undefined): Promise<void> {
  const res = await http.send(joinUrl(ep.root, ep.apiPrefix, 'run/predict'), {
    method: 'POST',
    signal,
    what: 'adding the question',
    body: { data: [{ files: [], text: prompt }, [], []], event_data: null, fn_index: fnIndex, trigger_id: ep.triggerId, session_hash: 'qwenchat' },
  });
  await readText(res.body, 1 << 20);
}

function mergeClean(reply: { text: string; reasoning: string }, clean: NonNullable<SpaceShape['clean']>): { text: string; reasoning: string } {
  const c = clean(reply.text);
  return { text: c.text, reasoning: reply.reasoning && c.reasoning ? `${reply.reasoning}\n\n${c.reasoning}` : reply.reasoning || c.reasoning };
}
