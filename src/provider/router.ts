/**
 * One router for every model: the free Qwen Spaces and OpenAI-compatible endpoints (your key,
 * your machine, your cluster) behind one model list. A model is a Space's name (`qwen-2.5`) or
 * `ENDPOINT/MODEL` (`ollama/qwen2.5-coder:7b`, `hf/Qwen/Qwen2.5-Coder-32B-Instruct`). The router
 * plans the models to try, skips a Space the Hub reports paused, broken or gone without a request,
 * tries models that were unavailable a moment ago after the others, falls back while a model is
 * unavailable before any text, and always says who answered and why not the first choice.
 */
import { QwenError } from './errors';
import { Http, safeHost } from './gradio/http';
import { type HealthMemory } from './health';
import { type HubStages, isFinalStage, STAGE_WORDS } from './hub';
import { type Endpoint, streamChat } from './openai/client';
import { ENDPOINT_PRESETS, type EndpointPreset, presetById } from './openai/presets';
import type { ChatMessage } from './prompt';
import { normaliseSpaceUrl } from './gradio/config';
import { DEFAULT_FALLBACK_ORDER, DEFAULT_MODEL, isUnavailable, MODELS, SPACES, type SpaceProvider, spaceFor, type SpacesOptions, urlFor } from './spaces';
import type { ToolSpec } from './toolCalls';
import type { ProviderEvent } from './types';

/** An endpoint as the settings (or the CLI's --endpoint) declare it. */
export interface EndpointSetting {
  /** The prefix of its models' ids: `ollama` in `ollama/qwen3:8b`. */
  name: string;
  /** One of ENDPOINT_PRESETS' ids; absent for "other OpenAI-compatible server". */
  preset?: string;
  /** The base URL, `/v1` included; absent: the preset's. */
  baseUrl?: string;
  /** The models chosen from it; absent: the preset's Qwen models. */
  models?: readonly string[];
}

/** An endpoint with its URL and preset settled. */
export interface ResolvedEndpoint {
  name: string;
  baseUrl: string;
  preset?: EndpointPreset;
  models: readonly string[];
  /** Declared by the user (settings, --endpoint), not only a preset known by name. */
  declared: boolean;
}

export interface RouterOptions extends SpacesOptions {
  endpoints?: readonly EndpointSetting[];
  /** The key to send to an endpoint (asked per request: keys are bound to an origin by the caller). */
  keyFor?: (ep: ResolvedEndpoint) => string | undefined | Promise<string | undefined>;
  /** Remembers each model's health across requests. */
  health?: HealthMemory;
  /** The Hub's stages, asked for every Space at once before the first request and kept a while. */
  hubStages?: HubStages;
  /** Tools for an endpoint that calls them natively (OpenAI `tools`). */
  tools?: readonly ToolSpec[];
  /** Told of each attempt; `skip()` stops waiting for that model and asks the next one now. */
  onAttempt?: (attempt: { model: string; skip: () => void }) => void;
}

export type ModelRef = { kind: 'space'; id: string; space: SpaceProvider } | { kind: 'endpoint'; id: string; endpoint: ResolvedEndpoint; model: string };

/** Every endpoint the settings declare, then each preset with a fixed URL under its own id. */
export function resolveEndpoints(settings: readonly EndpointSetting[] = []): ResolvedEndpoint[] {
  const out: ResolvedEndpoint[] = [];
  for (const s of settings) {
    const name = s.name.trim();
    if (!name || name.includes('/') || out.some((e) => e.name === name)) continue;
    const preset = s.preset ? presetById(s.preset) : presetById(name);
    const baseUrl = (s.baseUrl?.trim() || preset?.baseUrl || '').replace(/\/+$/, '');
    if (!baseUrl) continue;
    out.push({ name, baseUrl, preset, models: s.models?.length ? [...s.models] : (preset?.models.map((m) => m.id) ?? []), declared: true });
  }
  for (const p of ENDPOINT_PRESETS) {
    if (!p.baseUrl || out.some((e) => e.name === p.id)) continue;
    out.push({ name: p.id, baseUrl: p.baseUrl.replace(/\/+$/, ''), preset: p, models: p.models.map((m) => m.id), declared: false });
  }
  return out;
}

