/** Tests with the real `vscode` API, inside a real extension host, against the local Space. */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ChatSession } from '../../src/chat/session';
import type { QwenChatApi } from '../../src/extension/extension';
import { startEndpoint } from '../fixtures/endpoint';
import { LocalProxy } from '../fixtures/proxy';
import { nextEvent, waitFor } from '../support/wait';

const EXT = 'qwen-chat-dev.qwen-chat';
const SPACE = process.env.QWEN_TEST_SPACE_URL ?? '';
const CODE = '```python\ndef parse_date(text):\n    from datetime import date\n    return date.fromisoformat(text)\n```';
const CODE_ONLY = 'def parse_date(text):\n    from datetime import date\n    return date.fromisoformat(text)';

async function fixture(body: Record<string, unknown>): Promise<void> {
  const r = await fetch(`${SPACE}/__fixture/config`, { method: 'POST', body: JSON.stringify(body) });
  assert.equal(r.status, 200);
}

const until = (what: string, cond: () => boolean, ms = 20_000) => waitFor(what, cond, { timeoutMs: ms });

async function spaceStats(): Promise<{ cancels: unknown[]; disconnects: number; completed: number }> {
  return (await (await fetch(`${SPACE}/__fixture/stats`)).json()) as { cancels: unknown[]; disconnects: number; completed: number };
}

/** Opens a Python document with `content` and puts the cursor at `offset` (default: the end). */
async function pythonEditor(content: string, offset = content.length): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument({ language: 'python', content });
  const editor = await vscode.window.showTextDocument(doc);
  editor.selection = new vscode.Selection(doc.positionAt(offset), doc.positionAt(offset));
  return editor;
}

const generate = (instruction: string) => vscode.commands.executeCommand('qwenChat.generateAtCursor', { instruction });

const config = () => vscode.workspace.getConfiguration();

