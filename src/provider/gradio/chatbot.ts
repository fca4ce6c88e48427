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

  /**
   * The fast path for the common update, appends to the answer: `appended` is what the diff ops
   * appended and `full` the answer after them. Checking lengths only keeps a long answer from
   * costing a whole-string compare (and a rope flatten) per token. Returns undefined when the
   * ops were not a plain append to the answer, so the caller falls back to `update`.
   */
  append(appended: string, full: string): { kind: 'delta'; delta: string } | undefined {
    if (!appended || full.length !== this.emitted.length + appended.length) return undefined;
    this.emitted += appended;
    return { kind: 'delta', delta: appended };
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

/** The text appended by a list of diff ops when every op is an `append` of a string at one path. */
export function appendedText(ops: unknown): string | undefined {
  if (!Array.isArray(ops) || ops.length === 0) return undefined;
  let out = '';
  let path: string | undefined;
  for (const op of ops) {
    if (!Array.isArray(op) || op[0] !== 'append' || typeof op[2] !== 'string') return undefined;
    const p = JSON.stringify(op[1]);
    if (path !== undefined && p !== path) return undefined;
    path = p;
    out += op[2];
  }
  return out;
}
