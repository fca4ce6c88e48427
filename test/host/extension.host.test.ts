/** Tests with the real `vscode` API, inside a real extension host, against the local Space. */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ChatSession } from '../../src/extension/chatSession';
import { LocalProxy } from '../fixtures/proxy';

const EXT = 'qwen-chat-dev.qwen-chat';
const SPACE = process.env.QWEN_TEST_SPACE_URL ?? '';
const CODE = '```python\ndef parse_date(text):\n    from datetime import date\n    return date.fromisoformat(text)\n```';
const CODE_ONLY = 'def parse_date(text):\n    from datetime import date\n    return date.fromisoformat(text)';

async function fixture(body: Record<string, unknown>): Promise<void> {
  const r = await fetch(`${SPACE}/__fixture/config`, { method: 'POST', body: JSON.stringify(body) });
  assert.equal(r.status, 200);
}

async function until(what: string, cond: () => boolean, ms = 20_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const config = () => vscode.workspace.getConfiguration();

describe('Qwen Chat inside the extension host', function () {
  this.timeout(60_000);
  let session: ChatSession;

  before(async () => {
    assert.ok(SPACE, 'QWEN_TEST_SPACE_URL must name the local Space');
    await config().update('qwenChat.spaceUrl', SPACE, vscode.ConfigurationTarget.Global);
    const api = (await vscode.extensions.getExtension(EXT)!.activate()) as { session: () => Promise<ChatSession> };
    session = await api.session();
  });

  afterEach(async () => {
    await fixture({ tokenDelayMs: 5, answer: null });
  });

  it('contributes its commands', async () => {
    const all = await vscode.commands.getCommands(true);
    for (const c of ['qwenChat.explainSelection', 'qwenChat.generateAtCursor', 'qwenChat.newConversation', 'qwenChat.stop', 'qwenChat.setToken', 'qwenChat.clearToken']) {
      assert.ok(all.includes(c), `${c} is missing`);
    }
  });

  it('answers through the chat with the settings VS Code holds', async () => {
    await session.newConversation();
    await session.send('Hello from the extension host');
    const [q, a] = session.conversation.turns;
    assert.equal(q.text, 'Hello from the extension host');
    assert.equal(a.state, 'done');
    assert.match(a.text, /^You asked: "Hello from the extension host"/);
  });

  it('re-reads settings when they change: a wrong Space URL gives a clear error', async () => {
    await config().update('qwenChat.spaceUrl', `${SPACE}/no-such-space`, vscode.ConfigurationTarget.Global);
    try {
      await session.newConversation();
      await session.send('Anyone there?');
      const a = session.conversation.turns[1];
      assert.equal(a.state, 'error');
      assert.match(a.error!.message, /404/);
      assert.match(a.error!.hint, /qwenChat\.spaceUrl/);
    } finally {
      await config().update('qwenChat.spaceUrl', SPACE, vscode.ConfigurationTarget.Global);
    }
  });

  it('keeps the prompt under qwenChat.maxPromptCharacters, leaving out the oldest turns', async () => {
    await session.newConversation();
    await session.send('First question');
    await config().update('qwenChat.maxPromptCharacters', 60, vscode.ConfigurationTarget.Global);
    try {
      await session.send('Second question');
      const a = session.conversation.turns[3];
      assert.equal(a.state, 'done');
      // The Space quotes the first line of the prompt it got: only the new question went.
      assert.match(a.text, /^You asked: "Second question"/);
      assert.match(a.note ?? '', /The 2 oldest messages were left out of the prompt to keep it under 60 characters/);
    } finally {
      await config().update('qwenChat.maxPromptCharacters', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('goes through the proxy in VS Code\'s http.proxy setting', async () => {
    const proxy = new LocalProxy();
    await proxy.start();
    await config().update('http.proxy', proxy.url, vscode.ConfigurationTarget.Global);
    try {
      await session.newConversation();
      await session.send('Through the proxy');
      assert.equal(session.conversation.turns[1].state, 'done');
      assert.ok(proxy.connects.length >= 1, 'nothing went through the proxy');
    } finally {
      await config().update('http.proxy', undefined, vscode.ConfigurationTarget.Global);
      await proxy.stop();
    }
  });

  it('Generate at Cursor inserts only the code, and one undo takes it all out', async () => {
    await fixture({ tokenDelayMs: 20, answer: CODE });
    const doc = await vscode.workspace.openTextDocument({ language: 'python', content: 'x = 1\n' });
    const editor = await vscode.window.showTextDocument(doc);
    editor.selection = new vscode.Selection(doc.positionAt(6), doc.positionAt(6));
    await vscode.commands.executeCommand('qwenChat.generateAtCursor', { instruction: 'parse ISO dates' });
    assert.equal(doc.getText(), `x = 1\n${CODE_ONLY}`);
    await vscode.commands.executeCommand('undo');
    assert.equal(doc.getText(), 'x = 1\n');
  });

  it('Generate at Cursor at the end of an indented line puts the code on its own line, indented like it', async () => {
    await fixture({ tokenDelayMs: 10, answer: CODE });
    const content = 'class Dates:\n    x = 1\n';
    const doc = await vscode.workspace.openTextDocument({ language: 'python', content });
    const editor = await vscode.window.showTextDocument(doc);
    editor.selection = new vscode.Selection(new vscode.Position(1, 9), new vscode.Position(1, 9));
    await vscode.commands.executeCommand('qwenChat.generateAtCursor', { instruction: 'parse ISO dates' });
    const indented = CODE_ONLY.split('\n').map((l) => `    ${l}`).join('\n');
    assert.equal(doc.getText(), `class Dates:\n    x = 1\n${indented}\n`);
    await vscode.commands.executeCommand('undo');
    assert.equal(doc.getText(), content);
  });

  it('Generate at Cursor writes a CRLF file\'s line endings, streaming in order', async () => {
    await fixture({ tokenDelayMs: 5, answer: CODE });
    const doc = await vscode.workspace.openTextDocument({ language: 'python', content: 'x = 1\r\n' });
    assert.equal(doc.eol, vscode.EndOfLine.CRLF);
    const editor = await vscode.window.showTextDocument(doc);
    editor.selection = new vscode.Selection(doc.positionAt(7), doc.positionAt(7));
    await vscode.commands.executeCommand('qwenChat.generateAtCursor', { instruction: 'parse ISO dates' });
    assert.equal(doc.getText(), `x = 1\r\n${CODE_ONLY.replace(/\n/g, '\r\n')}`);
    await vscode.commands.executeCommand('undo');
    assert.equal(doc.getText(), 'x = 1\r\n');
  });

  it('Generate at Cursor keeps landing in the right place while the user edits above it', async () => {
    await fixture({ tokenDelayMs: 200, answer: CODE });
    const doc = await vscode.workspace.openTextDocument({ language: 'python', content: '# top\n\nx = 1\n' });
    const editor = await vscode.window.showTextDocument(doc);
    editor.selection = new vscode.Selection(doc.positionAt(doc.getText().length), doc.positionAt(doc.getText().length));
    const running = vscode.commands.executeCommand('qwenChat.generateAtCursor', { instruction: 'parse ISO dates' });
    await until('the first code in the document', () => doc.getText().includes('def parse'));
    // Like typing: an API edit that races a streamed insert is refused, so it is tried again.
    let typed = false;
    for (let i = 0; i < 50 && !typed; i++) typed = await editor.edit((b) => b.insert(new vscode.Position(0, 0), '# typed while it streamed\n'));
    assert.ok(typed);
    assert.ok(!doc.getText().includes('fromisoformat'), 'the edit should land while the answer still streams');
    await running;
    assert.equal(doc.getText(), `# typed while it streamed\n# top\n\nx = 1\n${CODE_ONLY}`);
  });
});
