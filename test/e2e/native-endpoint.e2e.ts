/**
 * Your own endpoint in VS Code's own Chat (code-server, offline, no account): its model in VS
 * Code's model picker, answering `@qwen`, and in agent mode a real tool run through the endpoint's
 * native tool calls (OpenAI `tools`, `tool_calls`, and the result back as a `tool` message).
 */
import assert from 'node:assert/strict';
import { promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type LocalEndpoint, startEndpoint } from '../fixtures/endpoint';
import { closedPort } from '../fixtures/proxy';
import { waitFor } from '../support/wait';
import { ensureInstalled, NativeChat, ROOT, VsCode } from './harness';

const APP = '# NATIVE_ENDPOINT_MARKER\ndef add(a, b):\n    return a + b\n';
const MODEL = 'Qwen/Qwen2.5-Coder-32B-Instruct';
/** How VS Code names Qwen's provider: the display name package.json contributes. */
const PROVIDER = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { contributes: { languageModelChatProviders: Array<{ displayName: string }> } }).contributes.languageModelChatProviders[0].displayName;

describe('your own endpoint in VS Code\'s own Chat', function () {
  this.timeout(240_000);
  let endpoint: LocalEndpoint;
  let vs: VsCode;

  before(async function () {
    this.timeout(900_000);
    const env = ensureInstalled();
    endpoint = await startEndpoint({ dialect: 'vllm', tokenDelayMs: 5, models: [MODEL], answer: (q) => `Endpoint answer: ${q.slice(0, 40)}` });
    const dead = `http://127.0.0.1:${await closedPort()}`;
    const home = await fs.mkdtemp(path.join(os.tmpdir(), 'qwen-native-home-'));
    const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'qwen-native-tmp-'));
    vs = new VsCode(env);
    await vs.start({
      settings: {
        'chat.disableAIFeatures': false,
        // Every Space is out of reach: only the endpoint answers.
        'qwenChat.spaceUrl': dead,
        'qwenChat.spaces': { 'qwen-2.5-max': dead, 'qwen-2-72b': dead, 'qwen-3-235b': dead, 'qwen-2.5-1m': dead },
        'qwenChat.model': `gpu/${MODEL}`,
        'qwenChat.endpoints': [{ name: 'gpu', preset: 'vllm', baseUrl: endpoint.url, models: [MODEL] }],
      },
      files: { 'src/app.py': APP },
      env: { HOME: home, TMPDIR: tmp, HTTP_PROXY: '', HTTPS_PROXY: '', http_proxy: '', https_proxy: '' },
    });
    chat = new NativeChat(vs);
  });

  after(async () => {
    await vs?.stop();
    await endpoint?.close();
  });

  afterEach(async function () {
    // A picker or menu left open would swallow the next command's keys.
    for (let i = 0; i < 2; i++) await vs.page.keyboard.press('Escape').catch(() => undefined);
    const name = (this.currentTest?.title ?? 'test').replace(/[^a-z0-9]+/gi, '-').toLowerCase();
    await vs.screenshot(`${this.currentTest?.state === 'failed' ? 'FAILED-' : ''}native-endpoint-${name}`).catch(() => undefined);
  });

  let chat: NativeChat;
  const chatText = () => chat.text();
  const picker = () => vs.page.locator('.interactive-input-part:visible [aria-label^="Models, "]').first();
  const closeDialogs = () => chat.closeDialogs();
  const ask = (text: string) => chat.ask(text);

  /** Picks the endpoint's model in VS Code's model picker, by its name, as a user would. */
  async function pickEndpointModel(): Promise<void> {
    await waitFor('a Qwen model in the picker', async () => /^Models, /.test((await picker().getAttribute('aria-label').catch(() => '')) ?? ''), { timeoutMs: 90_000, everyMs: 500 });
    // qwenChat.model names it, so the picker starts on it; otherwise the user picks it by its name.
    const selected = async () => ((await picker().getAttribute('aria-label')) ?? '').includes(MODEL);
    if (await waitFor('the chosen model in the picker', selected, { timeoutMs: 15_000, everyMs: 250 }).catch(() => false)) return;
    await chat.pickModel(MODEL);
    await vs.screenshot('native-endpoint-model-picker');
  }

  it('lists the endpoint\'s model in VS Code\'s picker, and @qwen answers from it, naming where it ran', async () => {
    // Without a Copilot account the picker lists other providers' models once Manage Models has run.
    await chat.manageModels(MODEL, 'native-endpoint-manage-models');
    await vs.command('Chat: New Chat Editor');
    await pickEndpointModel();
    const before = endpoint.requests.length;
    await ask('@qwen What is a closure?');
    await waitFor('the answer from the endpoint', async () => /Endpoint answer:[\s\S]*Answered by gpu\/Qwen\/Qwen2\.5-Coder-32B-Instruct \(vLLM.*127\.0\.0\.1/.test(await chatText()), { timeoutMs: 60_000, everyMs: 200 });
    assert.ok(endpoint.requests.slice(before).some((r) => r.path.endsWith('/chat/completions')));
  });

  it('Manage Models… in VS Code\'s Language Models editor opens Qwen\'s endpoint setup', async () => {
    await closeDialogs();
    await chat.openManageModels(MODEL);
    // With one provider the editor lists its models without a provider row (and so without the
    // row's gear): the model's context menu offers the provider's managementCommand.
    const row = vs.page.locator('.models-widget .monaco-list-row', { hasText: MODEL }).first();
    await row.click({ button: 'right' });
    const menu = vs.page.locator('.context-view .monaco-menu');
    const manage = menu.getByRole('menuitem', { name: `Manage ${PROVIDER}...` });
    await manage.waitFor({ state: 'visible', timeout: 15_000 }).catch(async (err: Error) => {
      await vs.screenshot('FAILED-native-manage-models-menu');
      throw new Error(`no Manage ${PROVIDER} in the model's menu; it offers: ${(await menu.getByRole('menuitem').allTextContents()).join(' | ')} (${err.message.split('\n')[0]})`);
    });
    await manage.click();
    const title = vs.page.locator('.quick-input-widget .quick-input-title', { hasText: 'Qwen: Add Model Endpoint (1/3): where is Qwen served?' });
    await title.waitFor({ state: 'visible', timeout: 15_000 });
    const presets = (await vs.page.locator('.quick-input-list .monaco-list-row .label-name').allTextContents()).join(' | ');
    assert.match(presets, /Hugging Face Inference Providers[\s\S]*OpenRouter[\s\S]*Ollama \(this machine\)/);
    await vs.screenshot('native-manage-models-endpoint-setup');
    // Escape leaves the setup without adding anything, and then Manage Models itself.
    await vs.page.keyboard.press('Escape');
    await title.waitFor({ state: 'hidden', timeout: 15_000 });
    await chat.closeManageModels();
    const settings = JSON.parse(await fs.readFile(path.join(vs.userDataDir, 'User/settings.json'), 'utf8')) as Record<string, unknown>;
    assert.deepEqual(settings['qwenChat.endpoints'], [{ name: 'gpu', preset: 'vllm', baseUrl: endpoint.url, models: [MODEL] }]);
  });

  it('in agent mode, the endpoint calls a real tool natively and gets its result back as a tool message', async () => {
    await closeDialogs();
    await vs.command('Chat: New Chat Editor');
    await pickEndpointModel();
    // The bundled Copilot Chat takes a moment to switch on: ask until a request with tools arrives.
    const n0 = endpoint.requests.length;
    const withTools = () => endpoint.requests.slice(n0).filter((r) => Array.isArray(r.body?.tools) && (r.body!.tools as unknown[]).length > 0);
    await waitFor('an agent request with native tools', async () => {
      if (withTools().length) return true;
      await ask('Hello plain chat');
      await waitFor('the request, or a sign-in offer', async () => withTools().length > 0 || (await vs.page.locator('.monaco-dialog-box').isVisible().catch(() => false)), { timeoutMs: 60_000, everyMs: 500 }).catch(() => undefined);
      return withTools().length > 0;
    }, { timeoutMs: 180_000, everyMs: 1_000 });
    const tools = (withTools()[0].body!.tools as Array<{ function: { name: string } }>).map((t) => t.function.name);
    const read = tools.find((t) => /read.?file/i.test(t));
    assert.ok(read, `a read-file tool among ${tools.join(', ')}`);
    // No `<tools>` text in the system prompt: the tools went as the OpenAI parameter.
    assert.ok(!JSON.stringify(withTools()[0].body!.messages).includes('<tools>'));
    await waitFor('the endpoint to be idle', async () => endpoint.completed + endpoint.cancelled >= endpoint.requests.filter((r) => r.path.endsWith('/chat/completions')).length, { timeoutMs: 60_000, everyMs: 250 });
    const n1 = endpoint.requests.length;
    // The fixture calls the tool the message names, with the quoted path.
    await ask(`Please use ${read} on "${path.join(vs.workspace, 'src/app.py')}"`);
    await waitFor('the tool result back at the endpoint as a tool message', async () =>
      endpoint.requests.slice(n1).some((r) => ((r.body?.messages as Array<{ role: string; content?: unknown; tool_call_id?: string }>) ?? []).some((m) => m.role === 'tool' && !!m.tool_call_id && /NATIVE_ENDPOINT_MARKER/.test(JSON.stringify(m.content)))),
      { timeoutMs: 90_000, everyMs: 250 },
    );
    await vs.screenshot('native-endpoint-tool-call');
  });
});
