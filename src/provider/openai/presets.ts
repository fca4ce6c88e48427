/**
 * The OpenAI-compatible endpoints Qwen is served from, as data: where each lives, whether it
 * takes a key (and which environment variable the ecosystem keeps it in), and the Qwen models to
 * offer when its `/models` cannot be read. A new endpoint is a new row, not a new class.
 */

export interface PresetModel {
  id: string;
  label?: string;
  contextTokens?: number;
}

export type EndpointPresetId = 'hf' | 'dashscope' | 'dashscope-cn' | 'openrouter' | 'ollama' | 'lmstudio' | 'llamacpp' | 'vllm' | 'sglang' | 'tgi';

export interface EndpointPreset {
  id: EndpointPresetId;
  /** What the user picks from ("Ollama (this machine)"). */
  label: string;
  /** Absent where the user gives it (their own vLLM, SGLang or TGI server). */
  baseUrl?: string;
  key: 'required' | 'optional' | 'none';
  /** Where the CLI finds the key when no --api-key-env is given. */
  keyEnv?: string;
  /** Runs on this machine: no key leaves it, and a refused connection means the server is not started. */
  local?: boolean;
  /** Whether the OpenAI `tools` parameter works there (else Qwen's `<tool_call>` text format). */
  nativeTools: boolean;
  /** Qwen models offered when `/models` fails or lists nothing. */
  models: PresetModel[];
}

export const ENDPOINT_PRESETS: readonly EndpointPreset[] = [
  {
    id: 'hf',
    label: 'Hugging Face Inference Providers',
    baseUrl: 'https://router.huggingface.co/v1',
    key: 'required',
    keyEnv: 'HF_TOKEN',
    nativeTools: true,
    models: [
      { id: 'Qwen/Qwen2.5-Coder-32B-Instruct', label: 'Qwen2.5 Coder 32B', contextTokens: 32_768 },
      { id: 'Qwen/Qwen3-235B-A22B', label: 'Qwen3 235B-A22B', contextTokens: 40_960 },
      { id: 'Qwen/Qwen3-Coder-480B-A35B-Instruct', label: 'Qwen3 Coder 480B-A35B', contextTokens: 262_144 },
      { id: 'Qwen/Qwen2.5-72B-Instruct', label: 'Qwen2.5 72B', contextTokens: 32_768 },
      { id: 'Qwen/QwQ-32B', label: 'QwQ 32B', contextTokens: 131_072 },
    ],
  },
  {
    id: 'dashscope',
    label: 'Alibaba Cloud Model Studio (international)',
    baseUrl: 'https://dashscope-intl.aliyuncs.com/compatible-mode/v1',
    key: 'required',
    keyEnv: 'DASHSCOPE_API_KEY',
    nativeTools: true,
    models: dashscopeModels(),
  },
  {
    id: 'dashscope-cn',
    label: 'Alibaba Cloud Model Studio (China)',
    baseUrl: 'https://dashscope.aliyuncs.com/compatible-mode/v1',
    key: 'required',
    keyEnv: 'DASHSCOPE_API_KEY',
    nativeTools: true,
    models: dashscopeModels(),
  },
  {
    id: 'openrouter',
    label: 'OpenRouter',
    baseUrl: 'https://openrouter.ai/api/v1',
    key: 'required',
    keyEnv: 'OPENROUTER_API_KEY',
    nativeTools: true,
    models: [
      { id: 'qwen/qwen3-coder', label: 'Qwen3 Coder', contextTokens: 262_144 },
      { id: 'qwen/qwen3-235b-a22b', label: 'Qwen3 235B-A22B', contextTokens: 40_960 },
      { id: 'qwen/qwen-2.5-72b-instruct', label: 'Qwen2.5 72B', contextTokens: 32_768 },
      { id: 'qwen/qwen-2.5-coder-32b-instruct', label: 'Qwen2.5 Coder 32B', contextTokens: 32_768 },
    ],
  },
  {
    id: 'ollama',
    label: 'Ollama (this machine)',
    baseUrl: 'http://127.0.0.1:11434/v1',
    key: 'none',
    local: true,
    nativeTools: true,
    models: [
      { id: 'qwen2.5-coder:7b', label: 'Qwen2.5 Coder 7B' },
      { id: 'qwen3:8b', label: 'Qwen3 8B' },
      { id: 'qwen2.5-coder:32b', label: 'Qwen2.5 Coder 32B' },
      { id: 'qwen3-coder:30b', label: 'Qwen3 Coder 30B-A3B' },
    ],
  },
  {
    id: 'lmstudio',
    label: 'LM Studio (this machine)',
    baseUrl: 'http://127.0.0.1:1234/v1',
    key: 'none',
    local: true,
    nativeTools: true,
    models: [
      { id: 'qwen2.5-coder-7b-instruct', label: 'Qwen2.5 Coder 7B' },
      { id: 'qwen/qwen3-8b', label: 'Qwen3 8B' },
    ],
  },
  {
    id: 'llamacpp',
    label: 'llama.cpp server (this machine)',
    baseUrl: 'http://127.0.0.1:8080/v1',
    key: 'optional',
    local: true,
    // Only with --jinja; without it the server ignores `tools`.
    nativeTools: false,
    models: [{ id: 'qwen2.5-coder-7b-instruct', label: 'Qwen2.5 Coder 7B (the loaded model)' }],
  },
  {
    id: 'vllm',
    label: 'vLLM (your server or cluster)',
    key: 'optional',
    nativeTools: true,
    models: [
      { id: 'Qwen/Qwen2.5-Coder-32B-Instruct', label: 'Qwen2.5 Coder 32B' },
      { id: 'Qwen/Qwen3-32B', label: 'Qwen3 32B' },
    ],
  },
  {
    id: 'sglang',
    label: 'SGLang (your server or cluster)',
    key: 'optional',
    nativeTools: true,
    models: [
      { id: 'Qwen/Qwen2.5-Coder-32B-Instruct', label: 'Qwen2.5 Coder 32B' },
      { id: 'Qwen/Qwen3-32B', label: 'Qwen3 32B' },
    ],
  },
  {
    id: 'tgi',
    label: 'Text Generation Inference (your server)',
    key: 'optional',
    nativeTools: true,
    // TGI serves one model and names it "tgi" in the OpenAI route.
    models: [{ id: 'tgi', label: 'The model TGI serves' }],
  },
];

function dashscopeModels(): PresetModel[] {
  return [
    { id: 'qwen-plus', label: 'Qwen Plus', contextTokens: 131_072 },
    { id: 'qwen-max', label: 'Qwen Max', contextTokens: 32_768 },
    { id: 'qwen3-coder-plus', label: 'Qwen3 Coder Plus', contextTokens: 1_048_576 },
    { id: 'qwen-turbo', label: 'Qwen Turbo', contextTokens: 1_000_000 },
    { id: 'qwen3-235b-a22b', label: 'Qwen3 235B-A22B (open weights)', contextTokens: 131_072 },
  ];
}

export function presetById(id: string): EndpointPreset | undefined {
  return ENDPOINT_PRESETS.find((p) => p.id === id);
}
