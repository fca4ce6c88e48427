/**
 * The offline demo (`npm start -- --local`): every model answers from a local Space of its own
 * layout, like a model and not like a test fixture, its Hub reports real stages, and the fault
 * controls do what the README's table says.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ChatMessage } from '../../src/provider/prompt';
import { clearEndpointCache } from '../../src/provider/qwen';
import { QwenSpaces } from '../../src/provider/router';
import { MODELS, type SpacesOptions } from '../../src/provider/spaces';
import type { ProviderEvent } from '../../src/provider/types';
import { demoAnswer, lastUserMessage } from '../fixtures/demo-answer';
import { DemoSpaces } from '../fixtures/demo-spaces';

async function run(model: string, messages: ChatMessage[], o: SpacesOptions) {
  const events: ProviderEvent[] = [];
  for await (const e of QwenSpaces.stream(model, messages, o)) events.push(e);
  const done = events.find((e) => e.type === 'done') as { text: string } | undefined;
  const m = events.find((e) => e.type === 'model') as { model: string; fallbackReason?: string } | undefined;
  const reasoning = (events.filter((e) => e.type === 'reasoning').pop() as { text: string } | undefined)?.text ?? '';
  return { events, text: done?.text ?? '', model: m?.model, reason: m?.fallbackReason, reasoning };
}

const user = (content: string): ChatMessage => ({ role: 'user', content });

describe('the offline demo\'s answers', () => {
  it('answer the last user message of a folded conversation, not the whole prompt', () => {
    const folded = 'User: Give me 5 words\nAssistant: word1 word2 word3 word4 word5\nUser: How do I reverse a string in Rust?\nAssistant:';
    assert.equal(lastUserMessage(folded), 'How do I reverse a string in Rust?');
    const a = demoAnswer(folded);
    assert.match(a, /```rust\n/);
    assert.doesNotMatch(a, /word1|User:|You asked/, 'an earlier "N words" request does not leak into this answer');
  });

  it('write code in the language asked for, with Markdown around it, the same each time for the same question', () => {
    for (const [q, lang] of [['Show me fibonacci in Python', 'python'], ['A closure in TypeScript, please', 'typescript'], ['hello world in Go', 'go']] as const) {
      const a = demoAnswer(q);
      assert.match(a, new RegExp('```' + lang + '\\n[\\s\\S]+\\n```'), q);
      assert.match(a, /\*\*|^#+ |^\d\. |^- |^> |\|/m, `${q}: Markdown beyond the code`);
      assert.equal(demoAnswer(q), a, 'deterministic');
    }
    const answers = new Set(['What is a monad?', 'How do I sort a list?', 'Explain recursion', 'What is a closure?', 'How do I read a file?'].map((q) => demoAnswer(q).split('\n')[0]));
    assert.ok(answers.size >= 3, `varied openings: ${[...answers].join(' | ')}`);
  });

  it('answer "N words" with N words, and only that answer', () => {
    assert.equal(demoAnswer('Write 12 words').split(' ').length, 12);
    assert.doesNotMatch(demoAnswer('User: Write 12 words\nAssistant: word1\nUser: What is a closure?\nAssistant:'), /word\d/);
  });

  it('explain the selection Explain Selection sends, naming its functions', () => {
    const a = demoAnswer('Explain this typescript code from `src/cart.ts`:\n\n```typescript\nexport function totalPrice(items: Item[], discount = 0): number {\n  return 0;\n}\n```');
    assert.match(a, /### What `src\/cart\.ts` does/);
    assert.match(a, /`totalPrice`/);
    assert.doesNotMatch(a, /```/, 'an explanation, not code');
  });

  it('give Generate at Cursor one fenced block in the file\'s language, and Check Spaces its one word', () => {
    const a = demoAnswer('File: `tools/stats.py` (python)\n\nWrite the python code to insert at the cursor. Instruction: a function for the mode');
    assert.match(a, /^```python\n# a function for the mode\n[\s\S]+\n```$/);
    assert.equal(demoAnswer('Reply with the single word: ok'), 'ok');
  });
});

describe('the offline demo\'s Spaces', function () {
  let demo: DemoSpaces;
  let o: SpacesOptions;
  before(async () => {
    demo = new DemoSpaces({ tokenDelayMs: 0 });
    await demo.start();
    const s = demo.settings();
    o = { spaces: { ...(s['qwenChat.spaces'] as Record<string, string>), 'qwen-2.5': s['qwenChat.spaceUrl'] as string }, hubUrl: demo.url, wakeTimeoutMs: 20_000 };
  });
  after(async () => {
    clearEndpointCache();
    await demo.stop();
  });
  afterEach(() => void demo.apply('reset'));

  it('answer every model directly, each from the local Space of its own layout', async () => {
    for (const model of MODELS) {
      const r = await run(model, [user('How do I reverse a string in Python?')], o);
      assert.equal(r.model, model, `${model} answers itself`);
      assert.equal(r.reason, undefined, `${model}: no fallback`);
      assert.match(r.text, /```python\n/, model);
    }
    const qwen3 = await run('qwen-3-32b', [user('What is a closure in TypeScript?')], o);
    assert.match(qwen3.reasoning, /The user asks: "a closure in TypeScript"/, 'Qwen3 reasons, folded apart from the answer');
    for (const [id, s] of demo.spaces) assert.ok(s.stats.completed > 0, `${id} served`);
  });

  it('report every Space as running through their Hub, asleep while one sleeps, paused when told', async () => {
    const stage = async (id: string) => ((await (await fetch(`${demo.url}/api/spaces/${id}`)).json()) as { runtime: { stage: string } }).runtime.stage;
    for (const id of demo.spaces.keys()) assert.equal(await stage(id), 'RUNNING', id);
    await fetch(`${demo.url}/demo/asleep?model=qwen-2.5-max`, { method: 'POST' });
    assert.equal(await stage('Qwen/Qwen2.5-Max-Demo'), 'SLEEPING');
    await fetch(`${demo.url}/demo/paused?model=qwen-3-8b`, { method: 'POST' });
    assert.equal(await stage('Qwen/Qwen3-Demo'), 'PAUSED');
  });

  it('fall back from a busy Space to the next model, which says why', async () => {
    const res = await fetch(`${demo.url}/demo/busy?model=qwen-2.5`, { method: 'POST' });
    assert.equal(res.status, 200);
    const r = await run('qwen-2.5', [user('What is a monad?')], o);
    assert.equal(r.model, 'qwen-2.5-max');
    assert.match(r.reason ?? '', /Qwen2\.5 is busy/);
    assert.ok(r.text.length > 40);
  });

  it('take the next question to a sleeping Space through its wake-up, and refuse an unknown control', async () => {
    demo.apply('asleep', 'qwen-2-72b');
    demo.space('qwen-2-72b').wakeAfterMs = 200;
    const r = await run('qwen-2-72b', [user('hello')], o);
    assert.equal(r.model, 'qwen-2-72b');
    assert.ok(r.events.some((e) => e.type === 'status' && /wak|sleep/i.test(JSON.stringify(e.status))), 'the wait is shown');
    assert.equal((await fetch(`${demo.url}/demo/explode`, { method: 'POST' })).status, 400);
  });
});

describe('the offline demo\'s extras', () => {
  it('serves Qwen2.5 as its Gradio 6 app (messages format) with --gradio6, still answering directly', async () => {
    const demo = new DemoSpaces({ tokenDelayMs: 0, gradio6: true });
    await demo.start();
    try {
      const s = demo.settings();
      const config = (await (await fetch(`${s['qwenChat.spaceUrl'] as string}/config`)).json()) as { version: string };
      assert.match(config.version, /^6\./);
      const r = await run('qwen-2.5', [user('hello world in Go')], { spaces: { 'qwen-2.5': s['qwenChat.spaceUrl'] as string }, hubUrl: demo.url, fallback: false });
      assert.equal(r.model, 'qwen-2.5');
      assert.match(r.text, /```go\n/);
    } finally {
      clearEndpointCache();
      await demo.stop();
    }
  });

  it('hides Qwen: Demo Faults… from the palette outside the demo', () => {
    const pkg = JSON.parse(readFileSync(path.join(__dirname, '../../../package.json'), 'utf8')) as { contributes: { commands: Array<{ command: string }>; menus: { commandPalette: Array<{ command: string; when?: string }> } } };
    assert.ok(pkg.contributes.commands.some((c) => c.command === 'qwenChat.demoFaults'));
    assert.equal(pkg.contributes.menus.commandPalette.find((m) => m.command === 'qwenChat.demoFaults')?.when, 'qwenChat.demo');
  });
});
