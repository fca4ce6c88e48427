/**
 * Message list -> the one query and system prompt the Space takes. Mirrors gpt4free's
 * `format_prompt` and `Qwen_Qwen_2_5` (system messages joined with a newline, the Space's own
 * default when there are none), and treats `developer` like `system` as later gpt4free does.
 */
import { QwenError } from './errors';

export type ContentPart = { type?: string; text?: string | null } | string;

export interface ChatMessage {
  role: string;
  content: string | ContentPart[] | null | undefined;
  /** An assistant turn's native tool calls (OpenAI-compatible endpoints). */
  toolCalls?: Array<{ id: string; name: string; arguments: Record<string, unknown> }>;
  /** A `tool` turn: which call this is the result of. */
  toolCallId?: string;
}

export const DEFAULT_SYSTEM_PROMPT = 'You are Qwen, created by Alibaba Cloud. You are a helpful assistant.';

export function contentToString(content: ChatMessage['content']): string {
  if (content === null || content === undefined) return '';
  if (typeof content === 'string') return content;
  return content
    .map((p) => {
      if (typeof p === 'string') return p;
      if (p && (p.type === undefined || p.type === 'text')) return p.text ?? '';
      return '';
    })
    .join('');
}

/** Python's str.capitalize(): first character upper, the rest lower. */
function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1).toLowerCase();
}

const isSystem = (m: ChatMessage) => m.role === 'system' || m.role === 'developer';

export function systemPrompt(messages: readonly ChatMessage[], fallback = DEFAULT_SYSTEM_PROMPT): string {
  const joined = messages
    .filter(isSystem)
    .map((m) => contentToString(m.content))
    .join('\n');
  return joined.trim() ? joined : fallback;
}

/** gpt4free's format_prompt over the non-system messages. */
export function formatPrompt(messages: readonly ChatMessage[]): string {
  const turns = messages.filter((m) => !isSystem(m));
  if (turns.length === 0) {
    throw new QwenError('bad-request', 'There is nothing to send: the conversation has no user message.');
  }
  if (turns.length === 1) return contentToString(turns[0].content);
  const lines = turns
    .map((m) => ({ role: m.role, text: contentToString(m.content) }))
    .filter((m) => m.text.trim() !== '')
    .map((m) => `${capitalize(m.role)}: ${m.text}`);
  return `${lines.join('\n')}\nAssistant:`;
}

export function buildPrompt(messages: readonly ChatMessage[], defaultSystem?: string): { prompt: string; system: string } {
  return { prompt: formatPrompt(messages), system: systemPrompt(messages, defaultSystem) };
}

/**
 * Keeps the prompt within `maxChars` (as formatPrompt writes it) by leaving out the oldest turns.
 * System messages and the last message always go, whole, however long; the kept history starts
 * with a user turn. `maxChars` <= 0 means no limit. Returns how many messages were left out.
 */
export function fitPrompt(messages: readonly ChatMessage[], maxChars: number): { messages: ChatMessage[]; dropped: number } {
  const turns = messages.filter((m) => !isSystem(m));
  if (maxChars <= 0 || turns.length <= 1) return { messages: [...messages], dropped: 0 };
  const cost = (m: ChatMessage) => m.role.length + 3 + contentToString(m.content).length;
  // Each turn is written as `Role: text` and a line break, the last followed by `\nAssistant:`.
  let used = cost(turns[turns.length - 1]) - 1 + '\nAssistant:'.length;
  let first = turns.length - 1;
  while (first > 0 && used + cost(turns[first - 1]) <= maxChars) used += cost(turns[--first]);
  while (first < turns.length - 1 && turns[first].role !== 'user') first++;
  const kept = new Set(turns.slice(first));
  return { messages: messages.filter((m) => isSystem(m) || kept.has(m)), dropped: first };
}