/** A model id as the router reads it, or a clear error naming what there is. */
export function resolveModel(id: string, endpoints: readonly ResolvedEndpoint[]): ModelRef {
  const m = id.trim() || DEFAULT_MODEL;
  const slash = m.indexOf('/');
  if (slash < 0) return { kind: 'space', id: m, space: spaceFor(m) };
  const name = m.slice(0, slash);
  const model = m.slice(slash + 1);
  const endpoint = endpoints.find((e) => e.name === name);
  if (!endpoint || !model) {
    const names = endpoints.map((e) => e.name).join(', ');
    throw new QwenError('bad-model', `Unknown model "${m}": no endpoint is named "${name}". Models are a Space's name (${MODELS.join(', ')}) or ENDPOINT/MODEL with an endpoint among ${names}.`);
  }
  return { kind: 'endpoint', id: m, endpoint, model };
}

/** Where a model runs, in words: "Qwen/Qwen2.5 (free Space)", "Ollama at 127.0.0.1:11434". */
export function whereOf(ref: ModelRef): string {
  if (ref.kind === 'space') return ref.space.shape.spaceId;
  const host = safeHost(ref.endpoint.baseUrl);
  return ref.endpoint.preset ? `${ref.endpoint.preset.label}${ref.endpoint.preset.local || !ref.endpoint.preset.baseUrl ? ` at ${host}` : ''}` : `${ref.endpoint.name} at ${host}`;
}

/** The model in the endpoint's own words for a message: `qwen3:8b on Ollama`. */
function nameOf(ref: ModelRef): string {
  return ref.kind === 'space' ? (ref.space.shape.spaceId.split('/')[1] ?? ref.id) : ref.id;
}

/** A short reason for the answer's note: "Qwen2.5 is paused by its owner". */
export function reasonOf(err: QwenError, ref: ModelRef): string {
  const name = nameOf(ref);
  if (err.details.stage) return err.message.replace(/\.$/, '');
  switch (err.kind) {
    case 'busy':
      return ref.kind === 'space' ? `${name} is busy (its queue is full)` : `${name} is busy or loading`;
    case 'connection':
      return `${name} could not be reached`;
    case 'timeout':
      return `${name} stopped answering`;
    case 'not-ready':
      return `${name} is asleep, starting or down`;
    case 'not-found':
      if (ref.kind === 'endpoint') return `${name} is not served there`;
      return `${name} failed (${err.message})`;
    default:
      return `${name} failed (${err.message})`;
  }
}

export interface PlanOptions {
  fallback?: boolean;
  fallbackOrder?: readonly string[];
  endpoints?: readonly EndpointSetting[];
  health?: HealthMemory;
}

/**
 * The models to try for `model`, in order: it first, then the fallback order (one model per
 * Space; by default the Spaces' order, then the first model of each declared endpoint), with a
 * model unavailable in the last few minutes moved after the others. Unknown names in the setting
 * are skipped; an unknown chosen model is an error.
 */
export function plan(model: string, o: PlanOptions = {}): { models: string[]; deferred: string[] } {
  const endpoints = resolveEndpoints(o.endpoints);
  const first = resolveModel(model, endpoints);
  if (o.fallback === false) return { models: [first.id], deferred: [] };
  const order = o.fallbackOrder ?? [...DEFAULT_FALLBACK_ORDER, ...endpoints.filter((e) => e.declared && e.models.length).map((e) => `${e.name}/${e.models[0]}`)];
  const seenSpaces = new Set<SpaceProvider>();
  const out: string[] = [];
  for (const id of [first.id, ...order]) {
    let ref: ModelRef;
    try {
      ref = resolveModel(id, endpoints);
    } catch {
      continue; // a stale name in the setting
    }
    if (ref.kind === 'space') {
      if (seenSpaces.has(ref.space)) continue;
      seenSpaces.add(ref.space);
    } else if (out.includes(ref.id)) continue;
    out.push(ref.id);
  }
  const deferred = o.health ? out.filter((m) => o.health!.recentlyUnavailable(m)) : [];
  if (deferred.length === out.length) return { models: out, deferred: [] };
  return { models: [...out.filter((m) => !deferred.includes(m)), ...deferred], deferred };
}

