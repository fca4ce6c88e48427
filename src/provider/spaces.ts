/**
 * Every Qwen demo Space gpt4free had a provider for, as a table: one row of data per Space (label,
 * url, default model, aliases, models, system prompt, the shape of its chat function) and one
 * `QwenSpace` built from each row under gpt4free's name for it. Also what decides whether a
 * failure means "unavailable" (so another model may answer). Routing and fallback across Spaces
 * and endpoints are router.ts's.
 */
import { QwenError } from './errors';
import { DEFAULT_SYSTEM_PROMPT } from './prompt';
import { type QwenOptions, QwenSpace, type SpaceSpec } from './qwen';

const q = (kind: 'query' | 'history' | 'system' | 'model' | 'settings' | 'chat-with-query') => ({ kind });

// The table: one row per Space, stating only what differs (qwen.ts's QwenSpace does the rest).

export const QWEN_2_5: SpaceSpec = {
  label: 'Qwen Qwen-2.5',
  url: 'https://qwen-qwen2-5.hf.space',
  defaultModel: 'qwen-qwen2-5',
  modelAliases: { 'qwen-2.5': 'qwen-qwen2-5' },
  models: ['qwen-2.5'],
  shape: {
    spaceId: 'Qwen/Qwen2.5',
    known: { apiName: 'model_chat', fnIndex: 3, triggerId: 25, inputs: [q('query'), q('history'), q('system'), q('model')], chatbotOutput: 1 },
    knownPrefix: '',
    // The Space's model radio: the 72B model is what the demo serves by default.
    modelValue: { 'qwen-qwen2-5': '72B' },
  },
};

export const QWEN_2_5_MAX: SpaceSpec = {
  label: 'Qwen Qwen-2.5-Max',
  url: 'https://qwen-qwen2-5-max-demo.hf.space',
  defaultModel: 'qwen-qwen2-5-max',
  modelAliases: { 'qwen-2.5-max': 'qwen-qwen2-5-max' },
  models: ['qwen-2.5-max'],
  defaultSystemPrompt: 'You are a helpful assistant.',
  shape: {
    spaceId: 'Qwen/Qwen2.5-Max-Demo',
    known: { apiName: 'model_chat', fnIndex: 0, triggerId: 11, inputs: [q('query'), q('history'), q('system')], chatbotOutput: 1 },
    knownPrefix: '/gradio_api',
    modelValue: {},
  },
};

export const QWEN_2_72B: SpaceSpec = {
  label: 'Qwen Qwen-2-72B-Instruct',
  url: 'https://qwen-qwen2-72b-instruct.hf.space',
  defaultModel: 'qwen-qwen2-72b-instruct',
  modelAliases: { 'qwen-2-72b': 'qwen-qwen2-72b-instruct' },
  models: ['qwen-2-72b'],
  // gpt4free sends no system prompt to this Space when the messages carry none.
  defaultSystemPrompt: '',
  shape: {
    spaceId: 'Qwen/Qwen2-72B-Instruct',
    known: { apiName: 'model_chat', fnIndex: 0, triggerId: 11, inputs: [q('query'), q('history'), q('system')], chatbotOutput: 1 },
    knownPrefix: '',
    modelValue: {},
  },
};

/** Qwen3's models: the name a user picks, and the value the Space's model setting takes. */
const QWEN3_IDS: Record<string, string> = {
  'qwen-3-235b': 'qwen3-235b-a22b',
  'qwen-3-32b': 'qwen3-32b',
  'qwen-3-30b-a3b': 'qwen3-30b-a3b',
  'qwen-3-14b': 'qwen3-14b',
  'qwen-3-8b': 'qwen3-8b',
  'qwen-3-4b': 'qwen3-4b',
  'qwen-3-1.7b': 'qwen3-1.7b',
  'qwen-3-0.6b': 'qwen3-0.6b',
};

export const QWEN_3: SpaceSpec = {
  label: 'Qwen Qwen-3',
  url: 'https://qwen-qwen3-demo.hf.space',
  defaultModel: 'qwen-3-235b',
  modelAliases: Object.fromEntries(Object.entries(QWEN3_IDS).map(([k, v]) => [v, k])),
  models: Object.keys(QWEN3_IDS),
  defaultSystemPrompt: 'You are a helpful and harmless assistant.',
  shape: {
    spaceId: 'Qwen/Qwen3-Demo',
    known: { apiName: 'add_message', fnIndex: 13, triggerId: 31, inputs: [q('query'), q('settings'), { kind: 'fixed', value: null }, { kind: 'fixed', value: null }], chatbotOutput: 5 },
    knownPrefix: '/gradio_api',
    modelValue: QWEN3_IDS,
  },
};

