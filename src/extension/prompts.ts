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

export function generateMessage(instruction: string, languageId: string, fileName: string, context: string | undefined): string {
  const parts = [`File: \`${fileName}\` (${languageId})`];
  if (context && context.trim()) {
    context = trimEnd(context);
    const f = fenceFor(context);
    parts.push(`Selected code, for context:\n${f}${languageId}\n${context}\n${f}`);
  }
  parts.push(`Write the ${languageId} code to insert at the cursor. Instruction: ${instruction}`);
  return parts.join('\n\n');
}

export function fixMessage(code: string, languageId: string, fileName: string, problem: string): string {
  code = trimEnd(code);
  const f = fenceFor(code);
  const what = problem.trim() ? `The problem: ${problem.trim()}\n\n` : '';
  return `Fix this ${languageId} code from \`${fileName}\`. ${what}Reply with the corrected code in one fenced block, then say briefly what you changed.\n\n${f}${languageId}\n${code}\n${f}`;
}
