/**
 * Reads a Gradio app's `/config` and finds the chat function in it: the API prefix (Gradio 4
 * has none, 5 and 6 use `/gradio_api`), the protocol, the root URL, and the dependency by
 * `api_name` or, failing that, by its component signature. The known values of the Qwen 2.5
 * Space are the fallback when the config does not list its functions.
 */
import { QwenError } from '../errors';
import type { Http } from './http';
import { bodyMessage, pageText, readText } from './http';

export interface GradioComponent {
  id: number;
  type: string;
  props?: { value?: unknown; choices?: unknown; label?: string; visible?: boolean; [k: string]: unknown };
}

export interface GradioDependency {
  id?: number;
  targets?: Array<[number, string]>;
  inputs: number[];
  outputs: number[];
  api_name?: string | false | null;
  queue?: boolean | null;
  types?: { generator?: boolean };
  backend_fn?: boolean;
}

export interface GradioConfig {
  version?: string;
  protocol?: string;
  api_prefix?: string;
  root?: string;
  space_id?: string | null;
  components?: GradioComponent[];
  dependencies?: GradioDependency[];
}

/** What a chat call needs to know about the Space, resolved once per call. */
export interface ChatEndpoint {
  /** Base URL every API path is joined to (the config's `root` when on the same origin). */
  root: string;
  apiPrefix: string;
  protocol: 'sse_v1' | 'sse_v2' | 'sse_v2.1' | 'sse_v3';
  version: string | undefined;
  fnIndex: number;
  triggerId: number | null;
  apiName: string | null;
  /** How to build `data` for the join, one slot per input, in order. */
  inputs: InputSlot[];
  /** Index of the chatbot among the outputs. */
  chatbotOutput: number;
  /** True when the config did not describe the function and the known Qwen 2.5 layout was assumed. */
  assumed: boolean;
}

export type InputSlot =
  | { kind: 'query' }
  | { kind: 'history' }
  | { kind: 'system' }
  | { kind: 'model' }
  /** Qwen3-Demo's settings dict: `{thinking_budget, model, sys_prompt}`. */
  | { kind: 'settings' }
  /** Qwen2.5-1M's chatbot holding the query as its one open turn: `[[{text: query}, null]]`. */
  | { kind: 'chat-with-query' }
  | { kind: 'fixed'; value: unknown };

/** What is known of a Space's chat function, from gpt4free: the fallback when /config does not say. */
export interface KnownLayout {
  apiName: string;
  fnIndex: number;
  triggerId: number | null;
  inputs: InputSlot[];
  chatbotOutput: number;
}

/** The Qwen/Qwen2.5 Space as gpt4free calls it: fn 3, trigger 25, [query, history, system, radio]. */
export const QWEN25_KNOWN: KnownLayout = {
  apiName: 'model_chat',
  fnIndex: 3,
  triggerId: 25,
  inputs: [{ kind: 'query' }, { kind: 'history' }, { kind: 'system' }, { kind: 'model' }],
  chatbotOutput: 1,
};

const SUPPORTED = new Set(['sse_v1', 'sse_v2', 'sse_v2.1', 'sse_v3']);

export function joinUrl(base: string, ...parts: string[]): string {
  let out = base.replace(/\/+$/, '');
  for (const p of parts) {
    if (!p) continue;
    out += '/' + p.replace(/^\/+|\/+$/g, '');
  }
  return out;
}

