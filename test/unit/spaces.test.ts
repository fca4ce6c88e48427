/**
 * Every Qwen Space shape against the local Space, and fallback from one Space to another for
 * each kind of unavailability, including the cases that must not fall back.
 */
import assert from 'node:assert/strict';
import { clearEndpointCache, type QwenOptions, QwenSpace, type SpaceSpec } from '../../src/provider/qwen';
import { QwenSpaces } from '../../src/provider/router';
import { DEFAULT_SYSTEM_PROMPT } from '../../src/provider/prompt';
import { MODELS, QWEN_2_5, QWEN_2_5_1M, QWEN_2_5_MAX, QWEN_2_72B, QWEN_3, SPACES, type SpacesOptions, spaceFor } from '../../src/provider/spaces';
import type { ProviderEvent } from '../../src/provider/types';
import { closedPort } from '../fixtures/proxy';
import { failure } from '../support/failure';
import { LocalSpace, type SpaceShape } from '../fixtures/space';

const ask = (q: string) => [{ role: 'user' as const, content: q }];

async function run(model: string, o: SpacesOptions, q = 'Hello there'): Promise<{ events: ProviderEvent[]; text: string; reasoning: string; model?: string; reason?: string }> {
  const events: ProviderEvent[] = [];
  for await (const e of QwenSpaces.stream(model, ask(q), o)) events.push(e);
  const done = events.find((e) => e.type === 'done') as { text: string } | undefined;
  const m = events.find((e) => e.type === 'model') as { model: string; fallbackReason?: string } | undefined;
  const r = events.filter((e) => e.type === 'reasoning').pop() as { text: string } | undefined;
  return { events, text: done?.text ?? '', reasoning: r?.text ?? '', model: m?.model, reason: m?.fallbackReason };
}

const SHAPES: Array<{ shape: SpaceShape; model: string; fn: number; trigger: number; data: (q: string) => unknown }> = [
  { shape: 'qwen2.5', model: 'qwen-2.5', fn: 3, trigger: 25, data: (q) => [q, [], 'You are Qwen, created by Alibaba Cloud. You are a helpful assistant.', '72B'] },
  { shape: 'qwen2.5-max', model: 'qwen-2.5-max', fn: 0, trigger: 11, data: (q) => [q, [], 'You are a helpful assistant.'] },
  { shape: 'qwen2-72b', model: 'qwen-2-72b', fn: 0, trigger: 11, data: (q) => [q, [], ''] },
  { shape: 'qwen3', model: 'qwen-3-32b', fn: 13, trigger: 31, data: (q) => [q, { thinking_budget: 38, model: 'qwen3-32b', sys_prompt: 'You are a helpful and harmless assistant.' }, null, null] },
  { shape: 'qwen2.5-1m', model: 'qwen-2.5-1m', fn: 2, trigger: 5, data: (q) => [[[{ id: null, elem_id: null, elem_classes: null, name: null, text: q, flushing: null, avatar: '', files: [] }, null]], null, 0] },
  { shape: 'gradio6', model: 'qwen-2.5', fn: 3, trigger: 25, data: (q) => [q, [], 'You are Qwen, created by Alibaba Cloud. You are a helpful assistant.', '72B'] },
];