describe('Qwen Chat inside the extension host', function () {
  this.timeout(60_000);
  let session: ChatSession;
  let api: QwenChatApi;

  before(async () => {
    assert.ok(SPACE, 'QWEN_TEST_SPACE_URL must name the local Space');
    await config().update('qwenChat.spaceUrl', SPACE, vscode.ConfigurationTarget.Global);
    api = (await vscode.extensions.getExtension(EXT)!.activate()) as QwenChatApi;
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

  for (const [label, delayMs] of [['1 s', 1000], ['10 ms', 10]] as const) {
    it(`Generate at Cursor leaves exactly one undo step at ${label} per token`, async function () {
      this.timeout(90_000);
      await fixture({ tokenDelayMs: delayMs, answer: '```python\nx = 1\ny = 2\n```' });
      const editor = await pythonEditor('a = 0\n');
      const doc = editor.document;
      await generate('two assignments');
      assert.equal(doc.getText(), 'a = 0\nx = 1\ny = 2');
      await vscode.commands.executeCommand('undo');
      assert.equal(doc.getText(), 'a = 0\n', 'one Undo gives the file back');
    });
  }

  it('Generate at Cursor: nothing changes in the document once cancellation is processed, and one Undo removes what landed', async function () {
    this.timeout(90_000);
    await fixture({ tokenDelayMs: 150, answer: '```python\n' + Array.from({ length: 40 }, (_, i) => `x${i} = ${i}`).join('\n') + '\n```' });
    const editor = await pythonEditor('first = 0\n');
    const doc = editor.document;
    const before = await spaceStats();
    const running = generate('forty assignments');
    await nextEvent(vscode.workspace.onDidChangeTextDocument, (e) => e.document === doc && doc.getText().includes('x2 = 2'));
    await vscode.commands.executeCommand('qwenChat.stop');
    await running; // resolves when the document is final
    const final = doc.getText();
    let changes = 0;
    const sub = vscode.workspace.onDidChangeTextDocument((e) => e.document === doc && changes++);
    try {
      await waitFor('the Space to hear of the cancel', async () => {
        const s = await spaceStats();
        return s.cancels.length + s.disconnects > before.cancels.length + before.disconnects;
      });
      // A whole answer's round trip later (the Space would have sent many more tokens by then).
      await fixture({ tokenDelayMs: 5, answer: null });
      await session.newConversation();
      await session.send('are you there?');
    } finally {
      sub.dispose();
    }
    assert.equal(changes, 0, 'no edit after the command said the document was final');
    assert.equal(doc.getText(), final);
    assert.match(final, /^first = 0\nx0 = 0\nx1 = 1\nx2 = 2/);
    assert.doesNotMatch(final, /x39 = 39/);
    await vscode.commands.executeCommand('undo');
    assert.equal(doc.getText(), 'first = 0\n', 'one Undo removes everything that landed');
  });

  it('Generate at Cursor keeps prose out of the file: only the first code block lands, the answer goes to the chat', async () => {
    const answer = 'Sure! Here is the function:\n\n```python\ndef one():\n    return 1\n```\n\nAnd a test:\n\n```python\nassert one() == 1\n```';
    await fixture({ tokenDelayMs: 5, answer });
    await session.newConversation();
    const editor = await pythonEditor('x = 0\n');
    const changes: string[] = [];
    const sub = vscode.workspace.onDidChangeTextDocument((e) => e.document === editor.document && changes.push(editor.document.getText()));
    try {
      await generate('one');
    } finally {
      sub.dispose();
    }
    assert.equal(editor.document.getText(), 'x = 0\ndef one():\n    return 1');
    for (const t of changes) assert.doesNotMatch(t, /Sure|```|assert one/, 'no prose, fence or second block at any moment');
    const turns = session.conversation.turns;
    assert.equal(turns[turns.length - 1].text, answer, 'the whole answer is in the chat');
    assert.match(turns[turns.length - 1].note ?? '', /first code block went into/);
  });

  it('Generate at Cursor with a prose-only answer writes nothing and puts the answer in the chat', async () => {
    await fixture({ tokenDelayMs: 5, answer: 'I cannot write that without knowing the date format.' });
    await session.newConversation();
    const editor = await pythonEditor('x = 0\n');
    await generate('parse dates');
    assert.equal(editor.document.getText(), 'x = 0\n');
    const turns = session.conversation.turns;
    assert.equal(turns[turns.length - 1].text, 'I cannot write that without knowing the date format.');
    assert.match(turns[turns.length - 1].note ?? '', /without a code block, so nothing was written/);
  });

  it('Replace selection re-indents a multi-line block to the selection, as Insert does', async () => {
    const content = 'def f(x):\n    if x:\n        return 1\n    return 0\n';
    const editor = await pythonEditor(content);
    const doc = editor.document;
    // Select the whole body, from column 0.
    editor.selection = new vscode.Selection(new vscode.Position(1, 0), new vscode.Position(3, 12));
    await api.placeCode('if y:\n    return 2\nreturn 3', true);
    assert.equal(doc.getText(), 'def f(x):\n    if y:\n        return 2\n    return 3\n');
    await vscode.commands.executeCommand('undo');
    assert.equal(doc.getText(), content);
  });

  describe('review before keep', () => {
    const lenses = async (doc: vscode.TextDocument) =>
      ((await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri)) ?? []).map((l) => l.command?.title ?? '');
    const joins = async () => ((await (await fetch(`${SPACE}/__fixture/stats`)).json()) as { joins: Array<{ data: unknown[] }> }).joins;

    it('Generate at Cursor offers the change with Keep / Undo / Regenerate; Keep ends the review and one Undo still removes it', async () => {
      await fixture({ tokenDelayMs: 5, answer: CODE });
      const editor = await pythonEditor('x = 0\n');
      const doc = editor.document;
      await generate('parse ISO dates');
      assert.equal(doc.getText(), `x = 0\n${CODE_ONLY}`);
      const [p] = api.review.pending(doc);
      assert.equal(p.state, 'ready');
      assert.equal(doc.getText(p.range), CODE_ONLY, 'the review covers exactly the inserted code');
      const titles = await lenses(doc);
      assert.ok(titles.some((t) => /Keep/.test(t)) && titles.some((t) => /Undo/.test(t)) && titles.some((t) => /Regenerate/.test(t)), titles.join(' | '));
      assert.ok(!titles.some((t) => /Diff/.test(t)), 'an insertion has no old text to compare');
      await vscode.commands.executeCommand('qwenChat.review.keep', p.id);
      assert.deepEqual(api.review.pending(doc), []);
      assert.deepEqual(await lenses(doc), []);
      assert.equal(doc.getText(), `x = 0\n${CODE_ONLY}`, 'Keep changes nothing');
      await vscode.commands.executeCommand('undo');
      assert.equal(doc.getText(), 'x = 0\n');
    });

    it('Regenerate puts the old text back and asks again; Undo (from the keyboard, no argument) gives the file back', async () => {
      await fixture({ tokenDelayMs: 5, answer: '```python\nfirst = 1\n```' });
      const editor = await pythonEditor('a = 0\n');
      const doc = editor.document;
      await generate('one assignment');
      assert.equal(doc.getText(), 'a = 0\nfirst = 1');
      const asked = (await joins()).length;
      await fixture({ tokenDelayMs: 5, answer: '```python\nsecond = 2\n```' });
      await vscode.commands.executeCommand('qwenChat.review.regenerate', api.review.pending(doc)[0].id);
      assert.equal(doc.getText(), 'a = 0\nsecond = 2', 'the new answer replaced the old one, not added to it');
      assert.equal((await joins()).length, asked + 1, 'the Space was asked once more');
      assert.match(String((await joins()).at(-1)!.data[0]), /one assignment/);
      assert.equal(api.review.pending(doc).length, 1, 'the new change is offered for review');
      await vscode.commands.executeCommand('qwenChat.review.undo');
      assert.equal(doc.getText(), 'a = 0\n');
      assert.deepEqual(api.review.pending(doc), []);
    });

    it('Generate with a selection rewrites it, re-indented, and shows the change as a diff against the old text', async () => {
      await fixture({ tokenDelayMs: 5, answer: 'Here:\n```python\nif x:\n    return x + 1\nreturn 0\n```' });
      const content = 'def f(x):\n    return x\n';
      const editor = await pythonEditor(content);
      const doc = editor.document;
      editor.selection = new vscode.Selection(new vscode.Position(1, 0), new vscode.Position(1, 12));
      await generate('add one');
      assert.equal(doc.getText(), 'def f(x):\n    if x:\n        return x + 1\n    return 0\n');
      assert.match(String((await joins()).at(-1)!.data[0]), /Selected code:\n```python\n {4}return x\n```\n\nRewrite the selected python code/);
      const [p] = api.review.pending(doc);
      assert.equal(p.oldText, '    return x');
      assert.ok((await lenses(doc)).some((t) => /Show Diff/.test(t)));
      await vscode.commands.executeCommand('qwenChat.review.diff', p.id);
      const tab = await waitFor('the diff editor', () =>
        vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputTextDiff && t.input.original.scheme === 'qwen-review'),
      );
      const input = tab.input as vscode.TabInputTextDiff;
      assert.equal(input.modified.toString(), doc.uri.toString());
      assert.equal((await vscode.workspace.openTextDocument(input.original)).getText(), content, 'the left side is the file before the change');
      await vscode.window.tabGroups.close(tab);
      await vscode.window.showTextDocument(doc);
      await vscode.commands.executeCommand('qwenChat.review.undo', p.id);
      assert.equal(doc.getText(), content, 'rejected as a whole: the old code is back');
    });

    it('typing inside the change makes it yours: the review ends and the text stays', async () => {
      await fixture({ tokenDelayMs: 5, answer: CODE });
      const editor = await pythonEditor('x = 0\n');
      const doc = editor.document;
      await generate('parse ISO dates');
      const [p] = api.review.pending(doc);
      // Typing above the change moves it along; it is still under review.
      assert.ok(await editor.edit((b) => b.insert(new vscode.Position(0, 0), '# top\n')));
      assert.equal(doc.getText(api.review.pending(doc)[0].range), CODE_ONLY);
      assert.ok(await editor.edit((b) => b.insert(p.range.start.translate(2, 0), '# mine\n')));
      assert.deepEqual(api.review.pending(doc), []);
      assert.match(doc.getText(), /# mine/);
    });

    it('shows Stop while it streams, and what arrived before Stop stays for review', async function () {
      this.timeout(90_000);
      await fixture({ tokenDelayMs: 120, answer: '```python\n' + Array.from({ length: 30 }, (_, i) => `y${i} = ${i}`).join('\n') + '\n```' });
      const editor = await pythonEditor('z = 0\n');
      const doc = editor.document;
      const running = generate('thirty assignments');
      await nextEvent(vscode.workspace.onDidChangeTextDocument, (e) => e.document === doc && doc.getText().includes('y1 = 1'));
      assert.equal(api.review.pending(doc)[0]?.state, 'streaming');
      assert.ok((await lenses(doc)).some((t) => /Stop/.test(t)));
      await vscode.commands.executeCommand('qwenChat.stop');
      await running;
      const [p] = api.review.pending(doc);
      assert.equal(p.state, 'ready');
      assert.match(doc.getText(p.range), /^y0 = 0\ny1 = 1/);
      await vscode.commands.executeCommand('qwenChat.review.undo', p.id);
      assert.equal(doc.getText(), 'z = 0\n');
    });

    it('the chat\'s Replace selection is reviewed too, and a prose-only answer leaves nothing to review', async () => {
      const editor = await pythonEditor('a = 1\nb = 2\n');
      const doc = editor.document;
      editor.selection = new vscode.Selection(new vscode.Position(1, 0), new vscode.Position(1, 5));
      await api.placeCode('b = 3', true);
      const [p] = api.review.pending(doc);
      assert.equal(p.oldText, 'b = 2');
      assert.equal(doc.getText(p.range), 'b = 3');
      await vscode.commands.executeCommand('qwenChat.review.undo', p.id);
      assert.equal(doc.getText(), 'a = 1\nb = 2\n');
      await fixture({ tokenDelayMs: 5, answer: 'No code from me.' });
      await generate('anything');
      assert.deepEqual(api.review.pending(doc), []);
      assert.equal(doc.getText(), 'a = 1\nb = 2\n');
    });

    it('with qwenChat.reviewChanges off, code is kept as it lands (direct mode)', async () => {
      await config().update('qwenChat.reviewChanges', false, vscode.ConfigurationTarget.Global);
      try {
        await fixture({ tokenDelayMs: 5, answer: CODE });
        const editor = await pythonEditor('x = 0\n');
        await generate('parse ISO dates');
        assert.equal(editor.document.getText(), `x = 0\n${CODE_ONLY}`);
        assert.deepEqual(api.review.pending(editor.document), []);
        assert.deepEqual(await lenses(editor.document), []);
      } finally {
        await config().update('qwenChat.reviewChanges', undefined, vscode.ConfigurationTarget.Global);
      }
    });
  });

  it('offers every Qwen model to vscode.lm, and sendRequest streams the answer', async () => {
    // Tokens slower than the provider's pacing interval (50 ms at first), so each is its own piece.
    await fixture({ tokenDelayMs: 120, answer: 'Hello from the language model API.' });
    const models = await vscode.lm.selectChatModels({ vendor: 'qwen-space' });
    const ids = models.map((m) => m.id);
    for (const id of ['qwen-2.5', 'qwen-2.5-max', 'qwen-2-72b', 'qwen-3-235b', 'qwen-2.5-1m']) assert.ok(ids.includes(id), `${id} in ${ids.join(', ')}`);
    const m = models.find((x) => x.id === 'qwen-2.5')!;
    assert.ok(m.maxInputTokens > 1000);
    const res = await m.sendRequest([vscode.LanguageModelChatMessage.User('hi')], {}, new vscode.CancellationTokenSource().token);
    let text = '';
    let pieces = 0;
    for await (const t of res.text) {
      text += t;
      pieces++;
    }
    assert.equal(text, 'Hello from the language model API.');
    assert.ok(pieces > 2, 'streamed in pieces');
    assert.ok((await m.countTokens('four words of text')) > 0);
  });

  it('gives VS Code an endpoint model\'s real context window, as its /models says it', async () => {
    const ep = await startEndpoint({ dialect: 'vllm', models: ['Qwen/Qwen3-8B'], contextTokens: 131_072 });
    try {
      await config().update('qwenChat.endpoints', [{ name: 'mine', preset: 'vllm', baseUrl: ep.url, models: ['Qwen/Qwen3-8B'] }], vscode.ConfigurationTarget.Global);
      // Without /models the window would be the default 32,768 tokens.
      const m = await waitFor(
        'the window from /models in VS Code',
        async () => (await vscode.lm.selectChatModels({ vendor: 'qwen-space', id: 'mine/Qwen/Qwen3-8B' })).find((x) => x.maxInputTokens > 100_000),
        { timeoutMs: 20_000, everyMs: 200 },
      );
      assert.ok(m.maxInputTokens < 131_072, 'the window less the room kept for the answer');
    } finally {
      await config().update('qwenChat.endpoints', undefined, vscode.ConfigurationTarget.Global);
      await ep.close();
    }
  });

  it('turns a <tool_call> in the answer into a tool call part, and sends the tool result back in the next prompt', async () => {
    await fixture({ tokenDelayMs: 2, answer: 'Reading it.\n<tool_call>\n{"name": "read_file", "arguments": {"path": "src/app.py"}}\n</tool_call>' });
    const [m] = await vscode.lm.selectChatModels({ vendor: 'qwen-space', id: 'qwen-2.5' });
    const tools: vscode.LanguageModelChatTool[] = [{ name: 'read_file', description: 'Read a file of the workspace', inputSchema: { type: 'object', properties: { path: { type: 'string' } } } }];
    const res = await m.sendRequest([vscode.LanguageModelChatMessage.User('What is in src/app.py?')], { tools }, new vscode.CancellationTokenSource().token);
    const parts: unknown[] = [];
    for await (const p of res.stream) parts.push(p);
    const call = parts.find((p) => p instanceof vscode.LanguageModelToolCallPart) as vscode.LanguageModelToolCallPart;
    assert.ok(call, 'a tool call part');
    assert.equal(call.name, 'read_file');
    assert.deepEqual(call.input, { path: 'src/app.py' });
    const stats1 = (await (await fetch(`${SPACE}/__fixture/stats`)).json()) as { joins: Array<{ data: unknown[] }> };
    const asked = stats1.joins[stats1.joins.length - 1].data;
    assert.match(String(asked[2]), /<tools>[\s\S]*"name":"read_file"/, 'the tools are described in the system prompt');
    await fixture({ tokenDelayMs: 2, answer: 'It defines add().' });
    const res2 = await m.sendRequest(
      [
        vscode.LanguageModelChatMessage.User('What is in src/app.py?'),
        vscode.LanguageModelChatMessage.Assistant([call]),
        vscode.LanguageModelChatMessage.User([new vscode.LanguageModelToolResultPart(call.callId, [new vscode.LanguageModelTextPart('def add(a, b): return a + b')])]),
      ],
      { tools },
      new vscode.CancellationTokenSource().token,
    );
    let text = '';
    for await (const t of res2.text) text += t;
    assert.equal(text, 'It defines add().');
    const stats2 = (await (await fetch(`${SPACE}/__fixture/stats`)).json()) as { joins: Array<{ data: unknown[] }> };
    const prompt = String(stats2.joins[stats2.joins.length - 1].data[0]);
    assert.match(prompt, /<tool_call>\n\{"name":"read_file","arguments":\{"path":"src\/app\.py"\}\}\n<\/tool_call>/);
    assert.match(prompt, /<tool_response>\ndef add\(a, b\): return a \+ b\n<\/tool_response>/);
  });

  it('cancelling a language model request reaches the Space\'s cancel', async () => {
    await fixture({ tokenDelayMs: 100, answer: 'one two three four five six seven eight nine ten eleven twelve' });
    const [m] = await vscode.lm.selectChatModels({ vendor: 'qwen-space', id: 'qwen-2.5' });
    const cts = new vscode.CancellationTokenSource();
    const before = await spaceStats();
    const res = await m.sendRequest([vscode.LanguageModelChatMessage.User('count')], {}, cts.token);
    let text = '';
    for await (const t of res.text) {
      text += t;
      if (text.includes('two')) cts.cancel();
    }
    await waitFor('the Space to hear of the cancel', async () => {
      const s = await spaceStats();
      return s.cancels.length + s.disconnects > before.cancels.length + before.disconnects;
    });
    assert.doesNotMatch(text, /twelve/);
  });
});
