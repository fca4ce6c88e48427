/**
 * What `@qwen` adds to an answer besides the model's text (the footer naming the model), and how
 * an earlier answer goes back into the next prompt: the model's answer only, never the footer
 * (issue 24, item 8), and after a rewrite the final text only. No vscode here.
 */

/** The line under an answer that says which model answered, from where. */
export function answerFooter(model: string, where: string): string {
  return `\n\n---\n*Answered by ${model} (${where}).*`;
}

/** What a turn's result carries for its history: the answer's final text when it differs from what was shown. */
export interface AnswerMetadata {
  model?: string;
  /** Set when the shown text is not the answer (it was rewritten while it streamed). */
  answer?: string;
  stopped?: boolean;
}

const FOOTER = /\n*---\n\*Answered by [^\n]*\.\*\s*$/;

/** An earlier `@qwen` answer as the next prompt's history takes it. */
export function historyAnswer(shown: string, metadata: AnswerMetadata | undefined): string {
  if (typeof metadata?.answer === 'string') return metadata.answer;
  return shown.replace(FOOTER, '');
}
