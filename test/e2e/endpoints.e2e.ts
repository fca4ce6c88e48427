/**
 * Your own endpoint, in a real VS Code (code-server): added through Qwen: Add Model Endpoint…,
 * picked in the sidebar, answering with its reasoning folded, and answering when the Space is
 * dead, labelled. And a trusted workspace whose settings point a model at a local server: that
 * server never sees the user's Hugging Face token.
 */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Frame } from 'playwright-core';
import { type LocalEndpoint, startEndpoint } from '../fixtures/endpoint';
import { closedPort } from '../fixtures/proxy';
import { LocalSpace } from '../fixtures/space';
import { waitFor } from '../support/wait';
import { ensureInstalled, VsCode } from './harness';

const until = <T>(what: string, fn: () => Promise<T | undefined | false>, ms = 30_000): Promise<T> => waitFor(what, fn, { timeoutMs: ms, everyMs: 100 });

describe('your own endpoint in a real VS Code', function () {
  this.timeout(180_000);
  let hub: LocalSpace;
  let endpoint: LocalEndpoint;
  let vs: VsCode;
  let chat: Frame;

  before(async function () {
    this.timeout(900_000);
    const env = ensureInstalled();
    // Every Space is dead; a local Space serves only as the Hub (which says they run).
    hub = new LocalSpace({ tokenDelayMs: 5 });
    await hub.start();
    endpoint = await startEndpoint({ dialect: 'vllm', tokenDelayMs: 5, models: ['Qwen/Qwen3-8B', 'Qwen/Qwen2.5-Coder-7B-Instruct'], answer: (q) => `Endpoint here. You said: ${q}` });
    const dead = `http://127.0.0.1:${await closedPort()}`;
    vs = new VsCode(env);
    await vs.start({
      settings: {
        'qwenChat.spaceUrl': dead,
        'qwenChat.spaces': { 'qwen-2.5-max': dead, 'qwen-2-72b': dead, 'qwen-3-235b': dead, 'qwen-2.5-1m': dead },
        'qwenChat.hubUrl': hub.url,
      },
      env: { HTTP_PROXY: '', HTTPS_PROXY: '', http_proxy: '', https_proxy: '' },
    });
  });

  after(async () => {
    await vs?.stop();
    await hub?.stop();
    await endpoint?.close();
  });

  afterEach(async function () {
    const name = (this.currentTest?.title ?? 'test').replace(/[^a-z0-9]+/gi, '-').toLowerCase();
    await vs.screenshot(`${this.currentTest?.state === 'failed' ? 'FAILED-' : ''}endpoint-${name}`).catch(() => undefined);
  });

  const answers = () => chat.$$eval('.turn.assistant', (els) => els.map((e) => (e as HTMLElement).dataset.turnId ?? ''));

  async function send(text: string): Promise<string> {
    const before = new Set(await answers());
    await chat.fill('[data-testid="chat-input"]', text);
    await chat.press('[data-testid="chat-input"]', 'Enter');
    const id = await until('the new answer', async () => [...(await answers())].reverse().find((x) => !before.has(x)));
    const sel = `.turn[data-turn-id="${id}"]`;
    await chat.waitForSelector(`${sel}:not(.streaming) [data-testid="copy-answer"]`, { timeout: 90_000 });
    return sel;
  }

  it('adds a local OpenAI-compatible server through Qwen: Add Model Endpoint…, which lists its models at once', async () => {
    await vs.command('Qwen: Add Model Endpoint…');
    await vs.pick('Other', 'Other OpenAI-compatible server…');
    const url = vs.page.locator('.quick-input-widget input');
    await vs.page.locator('.quick-input-widget .quick-input-title', { hasText: 'OpenAI-compatible server' }).waitFor({ timeout: 15_000 });
    await url.fill(endpoint.url);
    await url.press('Enter');
    // The key, optional here: a password box, left empty.
    const key = vs.page.locator('.quick-input-widget input[type="password"]');
    await key.waitFor({ state: 'visible', timeout: 15_000 });
    await key.press('Enter');
    // The models it serves, Qwen's picked already.
    await vs.page.locator('.quick-input-widget .quick-input-title', { hasText: /2 models at/ }).waitFor({ timeout: 30_000 });
    const rows = (await vs.page.locator('.quick-input-list .monaco-list-row').allTextContents()).join('\n');
    assert.match(rows, /Qwen\/Qwen3-8B[\s\S]*Qwen\/Qwen2\.5-Coder-7B-Instruct/);
    await vs.screenshot('endpoint-setup-models');
    await vs.page.locator('.quick-input-widget input').press('Enter');
    await vs.page.locator('.notification-toast', { hasText: /added other with 2 models/ }).waitFor({ timeout: 15_000 });
    assert.ok(endpoint.requests.some((r) => r.path.endsWith('/models')), 'it asked the server for its models');
    const settings = JSON.parse(await fs.readFile(path.join(vs.userDataDir, 'User/settings.json'), 'utf8')) as Record<string, unknown>;
    assert.deepEqual(settings['qwenChat.endpoints'], [{ name: 'other', baseUrl: endpoint.url, models: ['Qwen/Qwen3-8B', 'Qwen/Qwen2.5-Coder-7B-Instruct'] }]);
  });

  it('offers the endpoint\'s models in the sidebar\'s picker, and answers from one with its reasoning folded', async () => {
    chat = await vs.openChat();
    await until('the endpoint models in the picker', async () => ((await chat.$$eval('[data-testid="model-picker"] option', (o) => o.map((x) => (x as HTMLOptionElement).value))).includes('other/Qwen/Qwen3-8B') ? true : undefined));
    await chat.selectOption('[data-testid="model-picker"]', 'other/Qwen/Qwen3-8B');
    await chat.waitForSelector('[data-testid="model-picker"][data-current="other/Qwen/Qwen3-8B"]', { timeout: 10_000 });
    const turn = await send('What is a closure?');
    assert.equal((await chat.textContent(`${turn} .turn-body`))?.trim(), 'Endpoint here. You said: What is a closure?');
    // The reasoning is there, folded, and not in the answer.
    assert.equal(await chat.$eval(`${turn} [data-testid="reasoning"]`, (d) => (d as HTMLDetailsElement).hidden || (d as HTMLDetailsElement).open), false);
    assert.match((await chat.textContent(`${turn} [data-testid="reasoning"]`)) ?? '', /The user wrote "What is a closure\?"/);
    assert.match((await chat.textContent(`${turn} .turn-head`)) ?? '', /other\/Qwen\/Qwen3-8B/);
    await vs.screenshot('endpoint-answer');
  });

  it('falls back from a dead Space to the endpoint, and says so on the answer', async () => {
    await chat.selectOption('[data-testid="model-picker"]', 'qwen-2.5');
    await chat.waitForSelector('[data-testid="model-picker"][data-current="qwen-2.5"]', { timeout: 10_000 });
    const turn = await send('Are you there?');
    assert.equal((await chat.textContent(`${turn} .turn-body`))?.trim(), 'Endpoint here. You said: Are you there?');
    assert.match((await chat.textContent(`${turn} [data-testid="fallback-note"]`)) ?? '', /Qwen2\.5 could not be reached/);
    assert.match((await chat.textContent(`${turn} .turn-head`)) ?? '', /other\/Qwen\/Qwen3-8B/);
  });
});