describe('every Qwen Space, found from its /config', () => {
  afterEach(() => clearEndpointCache());

  for (const s of SHAPES) {
    it(`${s.model} on the ${s.shape} Space: joins with its own signature and streams its answer`, async () => {
      const space = new LocalSpace({ shape: s.shape, tokenDelayMs: 1, answer: (q) => `Answer to ${q}: one two three` });
      const url = await space.start();
      try {
        const r = await run(s.model, { spaces: { [s.model]: url }, fallback: false, hubUrl: url });
        assert.equal(r.text, 'Answer to Hello there: one two three');
        assert.equal(r.model, s.model);
        const deltas = r.events.filter((e) => e.type === 'text').map((e) => (e as { delta: string }).delta);
        assert.ok(deltas.length >= 4, `streamed in pieces, not at the end (${deltas.length})`);
        assert.equal(deltas.join(''), r.text);
        const join = space.stats.joins[0];
        assert.equal(join.fnIndex, s.fn);
        assert.equal(join.triggerId, s.trigger);
        assert.deepEqual(join.data, s.data('Hello there'));
        assert.deepEqual(space.hubAsked, [spaceFor(s.model).shape.spaceId], 'the Hub was asked for the stage first');
        if (s.shape === 'qwen3') assert.equal(r.reasoning, 'Thinking about: Hello there', 'reasoning kept apart from the answer');
        else assert.equal(r.reasoning, '');
        if (s.shape === 'qwen2.5-1m') assert.deepEqual(space.addedTexts, ['Hello there'], 'the two-step call: add the text, then generate');
      } finally {
        await space.stop();
      }
    });
  }

  for (const shape of ['qwen2.5-max', 'qwen2-72b', 'qwen3', 'qwen2.5-1m', 'gradio6'] as const) {
    it(`@gradio/client gets the same text from the ${shape} Space as the provider`, async () => {
      const s = SHAPES.find((x) => x.shape === shape)!;
      const { Client } = await import('@gradio/client');
      const space = new LocalSpace({ shape, tokenDelayMs: 1, answer: (q) => `Answer to ${q}: ✓ done` });
      const url = await space.start();
      try {
        const client = await Client.connect(`${url}/`);
        let last: unknown[] | undefined;
        const data = s.data('Ping') as unknown[];
        for await (const m of client.submit(s.fn, data)) if (m.type === 'data') last = m.data as unknown[];
        client.close();
        // The official client leaves `state` outputs out, so the chat is found by its text.
        const official = JSON.stringify(last ?? null);
        const ours = await run(s.model, { spaces: { [s.model]: url }, fallback: false, hubUrl: null }, 'Ping');
        assert.equal(ours.text, 'Answer to Ping: ✓ done');
        assert.ok(official.includes(JSON.stringify('Answer to Ping: ✓ done').slice(1, -1)), `the official client's final value holds the same text: ${official.slice(0, 300)}`);
      } finally {
        await space.stop();
      }
    });
  }
});