/** Normalises what a user may type: a URL, a host, or an `owner/name` Space id. */
export function normaliseSpaceUrl(input: string): string {
  const s = input.trim();
  if (!s) throw new QwenError('bad-request', 'The Space URL is empty.');
  if (/^[\w.-]+\/[\w.-]+$/.test(s) && !s.includes('.hf.space')) {
    // owner/name -> https://owner-name.hf.space, the way the Hub names Space hosts
    return `https://${s.toLowerCase().replace(/[/.]/g, '-').replace(/_/g, '-')}.hf.space`;
  }
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(s) ? s : `https://${s}`;
  let u: URL;
  try {
    u = new URL(withScheme);
  } catch {
    throw new QwenError('bad-request', `"${s}" is not a valid Space URL (expected https://owner-name.hf.space or owner/name).`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new QwenError('bad-request', `The Space URL must be http or https, not ${u.protocol}`);
  }
  u.search = '';
  u.hash = '';
  return u.toString().replace(/\/+$/, '');
}

export async function fetchConfig(http: Http, baseUrl: string, signal?: AbortSignal): Promise<GradioConfig> {
  const url = joinUrl(baseUrl, 'config');
  const res = await http.send(url, { signal, what: 'reading the Space config' });
  const ct = String(res.headers['content-type'] ?? '');
  let text: string;
  try {
    text = await readText(res.body);
  } catch (err) {
    throw http.networkError(err, url, 'reading the Space config', signal);
  }
  if (/html/i.test(ct) || /^\s*</.test(text)) {
    const said = bodyMessage(ct, text);
    throw new QwenError('not-ready', `${baseUrl} answered with a web page, not a Gradio config: the Space may be asleep, building or paused.${said ? ` It said: ${said}` : ''}`, {
      status: res.statusCode,
      spaceMessage: said,
      page: pageText(text),
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new QwenError('protocol', `${baseUrl}/config is not JSON: is this a Gradio app?`);
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) {
    throw new QwenError('protocol', `${baseUrl}/config is not a Gradio config.`);
  }
  return json as GradioConfig;
}

/**
 * Picks the chat function out of a config: by `api_name` (hidden ones too: `show_api` false or
 * Gradio 6's `api_visibility`), else by its component signature. `known` is the Space's layout
 * as gpt4free called it: its input kinds are used when the function has that many inputs, and
 * the whole of it when the config lists no functions.
 */
export function resolveEndpoint(config: GradioConfig, baseUrl: string, apiName?: string, known: KnownLayout = QWEN25_KNOWN): ChatEndpoint {
  apiName ??= known.apiName;
  const protocol = config.protocol ?? 'ws';
  if (!SUPPORTED.has(protocol)) {
    throw new QwenError(
      'protocol',
      `The Space speaks Gradio protocol "${protocol}" (Gradio ${config.version ?? '< 4.9'}), which this extension does not support; it needs Gradio 4.9 or later.`,
    );
  }
  const root = pickRoot(config.root, baseUrl);
  const base = {
    root,
    apiPrefix: typeof config.api_prefix === 'string' ? config.api_prefix.replace(/\/+$/, '') : '',
    protocol: protocol as ChatEndpoint['protocol'],
    version: config.version,
  };
  const deps = Array.isArray(config.dependencies) ? config.dependencies : undefined;
  const comps = new Map<number, GradioComponent>();
  for (const c of config.components ?? []) if (c && typeof c.id === 'number') comps.set(c.id, c);

  if (!deps || deps.length === 0) {
    return { ...base, ...known, apiName: known.apiName, inputs: [...known.inputs], assumed: true };
  }
  const indexed = deps.map((d, i) => ({ d, fn: typeof d.id === 'number' ? d.id : i }));
  const byName = indexed.find(({ d }) => d.api_name === apiName || d.api_name === `/${apiName}`);
  const bySignature = indexed.find(({ d }) => d.types?.generator && looksLikeChat(d, comps));
  const hit = byName ?? bySignature;
  if (!hit) {
    const names = indexed.map(({ d }) => d.api_name).filter((n): n is string => typeof n === 'string');
    throw new QwenError(
      'protocol',
      `The Space has no "${apiName}" function and none that looks like a chat (it has: ${names.join(', ') || 'no named functions'}). The Space may have changed.`,
    );
  }
  const { d, fn } = hit;
  if (d.queue === false) {
    throw new QwenError('protocol', `The Space's "${apiName}" function is not queued; this extension only speaks Gradio's queue.`);
  }
  const triggerId = d.targets?.[0]?.[0] ?? null;
  const inputs = byName && known.inputs.length === d.inputs.length && known.apiName === apiName ? [...known.inputs] : mapInputs(d, comps, triggerId);
  let chatbotOutput = d.outputs.findIndex((id) => isChatbot(comps.get(id)));
  if (chatbotOutput < 0 && byName && known.chatbotOutput < d.outputs.length) chatbotOutput = known.chatbotOutput;
  if (chatbotOutput < 0) {
    throw new QwenError('protocol', `The Space's "${d.api_name ?? fn}" function has no chatbot output.`);
  }
  return { ...base, fnIndex: fn, triggerId, apiName: typeof d.api_name === 'string' ? d.api_name : null, inputs, chatbotOutput, assumed: false };
}

function isChatbot(c: GradioComponent | undefined): boolean {
  return !!c && /chatbot/i.test(c.type);
}

function isText(c: GradioComponent | undefined): boolean {
  return !!c && /^(textbox|text|multimodaltextbox)$/i.test(c.type);
}

function looksLikeChat(d: GradioDependency, comps: Map<number, GradioComponent>): boolean {
  return d.inputs.some((id) => isText(comps.get(id))) && d.inputs.some((id) => isChatbot(comps.get(id))) && d.outputs.some((id) => isChatbot(comps.get(id)));
}

function mapInputs(d: GradioDependency, comps: Map<number, GradioComponent>, triggerId: number | null): InputSlot[] {
  const texts = d.inputs.filter((id) => isText(comps.get(id)));
  // The query is the textbox that fires the event; failing that, the first textbox.
  const queryId = triggerId !== null && texts.includes(triggerId) ? triggerId : texts[0];
  let systemTaken = false;
  let modelTaken = false;
  return d.inputs.map((id): InputSlot => {
    const c = comps.get(id);
    if (id === queryId) return { kind: 'query' };
    if (isChatbot(c)) return { kind: 'history' };
    if (isText(c) && !systemTaken) {
      systemTaken = true;
      return { kind: 'system' };
    }
    if (c && /radio|dropdown/i.test(c.type) && !modelTaken) {
      modelTaken = true;
      return { kind: 'model' };
    }
    return { kind: 'fixed', value: c?.props?.value ?? null };
  });
}

function pickRoot(root: unknown, baseUrl: string): string {
  if (typeof root !== 'string' || !root) return baseUrl;
  try {
    const r = new URL(root);
    const b = new URL(baseUrl);
    // Same origin only: a root on another host (a proxy's view, or a hostile config) must not
    // receive our requests or the user's token.
    if (r.origin !== b.origin) return baseUrl;
    return r.toString().replace(/\/+$/, '');
  } catch {
    return baseUrl;
  }
}
