/**
 * Pulls the assistant's answer out of a chatbot value, whatever shape the Space uses:
 * modelscope_studio's `[[user, bot]]` pairs of message dicts (the Qwen 2.5 Space), plain
 * `gr.Chatbot` string pairs, a bot side that is a list of messages, or `type="messages"` dicts.
 */

export function lastBotText(value: unknown): string | undefined {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  const last = value[value.length - 1];
  if (Array.isArray(last)) {
    return messageText(last[1]);
  }
  // messages format: the last assistant message, if it is the last entry
  for (let i = value.length - 1; i >= 0; i--) {
    const m = value[i] as { role?: unknown; content?: unknown } | null;
    if (!m || typeof m !== 'object') continue;
    if (m.role === 'assistant') return messageText(m.content);
    if (m.role === 'user') return undefined;
  }
  return undefined;
}

function messageText(bot: unknown): string | undefined {
  if (bot === null || bot === undefined) return undefined;
  if (typeof bot === 'string') return bot;
  if (Array.isArray(bot)) {
    const parts = bot.map(messageText).filter((s): s is string => s !== undefined);
    return parts.length ? parts.join('\n\n') : undefined;
  }
  if (typeof bot === 'object') {
    const o = bot as { text?: unknown; content?: unknown; value?: unknown };
    if (typeof o.text === 'string') return o.text;
    if (o.text === null) return '';
    if (o.content !== undefined) return messageText(o.content);
    if (typeof o.value === 'string') return o.value;
    return '';
  }
  return String(bot);
}

/**
 * Turns successive full snapshots of the answer into deltas. When a snapshot is not an extension
 * of what was already emitted (a `replace` op, or the Space trimming whitespace), it reports a
 * rewrite rather than emitting garbage.
 */
export class TextTracker {
  private emitted = '';

  get text(): string {
    return this.emitted;
  }

  update(full: string): { kind: 'none' } | { kind: 'delta'; delta: string } | { kind: 'rewrite'; text: string } {
    if (full === this.emitted) return { kind: 'none' };
    if (full.startsWith(this.emitted)) {
      const delta = full.slice(this.emitted.length);
      this.emitted = full;
      return { kind: 'delta', delta };
    }
    this.emitted = full;
    return { kind: 'rewrite', text: full };
  }
}