export const QWEN_2_5_1M: SpaceSpec = {
  label: 'Qwen Qwen-2.5M',
  url: 'https://qwen-qwen2-5-1m-demo.hf.space',
  defaultModel: 'qwen-2.5-1m-demo',
  modelAliases: { 'qwen-2.5-1m': 'qwen-2.5-1m-demo' },
  models: ['qwen-2.5-1m'],
  defaultSystemPrompt: '',
  shape: {
    spaceId: 'Qwen/Qwen2.5-1M-Demo',
    known: { apiName: 'generate', fnIndex: 2, triggerId: 5, inputs: [q('chat-with-query'), { kind: 'fixed', value: null }, { kind: 'fixed', value: 0 }], chatbotOutput: 0 },
    knownPrefix: '',
    modelValue: {},
    addTextFn: 1,
    // The demo shows "Qwen is thinking..." and a `<summary>` block before the answer.
    clean: (text) => {
      if (/^\s*Qwen is thinking\.{0,3}\s*$/.test(text)) return { text: '', reasoning: text.trim() };
      const cut = text.indexOf('\n<summary>');
      return cut < 0 ? { text, reasoning: '' } : { text: text.slice(0, cut), reasoning: text.slice(cut + 1).replace(/<\/?summary>/g, '').trim() };
    },
  },
};

// gpt4free's provider names, each a Space built from its row.
export const Qwen_Qwen_2_5 = new QwenSpace(QWEN_2_5);
export const Qwen_Qwen_2_5_Max = new QwenSpace(QWEN_2_5_MAX);
export const Qwen_Qwen_2_72B = new QwenSpace(QWEN_2_72B);
export const Qwen_Qwen_3 = new QwenSpace(QWEN_3);
export const Qwen_Qwen_2_5M = new QwenSpace(QWEN_2_5_1M);

/** The Spaces, in the order fallback tries them after the chosen one. */
export const SPACES: readonly QwenSpace[] = [Qwen_Qwen_2_5, Qwen_Qwen_2_5_Max, Qwen_Qwen_2_72B, Qwen_Qwen_3, Qwen_Qwen_2_5M];
export type SpaceProvider = QwenSpace;

/** The names a user picks from: each Space's models (aliases), default first. */
export const MODELS: readonly string[] = SPACES.flatMap((s) => s.models);
export const DEFAULT_MODEL = 'qwen-2.5';
export const DEFAULT_FALLBACK_ORDER: readonly string[] = ['qwen-2.5', 'qwen-2.5-max', 'qwen-3-235b', 'qwen-2-72b', 'qwen-2.5-1m'];

export interface SpacesOptions extends Omit<QwenOptions, 'baseUrl'> {
  /** Another URL per model or Space id (mirrors, duplicates, the local Space in tests). */
  spaces?: Readonly<Record<string, string>>;
  /** Try the next model while the chosen one's Space is unavailable (default true). */
  fallback?: boolean;
  /** The models to try after the chosen one, in order (default DEFAULT_FALLBACK_ORDER). */
  fallbackOrder?: readonly string[];
}

/** The Space that serves a model name, or a clear error listing the names there are. */
export function spaceFor(model: string): SpaceProvider {
  const m = model.trim() || DEFAULT_MODEL;
  const hit = SPACES.find((s) => s.allModels.includes(m));
  if (!hit) throw new QwenError('bad-model', `Unknown model "${m}". Known models: ${MODELS.join(', ')}.`);
  return hit;
}

/** The URL a model is reached at: its own entry in `spaces`, its Space's, or the Space's default. */
export function urlFor(model: string, spaces: Readonly<Record<string, string>> = {}): string {
  const s = spaceFor(model);
  return spaces[model] ?? s.allModels.map((n) => spaces[n]).find(Boolean) ?? spaces[s.shape.spaceId] ?? s.url;
}

/**
 * Whether a failure before any text means the Space is unavailable (so another may answer):
 * refused or unresolvable, 503 queue full, a paused, sleeping-too-long, building or error page,
 * a 5xx on join, or silence. A Stop, a bad request and an error of the app itself are not.
 */
export function isUnavailable(err: unknown): boolean {
  if (!(err instanceof QwenError)) return false;
  switch (err.kind) {
    case 'connection':
    case 'busy':
    case 'not-ready':
    case 'timeout':
      return true;
    case 'http':
    case 'not-found':
      return (err.details.status ?? 0) >= 500 || err.kind === 'not-found';
    default:
      return false;
  }
}

export { DEFAULT_SYSTEM_PROMPT };
