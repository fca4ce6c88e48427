/** The user messages the editor commands send. Pure: tested without VS Code. */
import type { ChatMessage } from '../provider/prompt';
import { SLASH_COMMANDS, type SlashCommand, type StoredTurn } from './model';

/** A fence longer than any run of backticks in the code, so the code cannot close it. */
export function fenceFor(code: string): string {
  const longest = Math.max(0, ...(code.match(/`+/g) ?? []).map((r) => r.length));
  return '`'.repeat(Math.max(3, longest + 1));
}

/** A whole-line selection ends in a line break: without it, the fence does not close on a blank line. */
function trimEnd(code: string): string {
  return code.replace(/(\r?\n)+$/, '');
}

export function explainMessage(code: string, languageId: string, fileName: string): string {
  code = trimEnd(code);
  const f = fenceFor(code);
  return `Explain this ${languageId} code from \`${fileName}\`:\n\n${f}${languageId}\n${code}\n${f}`;
}

/**
 * Generate at Cursor's question. With a selection, Qwen rewrites it (`selected`): the answer
 * replaces the selection, shown for review as a diff against it. Without one, code to insert.
 */
export function generateMessage(instruction: string, languageId: string, fileName: string, selected: string | undefined): string {
  const parts = [`File: \`${fileName}\` (${languageId})`];
  if (selected && selected.trim()) {
    selected = trimEnd(selected);
    const f = fenceFor(selected);
    parts.push(`Selected code:\n${f}${languageId}\n${selected}\n${f}`);
    parts.push(`Rewrite the selected ${languageId} code as the instruction says. Reply with the whole replacement for the selection in one fenced block. Instruction: ${instruction}`);
  } else {
    parts.push(`Write the ${languageId} code to insert at the cursor. Instruction: ${instruction}`);
  }
  return parts.join('\n\n');
}

export function fixMessage(code: string, languageId: string, fileName: string, problem: string): string {
  code = trimEnd(code);
  const f = fenceFor(code);
  const what = problem.trim() ? `The problem: ${problem.trim()}\n\n` : '';
  return `Fix this ${languageId} code from \`${fileName}\`. ${what}Reply with the corrected code in one fenced block, then say briefly what you changed.\n\n${f}${languageId}\n${code}\n${f}`;
}

/**
 * What the user wrote after /tests or /doc: one word names the framework or style ("pytest",
 * "JSDoc") and takes the default's place; more is an instruction of its own sentence.
 */
function userWish(extra: string): { word?: string; sentence: string } {
  const t = extra.trim();
  if (/^[\w.+#-]+$/.test(t)) return { word: t, sentence: '' };
  return { sentence: t ? ` ${t}${/[.!?]$/.test(t) ? '' : '.'}` : '' };
}

export function testsMessage(code: string, languageId: string, fileName: string, extra: string): string {
  code = trimEnd(code);
  const f = fenceFor(code);
  const w = userWish(extra);
  const framework = w.word ? `using ${w.word}` : 'in the test framework the project most likely uses';
  return `Write unit tests for this ${languageId} code from \`${fileName}\`, ${framework}.${w.sentence} Reply with the tests in one fenced block.\n\n${f}${languageId}\n${code}\n${f}`;
}

export function docMessage(code: string, languageId: string, fileName: string, extra: string): string {
  code = trimEnd(code);
  const f = fenceFor(code);
  const w = userWish(extra);
  const style = w.word ? `in the ${w.word} style` : "in the language's usual style";
  return `Add documentation comments to this ${languageId} code from \`${fileName}\`, ${style}, changing nothing else.${w.sentence} Reply with the documented code in one fenced block.\n\n${f}${languageId}\n${code}\n${f}`;
}

/**
 * A message with what the user attached to it: each attachment as a fenced block naming its file
 * (and lines), then the message. The model reads the context before the question about it.
 */
export function withContext(text: string, context: ReadonlyArray<{ path: string; languageId: string; text: string; lines?: { start: number; end: number } }>): string {
  const parts = context.map((a) => {
    const code = trimEnd(a.text);
    const f = fenceFor(code);
    const lines = !a.lines ? '' : a.lines.start === a.lines.end ? `, line ${a.lines.start}` : `, lines ${a.lines.start}-${a.lines.end}`;
    const where = `\`${a.path}\`${lines}`;
    return `${where}:\n${f}${a.languageId}\n${code}\n${f}`;
  });
  return `${parts.join('\n\n')}\n\n${text}`;
}

/** The chat view's slash commands (the view lists them too): the same prompts as the editor commands and @qwen. */
export { SLASH_COMMANDS, type SlashCommand };

/** "/fix it crashes on empty input" -> the command and the rest; undefined when it is not one. */
export function parseSlash(text: string): { command: SlashCommand; rest: string } | undefined {
  const m = /^\/(explain|fix|tests|doc)(?:\s+([\s\S]*))?$/.exec(text.trim());
  return m ? { command: m[1] as SlashCommand, rest: m[2] ?? '' } : undefined;
}

/** The message a slash command sends about `code` (the selection, or the whole active file). */
export function slashMessage(command: SlashCommand, rest: string, code: string, languageId: string, fileName: string): string {
  switch (command) {
    case 'explain':
      return explainMessage(code, languageId, fileName) + (rest.trim() ? `\n\n${rest.trim()}` : '');
    case 'fix':
      return fixMessage(code, languageId, fileName, rest);
    case 'tests':
      return testsMessage(code, languageId, fileName, rest);
    case 'doc':
      return docMessage(code, languageId, fileName, rest);
  }
}

/** The conversation as the provider's messages: finished turns only, failed answers left out. */
export function toMessages(turns: readonly StoredTurn[], defaultSystem: string): ChatMessage[] {
  const lastUser = [...turns].reverse().find((t) => t.role === 'user');
  const system = lastUser?.system ?? defaultSystem;
  const msgs: ChatMessage[] = [];
  if (system.trim()) msgs.push({ role: 'system', content: system });
  for (const t of turns) {
    if (t.role === 'assistant' && (t.state === 'error' || !t.text.trim())) continue;
    msgs.push({ role: t.role, content: t.context?.length ? withContext(t.text, t.context) : t.text });
  }
  return msgs;
}
