/**
 * What the chat view's buttons do beyond the session, each a whole feature with its own dialog:
 * loading a remote image after consent, opening an attachment (or what was sent, when the file is
 * gone), renaming, the trash with its confirmations and Restore, Export and Import as Markdown,
 * picking another model, and links. The view provider and the commands both call these.
 */
import * as vscode from 'vscode';
import { newId, type StoredContext, TRASH_DAYS } from '../../chat/model';
import type { ChatSession } from '../../chat/session';
import { exportFileName, fromMarkdown, importedTitle, MAX_IMPORT_BYTES, openableUri, TranscriptError } from '../../chat/transcript';
import { isSafeExternalLink } from '../../protocol';

/** A model of the picker: its setting name, a friendly label ("Qwen3 32B"), its Space, and whether it is the default. */
export interface ModelChoice {
  name: string;
  space: string;
  label?: string;
  isDefault?: boolean;
}

export interface ModelList {
  list: () => { models: ModelChoice[]; current: string };
  pick: (model: string) => Thenable<void>;
}

/** An image in an answer, loaded only after the user agrees to contact its host, over https only. */
export async function loadImage(src: string, fetchImage: ((src: string) => Promise<string>) | undefined): Promise<{ dataUrl: string } | { error: string }> {
  let host = '';
  try {
    const u = new URL(src);
    if (u.protocol !== 'https:') throw new Error('not https');
    host = u.host;
  } catch {
    return { error: 'Only https images load.' };
  }
  const ok = await vscode.window.showWarningMessage(`Load the image from ${host}?`, { modal: true, detail: `Loading it contacts ${host} and tells it your IP address:\n${src}` }, 'Load image');
  if (ok !== 'Load image' || !fetchImage) return { error: `Not loaded from ${host}.` };
  try {
    return { dataUrl: await fetchImage(src) };
  } catch (err) {
    return { error: `The image from ${host} did not load: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/** Opens an attached file at its lines; when it is gone or moved, shows the text that was sent, so it is not lost. */
export async function openAttachment(a: StoredContext): Promise<void> {
  const range = a.lines ? new vscode.Range(a.lines.start - 1, 0, a.lines.end - 1, Number.MAX_SAFE_INTEGER) : undefined;
  try {
    if (!openableUri(a.uri)) throw new Error('not a file');
    await vscode.window.showTextDocument(vscode.Uri.parse(a.uri, true), { ...(range ? { selection: range } : {}), preview: true });
  } catch {
    const doc = await vscode.workspace.openTextDocument({ content: a.text, language: a.languageId || 'plaintext' });
    await vscode.window.showTextDocument(doc, { preview: true });
    void vscode.window.showInformationMessage(`${a.path} could not be opened; this is the text that was attached.`);
  }
}

export async function renameConversation(session: ChatSession, id: string): Promise<void> {
  const title = await session.titleOf(id);
  const next = await vscode.window.showInputBox({ title: 'Rename conversation', value: title ?? '', prompt: 'The name shown in History', validateInput: (v) => (v.trim() ? undefined : 'A name cannot be empty') });
  if (next?.trim()) await session.rename(id, next);
}

/** To the trash without a question: the notification's Restore brings it back. */
export async function trashConversation(session: ChatSession, id: string): Promise<void> {
  const title = (await session.titleOf(id)) ?? 'Untitled';
  await session.delete(id);
  void vscode.window.showInformationMessage(`Moved "${title}" to the trash. History keeps it there for ${TRASH_DAYS} days.`, 'Restore').then(async (a) => {
    if (a === 'Restore' && !(await session.restore(id))) void vscode.window.showWarningMessage(`"${title}" is no longer in the trash.`);
  });
}

export async function restoreConversation(session: ChatSession, id: string): Promise<void> {
  if (!(await session.restore(id))) void vscode.window.showWarningMessage('That conversation is no longer in the trash.');
}

export async function deleteForever(session: ChatSession, id: string): Promise<void> {
  const title = await session.titleOf(id);
  const ok = await vscode.window.showWarningMessage(`Delete "${title ?? 'Untitled'}" for good?`, { modal: true, detail: 'It cannot be restored afterwards.' }, 'Delete for Good');
  if (ok === 'Delete for Good') await session.deleteForever(id);
}

export async function emptyTrash(session: ChatSession): Promise<void> {
  const n = (await session.trash()).length;
  if (!n) return;
  const ok = await vscode.window.showWarningMessage(`Delete the ${n === 1 ? 'conversation' : `${n} conversations`} in the trash for good?`, { modal: true, detail: 'They cannot be restored afterwards.' }, 'Empty Trash');
  if (ok === 'Empty Trash') await session.emptyTrash();
}

/** Asks where, then writes the conversation as Markdown (see chat/transcript.ts). */
export async function exportConversation(session: ChatSession, id: string, log: vscode.LogOutputChannel): Promise<void> {
  const ex = await session.exportMarkdown(id);
  if (!ex) return void vscode.window.showWarningMessage('That conversation could not be read.');
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const target = await vscode.window.showSaveDialog({
    title: `Export "${ex.title}" as Markdown`,
    saveLabel: 'Export',
    filters: { Markdown: ['md'] },
    ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, exportFileName(ex.title)) } : {}),
  });
  if (!target) return;
  await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(ex.markdown));
  log.info(`exported a conversation to ${target.toString()}`);
  const open = await vscode.window.showInformationMessage(`Exported "${ex.title}" to ${vscode.workspace.asRelativePath(target, false)}.`, 'Open');
  if (open === 'Open') await vscode.window.showTextDocument(target);
}

/** Asks for a file that Export wrote, and opens it as a new conversation. */
export async function importConversation(session: ChatSession, log: vscode.LogOutputChannel): Promise<void> {
  const picked = await vscode.window.showOpenDialog({
    title: 'Import a conversation exported by Qwen Chat',
    openLabel: 'Import',
    canSelectMany: false,
    filters: { Markdown: ['md', 'markdown'], 'All files': ['*'] },
    ...(vscode.workspace.workspaceFolders?.[0] ? { defaultUri: vscode.workspace.workspaceFolders[0].uri } : {}),
  });
  const file = picked?.[0];
  if (!file) return;
  const name = vscode.workspace.asRelativePath(file, false);
  try {
    const stat = await vscode.workspace.fs.stat(file);
    if (stat.size > MAX_IMPORT_BYTES) throw new TranscriptError(`it is ${(stat.size / 1024 / 1024).toFixed(0)} MB, larger than any conversation Qwen Chat exports.`);
    const c = fromMarkdown(new TextDecoder().decode(await vscode.workspace.fs.readFile(file)), newId);
    c.title = importedTitle(c.title);
    await session.importConversation(c);
    void vscode.window.showInformationMessage(`Imported "${c.title}" (${c.turns.length} messages) from ${name}.`);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    log.warn(`import of ${name} failed: ${why}`);
    void vscode.window.showErrorMessage(`Qwen Chat could not import ${name}: ${why}`);
  }
}

/** An error's "Pick another model": the models in VS Code's quick pick, the current one marked. */
export async function chooseModel(models: ModelList): Promise<void> {
  const { models: all, current } = models.list();
  const picked = await vscode.window.showQuickPick(
    all.map((m) => ({ label: m.label ?? m.name, description: [m.name === current ? 'current' : '', m.isDefault ? 'default' : ''].filter(Boolean).join(', '), detail: m.space, name: m.name })),
    { title: 'Pick another model', placeHolder: 'The model to ask (then Retry)' },
  );
  if (picked) await models.pick(picked.name);
}

/** A link in an answer: http, https and mailto only, through VS Code's own flow (it asks, showing the URL, unless the domain is trusted). */
export async function openLink(href: string, log: vscode.LogOutputChannel): Promise<void> {
  if (!isSafeExternalLink(href)) {
    log.warn(`refused to open a link with an unsafe scheme`);
    void vscode.window.showWarningMessage('Qwen Chat only opens http, https and mailto links.');
    return;
  }
  log.info(`openExternal ${href.slice(0, 200)}`);
  await vscode.env.openExternal(vscode.Uri.parse(href, true));
}

export async function copyText(text: string): Promise<void> {
  await vscode.env.clipboard.writeText(text);
  vscode.window.setStatusBarMessage('Copied to the clipboard', 2000);
}
