export { QwenSpace, clearEndpointCache, type QwenOptions, type SpaceSpec } from './qwen';
export { Qwen_Qwen_2_5, Qwen_Qwen_2_5_Max, Qwen_Qwen_2_72B, Qwen_Qwen_3, Qwen_Qwen_2_5M, SPACES, MODELS, spaceFor, urlFor } from './spaces';
export { QwenSpaces, routeStream, plan, allModels, resolveModel, resolveEndpoints } from './router';
export { QwenError, describeError, isAbort, type QwenErrorKind, type ErrorDescription } from './errors';
export { type ChatMessage, DEFAULT_SYSTEM_PROMPT, buildPrompt, formatPrompt, systemPrompt } from './prompt';
export type { ProviderEvent, SpaceStatus } from './types';
export { redactUrl } from './gradio/http';
