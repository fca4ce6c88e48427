/**
 * Qwen in VS Code's own Chat (code-server, offline, no account): the models in the picker,
 * `@qwen` answering with the queue shown, a plain agent-mode message answered by the Qwen model
 * after "Manage Language Models", and a tool call that makes VS Code run a real tool whose
 * result reaches the next request to the Space. The recipe is in docs/native-chat.md.
 */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MODELS } from '../../src/provider/spaces';
import { LocalSpace } from '../fixtures/space';
import { waitFor } from '../support/wait';
import { ensureInstalled, VsCode } from './harness';

const APP = 'def add(a, b):\n    """Add two numbers: NATIVE_CHAT_MARKER."""\n    return a + b\n';

describe('Qwen in VS Code\'s own Chat', function () {
  this.timeout(240_000);
  let space: LocalSpace;
  let vs: VsCode;

  before(async function () {
    this.timeout(900_000);
    const env = ensureInstalled();
    space = new LocalSpace({ tokenDelayMs: 10 });
    await space.start();
    // The bundled Copilot Chat writes into HOME and TMPDIR: keep them private to this run.
    const home = await fs.mkdtemp(path.join(os.tmpdir(), 'qwen-native-home-'));
    const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'qwen-native-tmp-'));
    vs = new VsCode(env);
    await vs.start({
      // Whichever Qwen model the picker selects is served by the local Space.
      settings: { 'chat.disableAIFeatures': false, 'qwenChat.spaceUrl': space.url, 'qwenChat.hubUrl': space.url, 'qwenChat.spaces': Object.fromEntries(MODELS.map((m) => [m, space.url])) },
      files: { 'src/app.py': APP },
      env: { HOME: home, TMPDIR: tmp, HTTP_PROXY: '', HTTPS_PROXY: '', http_proxy: '', https_proxy: '' },
    });
  });

  after(async () => {
    await vs?.stop();
    await space?.stop();
  });

  afterEach(async function () {
    const name = (this.currentTest?.title ?? 'test').replace(/[^a-z0-9]+/gi, '-').toLowerCase();
    await vs.screenshot(`${this.currentTest?.state === 'failed' ? 'FAILED-' : ''}native-${name}`).catch(() => undefined);
    space.faults.length = 0;
    space.opts.tokenDelayMs = 10;
    space.opts.answer = undefined;
  });

  /** Everything the chat lists show (the view, and a chat opened in an editor). */
  const chatText = async () => (await vs.page.locator('.interactive-list').allTextContents()).join('\n');
  const input = () => vs.page.locator('.interactive-input-part:visible .monaco-editor').first();

  /** Closes a modal dialog VS Code may show (a sign-in offer), so the input can be reached. */
  async function closeDialogs(): Promise<void> {
    for (let i = 0; i < 3 && (await vs.page.locator('.monaco-dialog-box').isVisible().catch(() => false)); i++) {
      await vs.screenshot(`native-dialog-${Date.now()}`);
      await vs.page.keyboard.press('Escape');
    }
  }

  async function ask(text: string): Promise<void> {
    await closeDialogs();
    await input().click();
    await vs.page.keyboard.press('Control+A'); // the sticky "@qwen" goes too: the text says whom to ask
    await vs.page.keyboard.type(text);
    await vs.page.keyboard.press('Enter');
  }

  it('shows the Qwen models in the chat\'s model picker', async () => {
    await vs.command('Chat: Open Chat');
    const picker = vs.page.locator('.interactive-input-part [aria-label^="Models, "]').first();
    await waitFor('a Qwen model selected in the picker', async () => /^Models, Qwen /.test((await picker.getAttribute('aria-label').catch(() => '')) ?? ''), { timeoutMs: 90_000, everyMs: 500 });
    await vs.screenshot('native-chat-model-picker');
  });

  it('@qwen answers, streaming, with the queue position shown while it waits', async () => {
    space.faults.push({ kind: 'queue', ahead: 2, stepMs: 1500 });
    const joins = space.stats.joins.length;
    await ask('@qwen What is a closure?');
    await waitFor('the queue position', async () => /in queue/i.test(await chatText()), { timeoutMs: 30_000, everyMs: 100 });
    await waitFor('the answer', async () => /You asked: "What is a closure\?"[\s\S]*That is the whole answer\.[\s\S]*Answered by qwen-[\w.-]+ \(Qwen\/Qwen/.test(await chatText()), { timeoutMs: 60_000, everyMs: 200 });
    assert.equal(space.stats.joins.length, joins + 1);
    await vs.screenshot('native-chat-qwen-participant');
  });

  it('@qwen is stopped by Chat\'s Cancel, and the Space hears of it', async () => {
    space.opts.tokenDelayMs = 150;
    space.opts.answer = () => Array.from({ length: 200 }, (_, i) => `word${i}`).join(' ');
    const before = space.stats.cancels.length + space.stats.disconnects;
    await ask('@qwen Count for me');
    await waitFor('some streamed words', async () => /word5\b/.test(await chatText()), { timeoutMs: 30_000, everyMs: 100 });
    await vs.page.locator('.interactive-input-part [aria-label^="Cancel"], .interactive-input-part [aria-label^="Stop"]').first().click();
    await waitFor('the Space to hear of the cancel', async () => space.stats.cancels.length + space.stats.disconnects > before, { timeoutMs: 20_000 });
    assert.doesNotMatch(await chatText(), /word199/);
  });

  it('after Manage Language Models, a plain message is answered by the Qwen model, and a tool call runs a real tool', async () => {
    await vs.command('Chat: Manage Language Models');
    const manage = vs.page.locator('text=Language Models').first();
    await manage.waitFor({ timeout: 30_000 });
    await waitFor('the Qwen models in Manage Models', async () => (await vs.page.locator('text=Qwen 2.5-max').count()) > 0, { timeoutMs: 30_000, everyMs: 250 });
    await vs.screenshot('native-chat-manage-models');
    await waitFor('Manage Models to close', async () => {
      await vs.page.keyboard.press('Escape');
      return !(await vs.page.locator('text=Install Model Providers').isVisible().catch(() => false));
    }, { timeoutMs: 15_000, everyMs: 500 });
    await closeDialogs();
    // Once Copilot Chat is on, the palette offers the new chat as an editor (there is no plain "Chat: New Chat" then).
    await vs.command('Chat: New Chat Editor');
    // The Copilot Chat that code-server bundles takes a moment to switch on; ask until Qwen answers.
    const joins0 = space.stats.joins.length;
    // Asked again only when VS Code refused it (a sign-in offer), never while a request may be on its way.
    await waitFor('a plain message to reach the Space', async () => {
      if (space.stats.joins.length > joins0) return true;
      await ask('Hello plain chat');
      await waitFor('the request, or a sign-in offer', async () => space.stats.joins.length > joins0 || (await vs.page.locator('.monaco-dialog-box').isVisible().catch(() => false)), { timeoutMs: 60_000, everyMs: 500 }).catch(() => undefined);
      return space.stats.joins.length > joins0;
    }, { timeoutMs: 180_000, everyMs: 1_000 });
    await waitFor('the provider\'s text in the chat', async () => /You asked:/.test(await chatText()), { timeoutMs: 60_000, everyMs: 200 });
    // Copilot Chat also makes small requests of its own (a title); the agent's request carries the tools.
    const withTools = space.stats.joins.slice(joins0).map((j) => String(j.data[2])).filter((sys) => sys.includes('<tools>'));
    assert.ok(withTools.length > 0, `agent mode sends tools, described in Qwen's format (system prompts seen: ${space.stats.joins.slice(joins0).map((j) => String(j.data[2]).slice(0, 80)).join(' | ')})`);
    const system = withTools[withTools.length - 1];
    // Pick the workspace's read-file tool from what VS Code offered, and call it.
    const tools = [...system.matchAll(/^\{"type":"function","function":(\{.*\})\}$/gm)].map((m) => JSON.parse(m[1]) as { name: string; parameters?: { properties?: Record<string, { type?: string }>; required?: string[] } });
    const read = tools.find((t) => /read.?file/i.test(t.name) && t.parameters);
    assert.ok(read, `a read-file tool among ${tools.map((t) => t.name).join(', ')}`);
    const args: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(read.parameters?.properties ?? {})) {
      if (/path|file|uri/i.test(k)) args[k] = path.join(vs.workspace, 'src/app.py');
      else if (v.type === 'number' || v.type === 'integer') args[k] = /end/i.test(k) ? 20 : 1;
    }
    // Everything asked so far has been answered before the next question.
    await waitFor('the Space to be idle', async () => space.stats.completed + space.stats.cancels.length + space.stats.disconnects >= space.stats.joins.length, { timeoutMs: 60_000, everyMs: 250 });
    // The question about the file gets a tool call; once the tool's result is in the prompt, an answer.
    space.opts.answer = (q) =>
      /What is in src\/app\.py\?/.test(q) && !q.includes('<tool_response>') ? `Let me read it.\n<tool_call>\n${JSON.stringify({ name: read.name, arguments: args })}\n</tool_call>` : 'The file defines add().';
    const joins1 = space.stats.joins.length;
    await ask('What is in src/app.py?');
    await waitFor('the tool result in a request to the Space', async () => space.stats.joins.slice(joins1).some((j) => /<tool_response>[\s\S]*NATIVE_CHAT_MARKER[\s\S]*<\/tool_response>/.test(String(j.data[0]))), { timeoutMs: 90_000, everyMs: 250 });
    await vs.screenshot('native-chat-tool-call');
  });
});
