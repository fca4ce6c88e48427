export { Qwen_Qwen_2_5, clearEndpointCache, type QwenOptions } from './qwen';
export { QwenError, describeError, isAbort, type QwenErrorKind, type ErrorDescription } from './errors';
export { type ChatMessage, DEFAULT_SYSTEM_PROMPT, buildPrompt, formatPrompt, systemPrompt } from './prompt';
export type { ProviderEvent, SpaceStatus } from './types';
export { redactUrl } from './gradio/http';