/** The Hub asked for a Space at `url`: the setting's, or huggingface.co for a Space at its own URL. */
function hubFor(space: SpaceProvider, url: string, hubUrl: string | null | undefined): string | null {
  if (hubUrl !== undefined) return hubUrl;
  return normaliseSpaceUrl(url) === normaliseSpaceUrl(space.url) ? 'https://huggingface.co' : null;
}

/**
 * The answer as events, from the first model of the plan that is available. A `model` event says
 * which model answers, where it runs, and why an earlier one did not.
 */
export async function* routeStream(model: string, messages: readonly ChatMessage[], options: RouterOptions = {}): AsyncGenerator<ProviderEvent> {
  const endpoints = resolveEndpoints(options.endpoints);
  const { models, deferred } = plan(model, options);
  const reasons: string[] = [];
  // Said only when it changed who answers: the chosen model itself was put after the others.
  const chosen = resolveModel(model, endpoints).id;
  if (deferred.includes(chosen)) reasons.push(`${chosen} was unavailable (${options.health?.describe(chosen) ?? 'a moment ago'}), so it is tried after the others`);
  // Ask the Hub about every Space in the plan at once: a dead one is skipped without a request.
  // Each attempt waits only for its own Space's answer, so a slow Hub for a fallback Space never
  // holds up the chosen model.
  const stages = new Map<string, Promise<{ stage: string | undefined; fresh: boolean } | undefined>>();
  if (options.hubStages) {
    const byHub = new Map<string, string[]>();
    for (const m of models) {
      const ref = resolveModel(m, endpoints);
      if (ref.kind !== 'space') continue;
      const hub = hubFor(ref.space, urlFor(m, options.spaces), options.hubUrl);
      if (hub) byHub.set(hub, [...(byHub.get(hub) ?? []), ref.space.shape.spaceId]);
    }
    if (byHub.size) {
      const http = new Http({ ...options, idleTimeoutMs: 5_000 });
      const asks = [...byHub].map(([hub, ids]) => {
        const ask = options.hubStages!.stages(http, hub, ids, options.signal).catch(() => new Map<string, { stage: string | undefined; fresh: boolean }>());
        for (const id of ids) stages.set(id, ask.then((m) => m.get(id)));
        return ask;
      });
      void Promise.allSettled(asks).then(() => http.close());
    }
  }
  let firstError: QwenError | undefined;
  let lastError: unknown;
  const failed: string[] = [];
  for (let i = 0; i < models.length; i++) {
    const m = models[i];
    const ref = resolveModel(m, endpoints);
    const last = i === models.length - 1;
    let said = false;
    let skipped = false;
    const attempt = new AbortController();
    const onAbort = () => attempt.abort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.signal?.aborted) attempt.abort();
    try {
      const hub = ref.kind === 'space' ? await stages.get(ref.space.shape.spaceId) : undefined;
      const stage = hub?.stage;
      if (ref.kind === 'space' && isFinalStage(stage)) {
        throw new QwenError('not-ready', `${ref.space.shape.spaceId} is ${STAGE_WORDS[stage!]}.`, { stage });
      }
      options.onAttempt?.({
        model: m,
        skip: () => {
          if (said || last) return;
          skipped = true;
          attempt.abort();
        },
      });
      const inner = await attemptStream(ref, messages, options, attempt.signal, hub);
      for await (const ev of inner) {
        if (!said && ev.type !== 'status') {
          said = true;
          options.health?.record(m, 'ok');
          const where = whereOf(ref);
          yield { type: 'model', model: m, label: ref.kind === 'space' ? ref.space.label : ref.endpoint.preset?.label ?? ref.endpoint.name, spaceId: where, where, ...(reasons.length ? { fallbackReason: reasons.join('; ') } : {}) };
        }
        // A wait for a Space to wake or start can be cut short: say which model would answer instead.
        if (ev.type === 'status' && !last && (ev.status.stage === 'waking' || ev.status.stage === 'space-starting')) yield { type: 'status', status: { ...ev.status, next: models[i + 1] } };
        else yield ev;
      }
      return;
    } catch (err) {
      lastError = err;
      const unavailable = !said && !options.signal?.aborted && (skipped || isUnavailable(err));
      if (unavailable && !skipped && last) options.health?.record(m, 'unavailable', reasonOf(err as QwenError, ref));
      if (!unavailable || last) {
        if (unavailable && firstError && failed.length) {
          const also = [...failed.slice(1), reasonOf(err as QwenError, ref)].join('; ');
          throw new QwenError(firstError.kind, `${firstError.message} No other model could answer either (${also}).`, firstError.details);
        }
        if (err instanceof QwenError && options.signal?.aborted && err.kind !== 'aborted') throw new QwenError('aborted', 'Stopped.', { cause: err });
        throw err;
      }
      const reason = skipped ? `you chose not to wait for ${nameOf(ref)}` : reasonOf(err as QwenError, ref);
      if (!skipped) options.health?.record(m, 'unavailable', reason);
      if (!firstError) firstError = skipped ? new QwenError('not-ready', `${reason}.`) : (err as QwenError);
      failed.push(reason);
      reasons.push(reason);
      yield { type: 'status', status: { stage: 'fallback', from: m, to: models[i + 1], reason } };
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
    }
  }
  throw lastError ?? new QwenError('bad-request', 'No model to ask.');
}