describe('a trusted workspace cannot send the Hugging Face token elsewhere', function () {
  this.timeout(180_000);
  let space: LocalSpace;
  let vs: VsCode;

  before(async function () {
    this.timeout(900_000);
    const env = ensureInstalled();
    space = new LocalSpace({ tokenDelayMs: 5 });
    await space.start();
    vs = new VsCode(env);
    await vs.start({
      // The workspace's own settings point the model at a server of its choosing (trusted: no Restricted Mode).
      files: { '.vscode/settings.json': JSON.stringify({ 'qwenChat.spaceUrl': space.url, 'qwenChat.hubUrl': space.url, 'qwenChat.fallback': false }) },
      env: { HTTP_PROXY: '', HTTPS_PROXY: '', http_proxy: '', https_proxy: '' },
    });
  });

  after(async () => {
    await vs?.stop();
    await space?.stop();
  });

  it('the server named by the workspace gets the question, never the token', async () => {
    const token = 'hf_WorkspaceMustNotSeeThis123';
    await vs.command('Qwen: Set Hugging Face Token');
    const box = vs.page.locator('.quick-input-widget input[type="password"]');
    await box.waitFor({ state: 'visible', timeout: 15_000 });
    await box.fill(token);
    await box.press('Enter');
    await vs.page.locator('.notification-toast', { hasText: 'Hugging Face token saved' }).waitFor({ timeout: 10_000 });
    const chat = await vs.openChat();
    await chat.fill('[data-testid="chat-input"]', 'Hello from a trusted workspace');
    await chat.press('[data-testid="chat-input"]', 'Enter');
    await until('the question at the workspace\'s server', async () => (space.stats.joins.length > 0 ? true : undefined), 60_000);
    await chat.waitForSelector('.turn.assistant:not(.streaming) [data-testid="copy-answer"]', { timeout: 60_000 });
    assert.ok(space.stats.joins.every((j) => j.authorization === undefined), 'no join carried the token');
    assert.ok(!(await vs.extensionLogs()).includes(token), 'nor did the log');
    await vs.screenshot('workspace-token-kept');
  });
});
