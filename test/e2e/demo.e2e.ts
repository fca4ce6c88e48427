/**
 * The offline demo as a newcomer meets it: `npm start -- --local`, started the way the README
 * says (with --no-open, so the test drives the printed address in Chromium), and the features
 * the README promises there: fallback from a busy Space to the next model, named; Check Models
 * all green with each Space's stage from the local Hub; a Qwen model in VS Code's own Chat
 * picker answering itself; Explain Selection on the sample project's TypeScript file.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Frame } from 'playwright-core';
import { waitFor } from '../support/wait';
import { ensureInstalled, freePort, ROOT, VsCode } from './harness';

const until = <T>(what: string, fn: () => Promise<T | undefined | false>, ms = 60_000): Promise<T> => waitFor(what, fn, { timeoutMs: ms, everyMs: 200 });

describe('the offline demo (npm start -- --local)', function () {
  this.timeout(240_000);
  let demo: ChildProcess;
  let printed = '';
  let vs: VsCode;
  let controls = '';
  let chat: Frame;

  before(async function () {
    this.timeout(900_000); // npm start builds and packages first; the first run installs code-server
    const env = ensureInstalled();
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'qwen-demo-e2e-'));
    // The bundled Copilot Chat writes into HOME and TMPDIR: keep them private to this run.
    const home = path.join(dataDir, 'home');
    await fs.mkdir(home);
    const port = await freePort();
    demo = spawn('npm', ['start', '--', '--local', '--no-open', '--port', String(port), '--space-port', '0', '--data-dir', dataDir], {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, HOME: home, npm_config_cache: path.join(os.homedir(), '.npm'), HTTP_PROXY: '', HTTPS_PROXY: '', http_proxy: '', https_proxy: '' },
    });
    demo.stdout!.on('data', (d: Buffer) => (printed += d.toString()));
    demo.stderr!.on('data', (d: Buffer) => (printed += d.toString()));
    // npm start exiting ends the wait at once, with what it printed.
    const got = await until('npm start to print the address', async () => (demo.exitCode !== null ? { exited: demo.exitCode } : /^VS Code with Qwen Chat: (http\S+)$/m.exec(printed)?.[1]), 600_000);
    if (typeof got !== 'string') throw new Error(`npm start exited with ${got.exited}:\n${printed}`);
    const address = got;
    controls = /Hub and fault controls on (http\S+)/.exec(printed)![1];
    const folder = /^The folder: (.+)$/m.exec(printed)![1];
    assert.equal(folder, path.join(dataDir, 'sample-project'), 'the sample project, copied out of the repository');
    assert.match(printed, /Starting the local Spaces/, 'it says what it is doing');
    vs = new VsCode(env);
    vs.url = new URL(address).origin;
    vs.workspace = folder;
    vs.userDataDir = path.join(dataDir, 'user-data');
    await vs.startBrowser();
    await vs.open();
  });

  after(async () => {
    await vs?.stop(); // the browser: the server is npm start's to stop
    if (demo?.pid && demo.exitCode === null) {
      const exited = new Promise((r) => demo.once('exit', r));
      process.kill(-demo.pid, 'SIGINT'); // Ctrl+C, as the README says
      await Promise.race([exited, waitFor('npm start to stop', () => demo.exitCode !== null, { timeoutMs: 15_000 }).catch(() => undefined)]);
      try {
        process.kill(-demo.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  });

  afterEach(async function () {
    const name = (this.currentTest?.title ?? 'test').replace(/[^a-z0-9]+/gi, '-').toLowerCase();
    await vs.screenshot(`${this.currentTest?.state === 'failed' ? 'FAILED-' : ''}demo-${name}`).catch(() => undefined);
    await fetch(`${controls}/demo/reset`, { method: 'POST' }).catch(() => undefined);
  });

  const answerIds = () => chat.$$eval('.turn.assistant', (els) => els.map((e) => (e as HTMLElement).dataset.turnId ?? ''));
  /** The answer turn `action` starts, once it has finished. */
  async function newAnswer(action: () => Promise<void>): Promise<string> {
    const before = new Set(await answerIds());
    await action();
    const id = await until('the new answer', async () => [...(await answerIds())].reverse().find((x) => !before.has(x)));
    const turn = `.turn[data-turn-id="${id}"]`;
    await chat.waitForSelector(`${turn}:not(.streaming) [data-testid="copy-answer"]`, { timeout: 90_000 });
    return turn;
  }

  it('falls back from a busy Space to the next model, and says which and why', async () => {
    const res = await fetch(`${controls}/demo/busy?model=qwen-2.5`, { method: 'POST' });
    assert.equal(res.status, 200, 'the README\'s fault command');
    chat = await vs.openChat();
    await chat.selectOption('[data-testid="model-picker"]', 'qwen-2.5');
    const turn = await newAnswer(async () => {
      await chat.fill('[data-testid="chat-input"]', 'How do I reverse a string in Python?');
      await chat.press('[data-testid="chat-input"]', 'Enter');
    });
    assert.equal(await chat.textContent(`${turn} [data-testid="answer-model"]`), 'Qwen · qwen-2.5-max');
    assert.match((await chat.textContent(`${turn} [data-testid="fallback-note"]`)) ?? '', /Qwen2\.5 is busy \(its queue is full\); answered by qwen-2\.5-max/);
    const body = (await chat.textContent(`${turn} .turn-body`)) ?? '';
    assert.match(body, /reverse/, 'an answer to the question');
    assert.doesNotMatch(body, /You asked/, 'not an echo of the prompt');
    assert.ok(await chat.$(`${turn} .turn-body pre code`), 'with a code block');
  });

  it('Check Models shows every Space and the local endpoint green, each Space with its stage from the local Hub', async () => {
    await vs.command('Qwen: Check Models');
    await vs.page.locator('.quick-input-widget .quick-input-title', { hasText: 'Qwen models right now' }).waitFor({ timeout: 90_000 });
    const rows = vs.page.locator('.quick-input-list .monaco-list-row');
    await until('five Spaces and the endpoint\'s two models', async () => (await rows.count()) === 7);
    const texts = await rows.allTextContents();
    for (const t of texts.filter((x) => !x.includes('local/'))) assert.match(t, /· running[\s\S]*answered in \d+ ms/, t);
    for (const t of texts.filter((x) => x.includes('local/'))) assert.match(t, /serving 2 models[\s\S]*answered in \d+ ms/, t);
    assert.equal(await vs.page.locator('.quick-input-list .monaco-list-row .codicon-check').count(), 7, 'seven green checks');
    assert.equal(await vs.page.locator('.quick-input-list .monaco-list-row .codicon-error').count(), 0);
    await vs.screenshot('demo-check-spaces');
    await vs.page.keyboard.press('Escape');
  });

  it('VS Code\'s Chat is on, and the Qwen model its picker selects answers itself', async () => {
    await vs.command('Chat: Open Chat');
    const picker = vs.page.locator('.interactive-input-part [aria-label^="Models, "]').first();
    const label = await until('a Qwen model selected in the picker', async () => {
      const l = (await picker.getAttribute('aria-label').catch(() => '')) ?? '';
      return /^Models, Qwen /.test(l) && l;
    }, 90_000);
    const model = `qwen-${/^Models, Qwen ([\w.-]+)/.exec(label)![1]}`;
    const chatText = async () => (await vs.page.locator('.interactive-list').allTextContents()).join('\n');
    await vs.page.locator('.interactive-input-part:visible .monaco-editor').first().click();
    await vs.page.keyboard.type('@qwen How do I read a file in TypeScript?');
    await vs.page.keyboard.press('Enter');
    const text = await until('the answer', async () => {
      const t = await chatText();
      return /Answered by qwen-/.test(t) && t;
    }, 90_000);
    assert.match(text, new RegExp(`Answered by ${model.replace(/[.]/g, '\\.')} \\(Qwen/`), `the picker's ${model} answers, not a fallback`);
    assert.match(text, /readFile/, 'TypeScript code, as asked');
    assert.doesNotMatch(text, /answers\.\s*$|is busy|could not be reached/m);
    await vs.screenshot('demo-native-chat');
  });

  it('Qwen: Demo Faults… puts the next question in a queue, and the chat counts it down', async () => {
    await vs.command('Qwen: Demo Faults…');
    await vs.pick('queue', 'Busy with a queue');
    await vs.pick('qwen-2.5', 'qwen-2.5');
    await vs.page.locator('.notification-toast', { hasText: 'Qwen demo: Busy with a queue: Qwen/Qwen2.5 (qwen-2.5).' }).waitFor({ timeout: 20_000 });
    chat = await vs.openChat();
    await chat.selectOption('[data-testid="model-picker"]', 'qwen-2.5');
    let sawQueue = false;
    const turn = await newAnswer(async () => {
      await chat.fill('[data-testid="chat-input"]', 'Write a fibonacci function in TypeScript');
      await chat.press('[data-testid="chat-input"]', 'Enter');
      await until('the queue position', async () => (sawQueue = /in queue/i.test((await chat.textContent('[data-testid="messages"]')) ?? '')));
    });
    assert.ok(sawQueue);
    assert.equal(await chat.textContent(`${turn} [data-testid="answer-model"]`), 'Qwen · qwen-2.5', 'the wait ends in its own answer');
    assert.match((await chat.textContent(`${turn} .turn-body`)) ?? '', /function fibonacci\(n: number\)/);
  });

  it('explains a selection in the sample project', async () => {
    await vs.openFile('cart.ts');
    await vs.page.locator('.monaco-editor .view-lines').first().click();
    await vs.page.keyboard.press('Control+A');
    chat = await vs.openChat();
    const turn = await newAnswer(async () => {
      await vs.page.locator('.monaco-editor .view-lines').first().click();
      await vs.page.keyboard.press('Control+A');
      await vs.command('Qwen: Explain Selection');
    });
    const body = (await chat.textContent(`${turn} .turn-body`)) ?? '';
    assert.match(body, /What src\/cart\.ts does/);
    assert.match(body, /totalPrice[\s\S]*cheapest/, 'it names the file\'s functions');
    await vs.screenshot('demo-explain');
  });
});