async function attemptStream(ref: ModelRef, messages: readonly ChatMessage[], o: RouterOptions, signal: AbortSignal, hub: { stage: string | undefined; fresh: boolean } | undefined): Promise<AsyncIterable<ProviderEvent>> {
  if (ref.kind === 'space') {
    const baseUrl = urlFor(ref.id, o.spaces);
    // The Hub answered for it just now (running or asleep): no second question. A stage kept from
    // an earlier request is checked again for the Space actually asked (it may have been paused
    // since); starting: waited for as before.
    const known = !!hub?.fresh && hub.stage !== undefined && !/^(BUILDING|APP_STARTING)$/.test(hub.stage);
    return ref.space.stream(ref.id, messages, { ...o, baseUrl, signal, ...(known ? { hubUrl: null } : {}) });
  }
  const apiKey = await o.keyFor?.(ref.endpoint);
  const ep: Endpoint = { name: ref.endpoint.name, baseUrl: ref.endpoint.baseUrl, ...(ref.endpoint.preset ? { preset: ref.endpoint.preset.id } : {}), ...(apiKey ? { apiKey } : {}) };
  const { hfToken: _token, ...http } = o;
  return streamChat(ep, ref.model, messages, { ...http, signal, ...(o.tools?.length ? { tools: [...o.tools] } : {}) });
}

/** Every Space's models and every endpoint's chosen models, Spaces first. */
export function allModels(settings: readonly EndpointSetting[] = [], includePresets = false): Array<{ id: string; ref: ModelRef }> {
  const endpoints = resolveEndpoints(settings);
  const out: Array<{ id: string; ref: ModelRef }> = SPACES.flatMap((s) => s.models.map((id) => ({ id, ref: { kind: 'space' as const, id, space: s } })));
  for (const e of endpoints) {
    if (!e.declared && !includePresets) continue;
    for (const model of e.models) out.push({ id: `${e.name}/${model}`, ref: { kind: 'endpoint', id: `${e.name}/${model}`, endpoint: e, model } });
  }
  return out;
}

/**
 * The Spaces as one provider with gpt4free's surface (label, flags, models, aliases), as its
 * HuggingSpace and RetryProvider are together: the router over the Spaces alone by default.
 */
export class QwenSpaces {
  static readonly label = 'Qwen Spaces';
  static readonly working = true;
  static readonly supportsStream = true;
  static readonly supportsSystemMessage = true;
  static readonly supportsMessageHistory = false;
  static readonly defaultModel = DEFAULT_MODEL;
  static readonly providers = SPACES;
  static get models(): string[] {
    return [...MODELS];
  }
  static get modelAliases(): Record<string, string> {
    return Object.assign({}, ...SPACES.map((s) => s.modelAliases));
  }

  /** The models to try for `model`: it first, then the fallback order, one per Space. */
  static plan(model: string, o: PlanOptions = {}): string[] {
    return plan(model, o).models;
  }

  static stream(model: string, messages: readonly ChatMessage[], options: RouterOptions = {}): AsyncGenerator<ProviderEvent> {
    return routeStream(model, messages, options);
  }
}