describe('fallback from one Space to another', () => {
  let primary: LocalSpace;
  let second: LocalSpace;
  let spaces: Record<string, string>;
  beforeEach(async () => {
    primary = new LocalSpace({ shape: 'qwen2.5', tokenDelayMs: 1, answer: () => 'from qwen 2.5' });
    second = new LocalSpace({ shape: 'qwen2.5-max', tokenDelayMs: 1, answer: () => 'from qwen 2.5 max' });
    spaces = { 'qwen-2.5': await primary.start(), 'qwen-2.5-max': await second.start() };
  });
  afterEach(async () => {
    clearEndpointCache();
    await primary.stop();
    await second.stop();
  });
  const opts = (o: Partial<SpacesOptions> = {}): SpacesOptions => ({ spaces, fallbackOrder: ['qwen-2.5-max'], hubUrl: primary.url, wakeTimeoutMs: 0, ...o });

  it('answers from the next model when the chosen Space is paused, saying which model answered and why', async () => {
    primary.hubStages.set('Qwen/Qwen2.5', 'PAUSED');
    const r = await run('qwen-2.5', opts());
    assert.equal(r.text, 'from qwen 2.5 max');
    assert.equal(r.model, 'qwen-2.5-max');
    assert.match(r.reason ?? '', /Qwen\/Qwen2\.5 is paused by its owner/);
    assert.doesNotMatch(r.reason ?? '', /Qwen Qwen/, 'the Space named once, not "Qwen Qwen-2.5 (Qwen/Qwen2.5)"');
    assert.equal(primary.stats.joins.length, 0, 'a paused Space is not called at all');
    const fb = r.events.find((e) => e.type === 'status' && e.status.stage === 'fallback');
    assert.ok(fb, 'a fallback status is reported');
  });

  for (const [what, setup] of [
    ['its queue is full (503)', () => primary.faults.push({ kind: 'busy' })],
    ['it shows an error page on join (502)', () => primary.faults.push({ kind: 'join-html' })],
    ['it fails on join (500)', () => primary.faults.push({ kind: 'join-500' }, { kind: 'join-500' })],
    ['it sleeps and does not wake in time', () => void (primary.sleeping = true)],
    ['the Hub says it crashed', () => primary.hubStages.set('Qwen/Qwen2.5', 'RUNTIME_ERROR')],
  ] as const) {
    it(`falls back when ${what}`, async () => {
      setup();
      const r = await run('qwen-2.5', opts());
      assert.equal(r.text, 'from qwen 2.5 max');
      assert.ok(r.reason, 'the answer says why');
    });
  }

  it('falls back when the Space refuses connections or its host does not exist', async () => {
    for (const url of [`http://127.0.0.1:${await closedPort()}`, 'http://no-such-space.invalid']) {
      const r = await run('qwen-2.5', opts({ spaces: { ...spaces, 'qwen-2.5': url }, hubUrl: null }));
      assert.equal(r.text, 'from qwen 2.5 max', url);
      assert.match(r.reason ?? '', /could not be reached/);
    }
  });

  it('when every model is unavailable, reports the chosen model\'s error and what the others said', async () => {
    primary.faults.push({ kind: 'busy' });
    second.faults.push({ kind: 'busy' });
    const err = await failure(run('qwen-2.5', opts()));
    assert.equal(err.kind, 'busy');
    assert.match(err.message, /^The Space is busy: Queue is full\..* No other model could answer either \(Qwen2\.5-Max-Demo is busy \(its queue is full\)\)\.$/);
  });

  it('does not fall back when fallback is off', async () => {
    primary.faults.push({ kind: 'busy' });
    const err = await failure(run('qwen-2.5', opts({ fallback: false })));
    assert.equal(err.kind, 'busy');
    assert.equal(second.stats.joins.length, 0);
  });

  it('does not fall back after text has streamed', async () => {
    primary.faults.push({ kind: 'eof', afterTokens: 2 });
    primary.opts.answer = () => 'one two three four';
    const err = await failure(run('qwen-2.5', opts()));
    assert.equal(err.kind, 'stream-ended');
    assert.equal(second.stats.joins.length, 0);
  });

  it('does not fall back on the app\'s own error, a bad model name or a Stop', async () => {
    primary.faults.push({ kind: 'error', afterTokens: 0, message: 'Input too long' });
    assert.equal((await failure(run('qwen-2.5', opts()))).kind, 'space-error');
    assert.equal((await failure(run('no-such-model', opts()))).kind, 'bad-model');
    const ac = new AbortController();
    primary.faults.push({ kind: 'queue', ahead: 50, stepMs: 1000 });
    const p = run('qwen-2.5', opts({ signal: ac.signal }));
    await new Promise((r) => setImmediate(r));
    ac.abort();
    assert.equal((await failure(p)).kind, 'aborted');
    assert.equal(second.stats.joins.length, 0);
  });

  it('goes on as usual when the Hub does not answer, and waits while it says the Space is starting', async () => {
    const r1 = await run('qwen-2.5', opts({ hubUrl: `http://127.0.0.1:${await closedPort()}` }));
    assert.equal(r1.text, 'from qwen 2.5');
    primary.hubStages.set('Qwen/Qwen2.5', 'APP_STARTING');
    const it = QwenSpaces.stream('qwen-2.5', ask('hi'), opts())[Symbol.asyncIterator]();
    const seen: ProviderEvent[] = [];
    for (;;) {
      const n = await it.next();
      if (n.done) break;
      seen.push(n.value);
      if (n.value.type === 'status' && n.value.status.stage === 'space-starting') primary.hubStages.set('Qwen/Qwen2.5', 'RUNNING');
    }
    assert.ok(seen.some((e) => e.type === 'status' && e.status.stage === 'space-starting'), 'the wait is shown');
    assert.equal((seen.find((e) => e.type === 'done') as { text: string }).text, 'from qwen 2.5');
  });
});

