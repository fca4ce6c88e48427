/** Attachments with the real `vscode` API: real files, real editors, unsaved changes. */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { QwenChatApi } from '../../src/extension/extension';

const EXT = 'qwen-chat-dev.qwen-chat';

describe('attachments inside the extension host', function () {
  this.timeout(60_000);
  let api: QwenChatApi;
  const file = (name: string) => vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, 'attach-tests', name);
  const write = (name: string, data: string | Uint8Array) => vscode.workspace.fs.writeFile(file(name), typeof data === 'string' ? new TextEncoder().encode(data) : data);

  before(async () => {
    api = (await vscode.extensions.getExtension(EXT)!.activate()) as QwenChatApi;
  });
  afterEach(async () => {
    await api.attachments.take(); // nothing left for the next test
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('attaches an open file as the editor has it, unsaved changes included, read again when sent', async () => {
    await write('a.py', 'x = 1\n');
    const doc = await vscode.workspace.openTextDocument(file('a.py'));
    const editor = await vscode.window.showTextDocument(doc);
    assert.ok(await editor.edit((b) => b.insert(new vscode.Position(0, 0), '# edited\n')));
    const offered = api.attachments.options().find((o) => o.id === `file:${file('a.py').toString()}`);
    assert.ok(offered, '# offers the open file');
    assert.match(offered.detail, /attach-tests\/a\.py \(active file\)$/);
    assert.equal(await api.attachments.choose(offered.id), undefined);
    assert.deepEqual(api.attachments.view().items.map((i) => [i.kind, i.label, i.chars]), [['file', 'a.py', '# edited\nx = 1\n'.length]]);
    assert.ok(await editor.edit((b) => b.insert(new vscode.Position(0, 0), '# and again\n')));
    const [sent] = await api.attachments.take();
    assert.equal(sent.text, '# and again\n# edited\nx = 1\n', 'the file goes as it is when the message is sent');
    assert.equal(sent.languageId, 'python');
    assert.deepEqual(api.attachments.view().items, [], 'sending clears the chips');
  });

  it('refuses a file the view was not offered: the view cannot make the host read any file it names', async () => {
    await write('secret.txt', 'not for the model');
    const why = await api.attachments.choose(`file:${file('secret.txt').toString()}`);
    assert.match(why ?? '', /no longer open/);
    assert.deepEqual(api.attachments.view().items, []);
    assert.equal(await api.attachments.choose('file:///etc/passwd'), 'That is no longer open. Type # again, or use Attach… to pick a file.');
  });

  it('attaches the selection with its lines (a whole-line selection ends on its last line)', async () => {
    await write('b.py', 'one\ntwo\nthree\nfour\n');
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(file('b.py')));
    editor.selection = new vscode.Selection(1, 0, 3, 0);
    assert.equal(api.attachments.addSelection(editor), undefined);
    const [item] = api.attachments.view().items;
    assert.deepEqual([item.kind, item.label, item.detail, item.chars], ['selection', 'b.py:2-3', 'attach-tests/b.py, lines 2-3', 'two\nthree\n'.length]);
    editor.selection = new vscode.Selection(0, 0, 0, 0);
    assert.equal(api.attachments.addSelection(editor), 'Select some code in an editor first.');
  });

  it('refuses a binary file, a folder and a file over 1 MB, saying why, and keeps the rest', async () => {
    await write('ok.txt', 'fine');
    await write('image.bin', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 1]));
    await write('big.txt', 'x'.repeat(1024 * 1024 + 1));
    await vscode.workspace.fs.createDirectory(file('folder'));
    assert.match((await api.attachments.addFile(file('image.bin'))) ?? '', /image\.bin cannot be attached: it is not a text file/);
    assert.match((await api.attachments.addFile(file('folder'))) ?? '', /folder cannot be attached: it is a folder/);
    assert.match((await api.attachments.addFile(file('big.txt'))) ?? '', /big\.txt cannot be attached: it is 1\.0 MB, more than the 1 MB/);
    assert.equal(await api.attachments.addFile(file('ok.txt')), undefined);
    assert.deepEqual(api.attachments.view().items.map((i) => i.label), ['ok.txt']);
    // The same file twice is one chip.
    await api.attachments.addFile(file('ok.txt'));
    assert.equal(api.attachments.view().items.length, 1);
  });

  it('Qwen: Add File to Chat takes the files selected in the Explorer (its second argument), keeping those it can', async () => {
    await write('c.py', 'c = 3\n');
    await write('d.py', 'd = 4\n');
    await write('e.bin', new Uint8Array([1, 0, 2]));
    await vscode.commands.executeCommand('qwenChat.addFileToChat', file('c.py'), [file('c.py'), file('e.bin'), file('d.py')]);
    assert.deepEqual(api.attachments.view().items.map((i) => i.label), ['c.py', 'd.py'], 'the binary one is refused (and said), the others attached');
  });
});
