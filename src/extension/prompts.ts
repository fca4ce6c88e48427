/** The user messages the editor commands send. Pure: tested without VS Code. */

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