describe('the Spaces as data: a table of rows, a QwenSpace per row', () => {
  const ROWS: readonly SpaceSpec[] = [QWEN_2_5, QWEN_2_5_MAX, QWEN_2_72B, QWEN_3, QWEN_2_5_1M];

  it('builds each Space from its row, in the table\'s order, with the flags every Space shares', () => {
    assert.equal(SPACES.length, ROWS.length);
    SPACES.forEach((space, i) => {
      const row = ROWS[i];
      assert.ok(space instanceof QwenSpace);
      assert.equal(space.label, row.label);
      assert.equal(space.url, row.url);
      assert.equal(space.defaultModel, row.defaultModel);
      assert.deepEqual(space.modelAliases, row.modelAliases);
      assert.deepEqual(space.models, row.models);
      assert.equal(space.shape, row.shape);
      assert.equal(space.defaultSystemPrompt, row.defaultSystemPrompt ?? DEFAULT_SYSTEM_PROMPT);
      assert.deepEqual([space.working, space.supportsStream, space.supportsSystemMessage, space.supportsMessageHistory], [true, true, true, false]);
      for (const m of row.models) assert.equal(spaceFor(m), space, `${m} is served by ${row.label}`);
    });
    assert.deepEqual(MODELS, ROWS.flatMap((r) => r.models));
    assert.equal(new Set(SPACES.map((s) => s.shape.spaceId)).size, SPACES.length, 'one row per Space');
  });

  it('states only what differs: a row without a system prompt gets the default, \'\' sends none', () => {
    assert.equal(QWEN_2_5.defaultSystemPrompt, undefined);
    assert.equal(spaceFor('qwen-2.5').defaultSystemPrompt, DEFAULT_SYSTEM_PROMPT);
    assert.equal(spaceFor('qwen-2-72b').defaultSystemPrompt, '');
    assert.equal(spaceFor('qwen-3-8b').getModel('qwen3-8b'), 'qwen-3-8b', "Qwen3's aliases come from its row");
    assert.equal(spaceFor('qwen-2.5-max').apiEndpoint, 'https://qwen-qwen2-5-max-demo.hf.space/gradio_api/queue/join');
  });

  describe('each Space keeps its own endpoint cache', () => {
    let space: LocalSpace;
    let url: string;
    beforeEach(async () => {
      clearEndpointCache();
      space = new LocalSpace({ tokenDelayMs: 0, answer: () => 'cached or not' });
      url = await space.start();
    });
    afterEach(() => space.stop());

    async function ask(s: QwenSpace, o: QwenOptions = { baseUrl: url, hubUrl: null }): Promise<string> {
      let text = '';
      for await (const f of s.createAsyncGenerator('', [{ role: 'user', content: 'Hi' }], o)) text += f;
      return text;
    }

    it('a Space reads /config once, and a second Space from the same row reads it for itself', async () => {
      const a = new QwenSpace(QWEN_2_5);
      const b = new QwenSpace(QWEN_2_5);
      assert.equal(await ask(a), 'cached or not');
      await ask(a);
      assert.equal(space.stats.configs, 1, 'the first Space found its endpoint once');
      assert.equal(await ask(b), 'cached or not');
      assert.equal(space.stats.configs, 2, 'the second Space did not use the first one\'s endpoint');
      await ask(b);
      await ask(a);
      assert.equal(space.stats.configs, 2, 'each kept its own');
      assert.equal(space.stats.joins.length, 5);
    });

    it('forgetEndpoints forgets one Space\'s endpoints; clearEndpointCache forgets every Space\'s', async () => {
      const a = new QwenSpace(QWEN_2_5);
      const b = new QwenSpace(QWEN_2_5);
      await ask(a);
      await ask(b);
      assert.equal(space.stats.configs, 2);
      a.forgetEndpoints();
      await ask(a);
      await ask(b);
      assert.equal(space.stats.configs, 3, 'only the Space that forgot read /config again');
      clearEndpointCache();
      await ask(a);
      await ask(b);
      assert.equal(space.stats.configs, 5, 'both read /config again');
      await ask(a);
      await ask(b);
      assert.equal(space.stats.configs, 5, 'and kept what they read after the clear');
    });

    it('a Space built from a row with another URL is reached there, and the Hub is asked for its id', async () => {
      const mine = new QwenSpace({ ...QWEN_2_5, url });
      assert.equal(mine.apiEndpoint, `${url}/queue/join`);
      assert.equal(await ask(mine, { hubUrl: url }), 'cached or not');
      assert.deepEqual(space.hubAsked, ['Qwen/Qwen2.5']);
      assert.equal(space.stats.joins[0].fnIndex, 3);
    });
  });
});
