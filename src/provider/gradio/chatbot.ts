/**
 * Pulls the assistant's answer out of a chatbot value, whatever shape the Space uses:
 * modelscope_studio's `[[user, bot]]` pairs of message dicts (the Qwen 2.5 Space), plain
 * `gr.Chatbot` string pairs, a bot side that is a list of messages, or `type="messages"` dicts.
 */

export function lastBotText(value: unknown): string | undefined {
  return lastBotReply(value)?.text;
}

/** The answer and, kept apart, the model's reasoning (Qwen3's "thinking" parts, Gradio's thought messages). */
export interface BotReply {
  text: string;
  reasoning: string;
}

/**
 * The last answer in a chatbot value of any of the three formats: `[[user, bot]]` pairs (bot a
 * string, a modelscope message dict, or a list of them), or a list of `{role, content,
 * metadata}` messages (Gradio 4.38+ `type="messages"`, and Gradio 6 where content is a list of
 * `{type: "text", text}` parts). Messages with a `metadata.title` (Gradio's thoughts) and parts
 * of type "tool" or "thinking" (Qwen3-Demo's) are reasoning, not answer.
 */
export function lastBotReply(value: unknown): BotReply | undefined {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  const last = value[value.length - 1];
  if (Array.isArray(last)) {
    const out = { text: '', reasoning: '' };
    return collect(last[1], out) ? out : undefined;
  }
  // messages format: the assistant messages after the last user message
  let start = value.length;
  while (start > 0) {
    const m = value[start - 1] as { role?: unknown } | null;
    if (m && typeof m === 'object' && m.role === 'user') break;
    start--;
  }
  const out = { text: '', reasoning: '' };
  let any = false;
  for (const m of value.slice(start) as Array<{ role?: unknown; content?: unknown; metadata?: { title?: unknown } | null }>) {
    if (!m || typeof m !== 'object' || m.role !== 'assistant') continue;
    any = true;
    if (m.metadata && typeof m.metadata.title === 'string' && m.metadata.title) {
      const r = { text: '', reasoning: '' };
      collect(m.content, r);
      out.reasoning = join(out.reasoning, r.text + r.reasoning);
    } else collect(m.content, out);
  }
  return any ? out : undefined;
}

function join(a: string, b: string): string {
  return a && b ? `${a}\n\n${b}` : a + b;
}

/** Adds a message's text to `out`; false when there is no message at all (null). */
function collect(bot: unknown, out: BotReply): boolean {
  if (bot === null || bot === undefined) return false;
  if (typeof bot === 'string') {
    out.text = join(out.text, bot);
    return true;
  }
  if (Array.isArray(bot)) {
    let any = false;
    for (const part of bot) any = collect(part, out) || any;
    return any;
  }
  if (typeof bot === 'object') {
    const o = bot as { type?: unknown; text?: unknown; content?: unknown; value?: unknown };
    if (o.type === 'tool' || o.type === 'thinking' || o.type === 'reasoning') {
      const r = { text: '', reasoning: '' };
      collect(o.content ?? o.text, r);
      out.reasoning = join(out.reasoning, r.text);
      return true;
    }
    if (typeof o.text === 'string') out.text = join(out.text, o.text);
    else if (o.text === null) out.text = join(out.text, '');
    else if (o.content !== undefined) return collect(o.content, out);
    else if (typeof o.value === 'string') out.text = join(out.text, o.value);
    return true;
  }
  out.text = join(out.text, String(bot));
  return true;
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
