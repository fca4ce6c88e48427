/**
 * What a user does, in a real VS Code (code-server) in headless Chromium, against the local
 * Space. Each test leaves a screenshot in test-results/.
 */
import assert from 'node:assert/strict';
import type { Frame } from 'playwright-core';
import { LocalSpace, scriptedAnswer } from '../fixtures/space';
import { ensureInstalled, VsCode } from './harness';

const PY = 'def add(a, b):\n    """Add two numbers."""\n    return a + b\n';
const CODE_ANSWER = '```python\ndef parse_date(text):\n    from datetime import date\n    return date.fromisoformat(text)\n```';

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, ms = 30_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const turn = (id: string) => `.turn[data-turn-id="${id}"]`;

describe('Qwen Chat in a real VS Code', function () {
  this.timeout(180_000);
  let space: LocalSpace;
  let vs: VsCode;
  let chat: Frame;

  before(async function () {
    this.timeout(900_000); // the first run installs code-server (cached afterwards)
    const env = ensureInstalled();
    space = new LocalSpace({ tokenDelayMs: 25 });
    await space.start();
    vs = new VsCode(env);
    await vs.start({
      settings: { 'qwenChat.spaceUrl': space.url },
      files: { 'src/app.py': PY, 'notes.md': '# Notes\n\n' },
      env: { HTTP_PROXY: '', HTTPS_PROXY: '', http_proxy: '', https_proxy: '' },
    });
  });

  after(async () => {
    await vs?.stop();
    await space?.stop();
  });

  afterEach(async function () {
    const name = (this.currentTest?.title ?? 'test').replace(/[^a-z0-9]+/gi, '-').toLowerCase();
    await vs.screenshot(`${this.currentTest?.state === 'failed' ? 'FAILED-' : ''}${name}`).catch(() => undefined);
    space.faults.length = 0;
    space.opts.tokenDelayMs = 25;
    space.opts.answer = undefined;
  });

  let lastAnswer = '';

  const answerIds = () => chat.$$eval('.turn.assistant', (els) => els.map((e) => (e as HTMLElement).dataset.turnId ?? ''));

  /** Waits for the answer turn that `action` starts, and makes it the one the helpers read. */
  async function newAnswer(action: () => Promise<void>): Promise<string> {
    const before = new Set(await answerIds());
    await action();
    const id = await until('the new answer', async () => (await answerIds()).find((x) => !before.has(x)));
    lastAnswer = turn(id);
    return id;
  }

  async function send(text: string): Promise<string> {
    return newAnswer(async () => {
      await chat.fill('[data-testid="chat-input"]', text);
      await chat.press('[data-testid="chat-input"]', 'Enter');
    });
  }

  async function answerText(): Promise<string> {
    return (await chat.textContent(`${lastAnswer} .turn-body`)) ?? '';
  }

  async function answerDone(): Promise<void> {
    await chat.waitForSelector(`${lastAnswer}:not(.streaming) [data-testid="copy-answer"]`, { timeout: 60_000 });
  }

  it('opens the chat view and streams an answer with markdown and a highlighted code block', async () => {
    chat = await vs.openChat();
    space.opts.tokenDelayMs = 60;
    await send('Show me a greeting function');
    const seen = new Set<number>();
    await until('the answer to finish', async () => {
      seen.add((await answerText()).length);
      return !(await chat.$(`${lastAnswer}.streaming`)) && (await chat.$(`${lastAnswer} [data-testid="copy-answer"]`));
    });
    assert.ok(seen.size >= 4, `the answer should appear in steps, saw lengths ${[...seen].join(', ')}`);
    assert.equal(await chat.textContent('.turn.user .turn-body'), 'Show me a greeting function');
    assert.equal(await chat.textContent('[data-testid="conversation-title"]'), 'Show me a greeting function');
    assert.equal(await chat.textContent(`${lastAnswer} strong`), 'small');
    assert.ok(await chat.$(`${lastAnswer} .code-block pre code.language-python .hljs-keyword`), 'code is highlighted');
    assert.match(await answerText(), /def greet\(name\):/);
    const announced = await until('the screen reader announcement', async () => (await chat.textContent('[data-testid="announcer"]')) || undefined);
    assert.match(announced, /^Qwen answered: You asked/);
  });

  it('copies a code block and inserts it at the cursor in the editor', async () => {
    await chat.click(`${lastAnswer} .code-block [data-testid="copy-code"]`);
    const clip = await until('the clipboard', async () => (await vs.page.evaluate(() => navigator.clipboard.readText())) || undefined);
    assert.equal(clip, 'def greet(name):\n    return f"Hello, {name}!"');
    await vs.openFile('notes.md');
    await vs.page.keyboard.press('Control+End');
    await chat.click(`${lastAnswer} .code-block [data-testid="insert-code"]`);
    const text = await until('the inserted code', async () => ((await vs.editorText()).includes('def greet') ? vs.editorText() : undefined));
    assert.match(text, /# Notes[\s\S]*def greet\(name\):\s+return f"Hello, \{name\}!"/);
  });

  it('Stop ends the answer mid-stream, keeps the partial text and tells the Space', async () => {
    chat = await vs.openChat();
    space.opts.tokenDelayMs = 80;
    space.opts.answer = () => scriptedAnswer('400 words');
    const cancelsBefore = space.stats.cancels.length + space.stats.disconnects;
    await send('Write a long text');
    await until('some streamed text', async () => (await answerText()).length > 40);
    await chat.click('[data-testid="stop"]');
    await chat.waitForSelector(`${lastAnswer}.stopped`, { timeout: 10_000 });
    const partial = await answerText();
    assert.ok(partial.length > 40 && partial.length < scriptedAnswer('400 words').length, `partial length ${partial.length}`);
    await until('the Space to hear of it', async () => space.stats.cancels.length + space.stats.disconnects > cancelsBefore, 10_000);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(await answerText(), partial, 'nothing arrives after Stop');
    assert.match((await chat.textContent(`${lastAnswer} .turn-footer`)) ?? '', /Stopped\./);
  });

  it('Escape stops an answer too', async () => {
    space.opts.tokenDelayMs = 80;
    space.opts.answer = () => scriptedAnswer('400 words');
    await send('Another long one');
    await until('some streamed text', async () => (await answerText()).length > 20);
    await chat.press('[data-testid="messages"]', 'Escape');
    await chat.waitForSelector(`${lastAnswer}.stopped`, { timeout: 10_000 });
  });

  it('shows the queue position while the Space queues', async () => {
    space.faults.push({ kind: 'queue', ahead: 3, stepMs: 1500 });
    await send('Are you busy?');
    const status = await until('the queue position', async () => {
      const t = await chat.textContent(`${lastAnswer} [data-testid="status"]`);
      return t && /in queue/.test(t) ? t : undefined;
    });
    assert.match(status, /^4th in queue of 4, about \d+ s$/);
    await until('the position to count down', async () => /^3rd in queue/.test((await chat.textContent(`${lastAnswer} [data-testid="status"]`)) ?? ''));
    await vs.screenshot('queue-position');
    await answerDone();
    assert.equal(await chat.textContent(`${lastAnswer} [data-testid="status"]`), '');
  });

  it('shows the Space\'s error with Retry, and Retry works', async () => {
    space.faults.push({ kind: 'error', afterTokens: 3, message: 'GPU task aborted <a href="https://huggingface.co">details</a>' });
    await send('Please fail once');
    await chat.waitForSelector(`${lastAnswer} [data-testid="error"]`, { timeout: 30_000 });
    const err = (await chat.textContent(`${lastAnswer} [data-testid="error"]`)) ?? '';
    assert.match(err, /The Space raised an error: GPU task aborted details/);
    assert.match(err, /Try again/);
    await vs.screenshot('error-with-retry');
    const failedId = lastAnswer;
    await newAnswer(() => chat.click(`${failedId} [data-testid="retry"]`));
    await answerDone();
    assert.match(await answerText(), /That is the whole answer\./);
    assert.equal(await chat.$(failedId), null, 'the failed answer is replaced');
    assert.match(String(space.stats.joins.at(-1)!.data[0]), /\nUser: Please fail once\nAssistant:$/);
  });

  it('keeps the conversation across a window reload', async () => {
    const bodies = () => chat.$$eval('.turn', (els) => els.map((e) => `${e.className}: ${e.querySelector('.turn-body')?.textContent}`));
    const before = await bodies();
    assert.ok(before.length >= 8);
    await vs.reload();
    chat = await vs.openChat();
    await chat.waitForSelector('.turn.assistant');
    assert.deepEqual(await bodies(), before);
  });

  it('explains a selected function in the chat (Ctrl+Alt+E)', async () => {
    await vs.openFile('src/app.py');
    await vs.page.locator('.monaco-editor .view-lines').first().click();
    await vs.page.keyboard.press('Control+A');
    const joinsBefore = space.stats.joins.length;
    await newAnswer(() => vs.page.keyboard.press('Control+Alt+E'));
    await until('the request to reach the Space', async () => space.stats.joins.length > joinsBefore);
    const query = String(space.stats.joins.at(-1)!.data[0]);
    assert.match(query, /Explain this python code from `src\/app\.py`:\n\n```python\ndef add\(a, b\):/);
    assert.match(String(space.stats.joins.at(-1)!.data[2]), /explaining code/);
    await answerDone();
    const labels = await chat.$$eval('.turn.user .turn-head', (els) => els.map((e) => e.textContent));
    assert.equal(labels[labels.length - 1], 'You · Explain selection');
    assert.match(await answerText(), /That is the whole answer\./);
    assert.match(query, /\nUser: Explain this python code[\s\S]*\nAssistant:$/, 'earlier turns come along for follow-ups');
  });

  it('generates at the cursor: the text lands as it streams, and one Undo removes it', async () => {
    space.opts.tokenDelayMs = 120;
    space.opts.answer = () => CODE_ANSWER;
    await vs.openFile('src/app.py');
    await vs.page.locator('.monaco-editor .view-lines').first().click();
    await vs.page.keyboard.press('Control+End');
    const original = await vs.editorText();
    await vs.command('Qwen: Generate at Cursor');
    const box = vs.page.locator('.quick-input-widget input');
    await box.waitFor({ state: 'visible' });
    await box.fill('a function that parses ISO dates');
    await box.press('Enter');
    const partial = await until('part of the code in the editor', async () => {
      const t = await vs.editorText();
      return t.includes('def parse_date') && !t.includes('fromisoformat') ? t : undefined;
    });
    assert.doesNotMatch(partial, /```/, 'the fence never enters the document');
    const done = await until('the whole code', async () => {
      const t = await vs.editorText();
      return t.includes('return date.fromisoformat(text)') ? t : undefined;
    });
    await new Promise((r) => setTimeout(r, 500));
    assert.equal((await vs.editorText()).trimEnd(), `${original.trimEnd()}\ndef parse_date(text):\n    from datetime import date\n    return date.fromisoformat(text)`.trimEnd());
    assert.doesNotMatch(done, /```/);
    await vs.screenshot('generated-at-cursor');
    await vs.page.locator('.monaco-editor .view-lines').first().click();
    await vs.page.keyboard.press('Control+Z');
    await until('the insertion to be undone', async () => ((await vs.editorText()) === original ? true : undefined), 10_000);
  });
});
