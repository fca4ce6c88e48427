/**
 * Qwen Chat in Restricted Mode: Workspace Trust on and the folder not trusted, as for a user who
 * cloned something and said No. The extension declares limited support, so it runs; the
 * workspace's own settings cannot send prompts elsewhere; and a link in an answer still opens
 * once, after VS Code's one confirmation, with no tab opened by the webview itself.
 */
import assert from 'node:assert/strict';
import type { Frame } from 'playwright-core';
import { LocalSpace } from '../fixtures/space';
import { waitFor } from '../support/wait';
import { ensureInstalled, VsCode } from './harness';

const until = <T>(what: string, fn: () => Promise<T | undefined | false>, ms = 30_000): Promise<T> => waitFor(what, fn, { timeoutMs: ms, everyMs: 100 });

describe('Qwen Chat in an untrusted workspace (Restricted Mode)', function () {
  this.timeout(180_000);
  let space: LocalSpace;
  /** The Space a hostile workspace's .vscode/settings.json points at. */
  let elsewhere: LocalSpace;
  let vs: VsCode;
  let chat: Frame;

  before(async function () {
    this.timeout(900_000);
    const env = ensureInstalled();
    space = new LocalSpace({ tokenDelayMs: 5 });
    elsewhere = new LocalSpace({ tokenDelayMs: 5, answer: () => 'answered by the workspace\'s Space' });
    await Promise.all([space.start(), elsewhere.start()]);
    vs = new VsCode(env);
    await vs.start({
      untrusted: true,
      // User settings: these apply in Restricted Mode too.
      settings: { 'qwenChat.spaceUrl': space.url, 'qwenChat.fallback': false, 'qwenChat.hubUrl': space.url },
      // Workspace settings: restricted ones must be ignored until the folder is trusted.
      files: { '.vscode/settings.json': JSON.stringify({ 'qwenChat.spaceUrl': elsewhere.url, 'qwenChat.spaces': { 'qwen-2.5': elsewhere.url } }) },
      env: { HTTP_PROXY: '', HTTPS_PROXY: '', http_proxy: '', https_proxy: '' },
    });
  });

  after(async () => {
    await vs?.stop();
    await space?.stop();
    await elsewhere?.stop();
  });

  afterEach(async function () {
    const name = `untrusted-${(this.currentTest?.title ?? 'test').replace(/[^a-z0-9]+/gi, '-').toLowerCase()}`;
    await vs.screenshot(`${this.currentTest?.state === 'failed' ? 'FAILED-' : ''}${name}`).catch(() => undefined);
  });

  it('runs in Restricted Mode and ignores the workspace\'s Space URLs', async () => {
    await vs.page.locator('.statusbar [aria-label*="Restricted Mode"]').first().waitFor({ timeout: 30_000 });
    await until('the extension to log its activation', async () => /activated \(workspace in Restricted Mode\)/.test(await vs.extensionLogs()));
    chat = await vs.openChat();
    await chat.fill('[data-testid="chat-input"]', 'Hello?');
    await chat.press('[data-testid="chat-input"]', 'Enter');
    await chat.waitForSelector('.turn.assistant:not(.streaming) [data-testid="copy-answer"]', { timeout: 60_000 });
    assert.equal(space.stats.joins.length, 1, 'the user\'s Space answered');
    assert.equal(elsewhere.stats.joins.length, 0, 'the workspace\'s Space was never asked');
    assert.doesNotMatch((await chat.textContent('.turn.assistant .turn-body')) ?? '', /workspace's Space/);
  });

  it('opens a link in an answer once, after one confirmation that names the site', async () => {
    const url = 'https://docs.example.com/untrusted?x=1';
    space.opts.answer = () => `Read [the guide](${url}), or write to [us](mailto:team@example.com).`;
    const answers = chat.locator('.turn.assistant');
    const count = await answers.count();
    await chat.fill('[data-testid="chat-input"]', 'Where are the docs?');
    await chat.press('[data-testid="chat-input"]', 'Enter');
    await until('the new answer', async () => (await answers.count()) === count + 1);
    const last = answers.last();
    await last.locator('[data-testid="copy-answer"]').waitFor({ timeout: 60_000 });
    const links = last.locator('a.md-link');
    assert.equal(await links.count(), 2);

    const pages = () => vs.page.context().pages().length;
    const opens = async () => ((await vs.extensionLogs()).match(/openExternal /g) ?? []).length;
    const before = pages();
    const opened = await opens();
    await links.first().click();
    const dialog = vs.page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: 15_000 });
    assert.match((await dialog.textContent()) ?? '', /docs\.example\.com/, 'the confirmation names the site');
    assert.equal(pages(), before, 'nothing opened before the user agreed');
    await vs.screenshot('untrusted-link-confirmation');
    await dialog.locator('.monaco-button', { hasText: /^Open$/ }).click();
    await until('one new tab', async () => pages() === before + 1);
    await until('the host to log one open', async () => (await opens()) === opened + 1, 10_000);
    for (const p of vs.page.context().pages()) if (p !== vs.page) await p.close();

    // mailto: the same one path through the host (VS Code opens mail links without a prompt).
    await links.nth(1).click();
    await until('the host to log the mail link', async () => (await opens()) === opened + 2, 10_000);
    assert.match(await vs.extensionLogs(), /openExternal mailto:team@example\.com/);
    // A round trip through the view: still exactly two opens, and no tab from the webview itself.
    await chat.fill('[data-testid="chat-input"]', 'x');
    await chat.fill('[data-testid="chat-input"]', '');
    assert.equal(await opens(), opened + 2, 'each link opened exactly once');
    assert.equal(pages(), before, 'the webview opened no tab of its own');
  });
});
