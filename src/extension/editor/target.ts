/**
 * What an editor command works on, in one place: the active editor (or the first visible one),
 * its selection or else the whole file, the path as the user and the model see it, and the
 * language. The chat's slash commands, @qwen's /explain and /fix, Explain Selection and the
 * chat's Insert and Replace all read it here.
 */
import * as vscode from 'vscode';
import { parseSlash, slashMessage } from '../../chat/prompts';
import { SLASH_COMMANDS } from '../../chat/model';

export interface CodeTarget {
  editor: vscode.TextEditor;
  doc: vscode.TextDocument;
  /** The selection, or the whole file when nothing is selected. */
  range: vscode.Range;
  selected: boolean;
  code: string;
  language: string;
  /** Relative to the workspace. */
  file: string;
}

/** The active editor, or the first visible one (a command run from a view leaves none active). */
export function activeEditor(): vscode.TextEditor | undefined {
  return vscode.window.activeTextEditor ?? vscode.window.visibleTextEditors[0];
}

/** The selection, or the whole file (`wholeFile`: when nothing is selected). Undefined without an editor, or without a selection when only one will do. */
export function codeTarget(o: { wholeFile: boolean; editor?: vscode.TextEditor }): CodeTarget | undefined {
  const editor = o.editor ?? activeEditor();
  if (!editor) return undefined;
  const doc = editor.document;
  const selected = !editor.selection.isEmpty;
  if (!selected && !o.wholeFile) return undefined;
  const range = selected ? new vscode.Range(editor.selection.start, editor.selection.end) : new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length));
  return { editor, doc, range, selected, code: doc.getText(range), language: doc.languageId, file: vscode.workspace.asRelativePath(doc.uri, false) };
}

/** Where a code target is, for a reference: the selection as a location, or the file. */
export function targetLocation(t: CodeTarget): vscode.Location | vscode.Uri {
  return t.selected ? new vscode.Location(t.doc.uri, t.range) : t.doc.uri;
}

/** A slash command (/explain, /fix, /tests, /doc) typed in the chat, as the message to send, or why it cannot be. Undefined: not a slash command. */
export function slashRequest(text: string, explainPrompt: string): { text: string; system?: string; label: string } | { error: string } | undefined {
  const cmd = parseSlash(text);
  if (!cmd) return undefined;
  const t = codeTarget({ wholeFile: true });
  if (!t) return { error: `/${cmd.command} works on the selection or the active file: open a file first. Your message is back in the input.` };
  const label = `${SLASH_COMMANDS[cmd.command].label}${t.selected ? '' : ` (${t.file})`}`;
  return { text: slashMessage(cmd.command, cmd.rest, t.code, t.language, t.file), label, ...(cmd.command === 'explain' ? { system: explainPrompt } : {}) };
}
