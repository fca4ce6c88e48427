import assert from 'node:assert/strict';
import { explainMessage, fenceFor, fixMessage, generateMessage, parseSlash, slashMessage, withContext } from '../../src/chat/prompts';
import { chatHtml, nonce } from '../../src/extension/chatView/html';

describe('the chat view\'s HTML', () => {
  const n = nonce();
  const html = chatHtml({ cspSource: 'https://webview.test', scriptUri: 'https://webview.test/dist/webview.js', styleUri: 'https://webview.test/media/chat.css', nonce: n });
  const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)![1];

  it('has a strict CSP: nothing by default, scripts only with this load\'s nonce, no inline or eval', () => {
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, new RegExp(`script-src 'nonce-${n}'(;|$)`));
    assert.match(csp, /style-src https:\/\/webview\.test(;|$)/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/);
    assert.match(csp, /connect-src 'none'/);
  });

  it('loads one script, carrying the nonce, and no inline script or style', () => {
    const scripts = html.match(/<script[^>]*>/g)!;
    assert.deepEqual(scripts, [`<script nonce="${n}" src="https://webview.test/dist/webview.js">`]);
    assert.doesNotMatch(html, /<style|style="/);
    assert.notEqual(nonce(), n, 'a fresh nonce per load');
  });

  it('loads VS Code\'s icon font from the extension itself, which the CSP allows as a font and a stylesheet', () => {
    const withIcons = chatHtml({ cspSource: 'https://webview.test', scriptUri: 's', styleUri: 'https://webview.test/media/chat.css', codiconUri: 'https://webview.test/dist/codicons/codicon.css', nonce: n });
    assert.match(withIcons, /<link rel="stylesheet" href="https:\/\/webview\.test\/dist\/codicons\/codicon\.css">/);
    assert.match(csp, /font-src https:\/\/webview\.test(;|$)/);
  });

  it('gives the controls stable test ids and labels', () => {
    for (const id of ['chat-input', 'send', 'stop', 'model-picker', 'toggle-history', 'messages', 'announcer']) assert.match(html, new RegExp(`data-testid="${id}"`));
    assert.match(html, /<label for="input"/);
    assert.match(html, /aria-live="polite"/);
  });
});

