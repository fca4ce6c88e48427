/**
 * Tool calling in Qwen's own format, for models behind a Space that only takes text: the tools
 * are described in the system prompt as Qwen 2.5 and 3 were trained (function signatures in
 * `<tools>` tags), calls come back as `<tool_call>{"name": …, "arguments": …}</tool_call>` in the
 * answer and are parsed out of the stream, and results go back as `<tool_response>` text.
 */

export interface ToolSpec {
  name: string;
  description: string;
  inputSchema?: object;
}

export interface ToolCall {
  name: string;
  arguments: Record<string, unknown>;
}

const HEAD =
  '# Tools\n\nYou may call one or more functions to assist with the user query.\n\n' +
  'You are provided with function signatures within <tools></tools> XML tags:\n<tools>\n';
const TAIL =
  '\n</tools>\n\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\n' +
  '<tool_call>\n{"name": <function-name>, "arguments": <args-json-object>}\n</tool_call>';

function signature(t: ToolSpec, full: boolean): string {
  const fn: Record<string, unknown> = { name: t.name, description: t.description };
  if (full) fn.parameters = t.inputSchema ?? { type: 'object', properties: {} };
  return JSON.stringify({ type: 'function', function: fn });
}

/**
 * The tools part of the system prompt, within `budget` characters where it can be: every tool's
 * full schema if they fit; otherwise every tool by name and description, and full schemas first
 * for the tools the conversation names (`mentioned`), then the rest in order while they fit.
 */
export function toolsPrompt(tools: readonly ToolSpec[], budget: number, mentioned = ''): { text: string; withSchema: number } {
  if (!tools.length) return { text: '', withSchema: 0 };
  const whole = HEAD + tools.map((t) => signature(t, true)).join('\n') + TAIL;
  if (whole.length <= budget) return { text: whole, withSchema: tools.length };
  const words = mentioned.toLowerCase();
  const order = [...tools.keys()].sort((a, b) => Number(words.includes(tools[b].name.toLowerCase())) - Number(words.includes(tools[a].name.toLowerCase())));
  const full = new Set<number>();
  let size = HEAD.length + TAIL.length + tools.reduce((n, t) => n + signature(t, false).length + 1, 0);
  for (const i of order) {
    const extra = signature(tools[i], true).length - signature(tools[i], false).length;
    if (size + extra > budget) continue;
    size += extra;
    full.add(i);
  }
  const text = HEAD + tools.map((t, i) => signature(t, full.has(i))).join('\n') + TAIL;
  return { text, withSchema: full.size };
}

/** An assistant turn's tool call, written back into the prompt as the model wrote it. */
export function toolCallText(call: ToolCall): string {
  return `<tool_call>\n${JSON.stringify({ name: call.name, arguments: call.arguments })}\n</tool_call>`;
}

/** A tool's result, as the next user turn carries it. */
export function toolResponseText(result: string): string {
  return `<tool_response>\n${result}\n</tool_response>`;
}

const OPEN = '<tool_call>';
const CLOSE = '</tool_call>';

export type ToolStreamPart = { type: 'text'; text: string } | { type: 'call'; call: ToolCall } | { type: 'bad-call'; text: string };

/**
 * Splits a streamed answer into text and tool calls. Text that may be the start of `<tool_call>`
 * is held until it is known; a call is given once its closing tag has come. A block whose JSON
 * does not parse is given back as text, so nothing the model said is lost.
 */
export class ToolCallParser {
  private buf = '';
  private inCall = false;

  push(delta: string): ToolStreamPart[] {
    this.buf += delta;
    const out: ToolStreamPart[] = [];
    for (;;) {
      if (!this.inCall) {
        const at = this.buf.indexOf(OPEN);
        if (at < 0) {
          // Hold back a tail that could still become "<tool_call>".
          const keep = partialSuffix(this.buf, OPEN);
          const text = this.buf.slice(0, this.buf.length - keep);
          if (text) out.push({ type: 'text', text });
          this.buf = this.buf.slice(this.buf.length - keep);
          return out;
        }
        if (at > 0) out.push({ type: 'text', text: this.buf.slice(0, at) });
        this.buf = this.buf.slice(at + OPEN.length);
        this.inCall = true;
      }
      const end = this.buf.indexOf(CLOSE);
      if (end < 0) return out;
      out.push(parseCall(this.buf.slice(0, end)));
      this.buf = this.buf.slice(end + CLOSE.length);
      this.inCall = false;
    }
  }

  /** The end of the answer: a call left open is parsed if it can be, else given back as text. */
  end(): ToolStreamPart[] {
    const rest = this.buf;
    this.buf = '';
    if (!this.inCall) return rest ? [{ type: 'text', text: rest }] : [];
    this.inCall = false;
    const p = parseCall(rest);
    return [p.type === 'call' ? p : { type: 'text', text: OPEN + rest }];
  }
}

function partialSuffix(text: string, tag: string): number {
  for (let n = Math.min(tag.length - 1, text.length); n > 0; n--) if (tag.startsWith(text.slice(-n))) return n;
  return 0;
}

function parseCall(body: string): ToolStreamPart {
  try {
    const j = JSON.parse(body.trim()) as { name?: unknown; arguments?: unknown; parameters?: unknown };
    const args = j.arguments ?? j.parameters ?? {};
    const parsed = typeof args === 'string' ? (JSON.parse(args) as unknown) : args;
    if (typeof j.name !== 'string' || !j.name || !parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not a call');
    return { type: 'call', call: { name: j.name, arguments: parsed as Record<string, unknown> } };
  } catch {
    return { type: 'bad-call', text: `${OPEN}${body}${CLOSE}` };
  }
}
