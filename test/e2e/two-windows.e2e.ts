/**
 * Two VS Code windows, one history: two code-server tabs on two folders share the extension's
 * global storage, each with its own extension host, as two desktop windows do. What one window
 * saves shows in the other's History without a reload, and a conversation continued in one
 * window comes into the other where it is open, which says so.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Frame } from 'playwright-core';
import { LocalSpace, scriptedAnswer } from '../fixtures/space';
import { waitFor } from '../support/wait';
import { ensureInstalled, secondWindow, VsCode } from './harness';

/** How the local Space's answer to the first message reads in the view. */
const ANSWER = new RegExp(`^${scriptedAnswer('Hello from the first window').split('\n')[0].replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`);

const until = <T>(what: string, fn: () => Promise<T | undefined | false>, ms = 30_000): Promise<T> => waitFor(what, fn, { timeoutMs: ms, everyMs: 100 });

describe('two VS Code windows share one history', function () {
  this.timeout(180_000);
  let space: LocalSpace;
  let one: VsCode;
  let two: VsCode;

  before(async function () {
    this.timeout(900_000);
    const env = ensureInstalled();
    space = new LocalSpace({ tokenDelayMs: 5 });
    await space.start();
    one = new VsCode(env);
    await one.start({
      settings: { 'qwenChat.spaceUrl': space.url, 'qwenChat.hubUrl': space.url },
      files: { 'one.py': 'print("first window")\n' },
      env: { HTTP_PROXY: '', HTTPS_PROXY: '', http_proxy: '', https_proxy: '' },
    });
    two = await secondWindow(one, env, path.join(path.dirname(one.workspace), 'workspace-two'));
  });

  after(async () => {
    await two?.stop();
    await one?.stop();
    await space?.stop();
  });

  afterEach(async function () {
    const name = (this.currentTest?.title ?? 'test').replace(/[^a-z0-9]+/gi, '-').toLowerCase();
    const failed = this.currentTest?.state === 'failed' ? 'FAILED-' : '';
    await one.screenshot(`${failed}${name}-window-1`).catch(() => undefined);
    await two.screenshot(`${failed}${name}-window-2`).catch(() => undefined);
  });

  const titles = (chat: Frame) => chat.$$eval('#history-list > .history-item .history-open', (els) => els.map((e) => e.textContent ?? ''));
  const texts = (chat: Frame) => chat.$$eval('.turn .turn-body', (els) => els.map((e) => (e.textContent ?? '').trim()));

  async function send(chat: Frame, text: string): Promise<void> {
    const before = (await chat.$$('.turn.assistant')).length;
    await chat.fill('[data-testid="chat-input"]', text);
    await chat.press('[data-testid="chat-input"]', 'Enter');
    await until('the answer to end', async () => {
      const answers = await chat.$$('.turn.assistant');
      return answers.length > before && !(await chat.$('.turn.assistant.streaming')) && (await chat.$$('.turn.assistant [data-testid="copy-answer"]')).length > before;
    }, 60_000);
  }

  it('a conversation made in one window appears in the other\'s History without a reload, and its continuation comes back', async () => {
    assert.notEqual(one.workspace, two.workspace, 'two windows on two folders');
    const chat2 = await two.openChat();
    await chat2.click('[data-testid="toggle-history"]');
    await chat2.waitForSelector('#history-list .note'); // "No past conversations yet."
    const chat1 = await one.openChat();
    await send(chat1, 'Hello from the first window');

    // Window two: no reload, its History panel still open.
    await until('the first window\'s conversation in the second\'s History', async () => (await titles(chat2)).includes('Hello from the first window'));
    await chat2.click('#history-list > .history-item [data-testid="open-conversation"]');
    await until('it opened in window two', async () => (await texts(chat2))[0] === 'Hello from the first window');
    assert.match((await texts(chat2))[1], ANSWER, 'with its answer');

    // Continued in window two, while window one still has it open.
    await send(chat2, 'And this from the second window');
    // (The local Space answers the whole prompt, which starts with the first message.)
    const ANSWER2 = /That is the whole answer\.$/;
    await until('window one shows the second window\'s turns, its answer ended', async () => {
      const t = await texts(chat1);
      return t.length === 4 && ANSWER2.test(t[3]) && !(await chat1.$('.turn.assistant.streaming'));
    });
    const [q, a, q2] = await texts(chat1);
    assert.deepEqual([q, q2], ['Hello from the first window', 'And this from the second window']);
    assert.match(a, ANSWER);
    const notices = () => chat1.$$eval('[data-testid="status"]', (els) => els.map((e) => e.textContent ?? '').filter(Boolean));
    await until('window one says where the turns came from', async () => (await notices()).join('|') === 'Updated from another window');
  });
});
