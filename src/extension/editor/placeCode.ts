/**
 * The chat's Insert and Replace selection: code put at the cursor or over the selection, placed
 * as Generate at Cursor places it (indentation, line breaks, the file's EOL), then held for review.
 */
import * as vscode from 'vscode';
import { Placement } from './insertion';
import type { ReviewController } from './review';
import { activeEditor } from './target';

export async function placeCode(review: ReviewController, code: string, replace: boolean): Promise<void> {
  const ed = activeEditor();
  if (!ed) return void vscode.window.showInformationMessage(replace ? 'Open a file and select the code to replace.' : 'Open a file to insert the code into.');
  const range = replace ? new vscode.Range(ed.selection.start, ed.selection.end) : new vscode.Range(ed.selection.active, ed.selection.active);
  const doc = ed.document;
  const before = doc.lineAt(range.start.line).text.slice(0, range.start.character);
  const after = doc.lineAt(range.end.line).text.slice(range.end.character);
  const oldText = doc.getText(range);
  let text = Placement.place(before, after, code, true, oldText);
  if (doc.eol === vscode.EndOfLine.CRLF) text = text.replace(/\r?\n/g, '\r\n');
  const start = doc.offsetAt(range.start);
  if (!(await ed.edit((b) => b.replace(range, text)))) throw new Error('the editor refused the edit (is the file read-only?)');
  const placed = new vscode.Range(doc.positionAt(start), doc.positionAt(start + text.length));
  review.show(doc, placed, oldText, replace ? 'replace' : 'insert', replace ? 'Replace selection, from the chat' : 'Insert, from the chat');
}