describe('messages the editor commands send', () => {
  it('fences code with more backticks than it contains', () => {
    assert.equal(fenceFor('a = 1'), '```');
    assert.equal(fenceFor('s = """```"""'), '````');
    const msg = explainMessage('x = "```"', 'python', 'src/a.py');
    assert.equal(msg, 'Explain this python code from `src/a.py`:\n\n````python\nx = "```"\n````');
  });

  it('puts attachments before the message, each fenced so its own backticks cannot close it', () => {
    assert.equal(
      withContext('Is this right?', [
        { path: 'docs/a.md', languageId: 'markdown', text: '```js\nx\n```\n' },
        { path: 'src/b.py', languageId: 'python', text: 'y = 2', lines: { start: 4, end: 4 } },
      ]),
      '`docs/a.md`:\n````markdown\n```js\nx\n```\n````\n\n`src/b.py`, line 4:\n```python\ny = 2\n```\n\nIs this right?',
    );
  });

  it('asks for a rewrite of the selection, with the file and the language', () => {
    const msg = generateMessage('add a docstring', 'python', 'a.py', 'def f(): pass');
    assert.match(msg, /^File: `a\.py` \(python\)\n\nSelected code:\n```python\ndef f\(\): pass\n```\n\nRewrite the selected python code as the instruction says\. Reply with the whole replacement for the selection in one fenced block\. Instruction: add a docstring$/);
  });

  it('asks for code to insert when nothing is selected', () => {
    assert.equal(generateMessage('x', 'go', 'm.go', undefined), 'File: `m.go` (go)\n\nWrite the go code to insert at the cursor. Instruction: x');
    assert.doesNotMatch(generateMessage('x', 'go', 'm.go', '  \n'), /Selected code/);
  });

  it('leaves out the line breaks a whole-line selection ends with, keeping indentation', () => {
    assert.equal(explainMessage('  a = 1\r\n\n', 'python', 'a.py'), 'Explain this python code from `a.py`:\n\n```python\n  a = 1\n```');
    assert.match(generateMessage('x', 'python', 'a.py', 'def f(): pass\n'), /def f\(\): pass\n```\n\nRewrite/);
  });

  it('reads the chat view\'s slash commands, and sends the editor commands\' prompts', () => {
    assert.deepEqual(parseSlash('/fix it crashes on empty input'), { command: 'fix', rest: 'it crashes on empty input' });
    assert.deepEqual(parseSlash('  /tests  '), { command: 'tests', rest: '' });
    assert.deepEqual(parseSlash('/doc\nwith examples'), { command: 'doc', rest: 'with examples' });
    assert.equal(parseSlash('/explainer'), undefined);
    assert.equal(parseSlash('please /explain'), undefined);
    assert.equal(slashMessage('explain', '', 'x = 1', 'python', 'a.py'), explainMessage('x = 1', 'python', 'a.py'));
    assert.equal(slashMessage('fix', 'off by one', 'x = 1', 'python', 'a.py'), fixMessage('x = 1', 'python', 'a.py', 'off by one'));
    assert.match(slashMessage('tests', 'use pytest', 'def f(): pass', 'python', 'a.py'), /^Write unit tests for this python code from `a\.py`.*use pytest.*\n\n```python\ndef f\(\): pass\n```$/s);
    assert.match(slashMessage('doc', '', 'def f(): pass', 'python', 'a.py'), /^Add documentation comments to this python code from `a\.py`[\s\S]*```python\ndef f\(\): pass\n```$/);
  });

  it('puts a framework named after /tests (or a style after /doc) where the default one would be', () => {
    assert.match(slashMessage('tests', 'pytest', 'def f(): pass', 'python', 'a.py'), /^Write unit tests for this python code from `a\.py`, using pytest\. Reply with the tests in one fenced block\.\n/);
    assert.match(slashMessage('tests', 'cover the empty list', 'x', 'python', 'a.py'), /project most likely uses\. cover the empty list\. Reply with/);
    assert.match(slashMessage('doc', 'JSDoc', 'x', 'typescript', 'a.ts'), /from `a\.ts`, in the JSDoc style, changing nothing else\. Reply/);
  });
});

describe('the manifest', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pkg = require('../../../package.json') as {
    contributes: { commands: Array<{ command: string; title: string }>; keybindings: Array<{ command: string; key: string; mac?: string }>; configuration: { properties: Record<string, { order?: number }> } };
  };

  it('has a key to put the cursor in the chat input, Ctrl+Alt+I (Cmd+Alt+I), as Copilot Chat does', () => {
    assert.ok(pkg.contributes.commands.some((c) => c.command === 'qwenChat.focusInput' && c.title === 'Focus Chat Input'));
    const kb = pkg.contributes.keybindings.find((k) => k.command === 'qwenChat.focusInput');
    assert.equal(kb?.key, 'ctrl+alt+i');
    assert.equal(kb?.mac, 'cmd+alt+i');
  });

  it('orders the settings in groups, each order used once: model and Spaces, prompts, the editor, the network', () => {
    const props = pkg.contributes.configuration.properties;
    const orders = Object.entries(props).map(([k, v]) => [k, v.order] as const);
    assert.ok(orders.every(([, o]) => typeof o === 'number'), 'every setting has its place');
    assert.equal(new Set(orders.map(([, o]) => o)).size, orders.length, `no two share an order: ${JSON.stringify(orders)}`);
    const sorted = [...orders].sort((a, b) => a[1]! - b[1]!).map(([k]) => k);
    const group = (k: string) => (/Prompt|maxPromptCharacters/.test(k) ? 2 : /proxy|Timeout/.test(k) ? 4 : /review/.test(k) ? 3 : 1);
    const groups = sorted.map(group);
    assert.deepEqual(groups, [...groups].sort(), `grouped, not interleaved: ${sorted.join(', ')}`);
  });
});
