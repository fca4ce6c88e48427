/**
 * The router over both families: fallback from a Space to an endpoint and back, the Hub's stages
 * asked once for every Space and a dead one skipped without a request, health memory, skipping a
 * wait, and the cases that never fall back.
 */
import assert from 'node:assert/strict';
import { HealthMemory } from '../../src/provider/health';
import { HubStages } from '../../src/provider/hub';
import { clearEndpointCache } from '../../src/provider/qwen';
import { allModels, plan, resolveModel, resolveEndpoints, type RouterOptions, routeStream } from '../../src/provider/router';
import type { ProviderEvent } from '../../src/provider/types';
import { type LocalEndpoint, startEndpoint } from '../fixtures/endpoint';
import { closedPort } from '../fixtures/proxy';
import { LocalSpace } from '../fixtures/space';
import { failure } from '../support/failure';

const ask = (q: string) => [{ role: 'user' as const, content: q }];

async function run(model: string, o: RouterOptions, q = 'Hello there') {
  const events: ProviderEvent[] = [];
  for await (const e of routeStream(model, ask(q), o)) events.push(e);
  const done = events.find((e) => e.type === 'done') as { text: string } | undefined;
  const m = events.find((e) => e.type === 'model') as Extract<ProviderEvent, { type: 'model' }> | undefined;
  return { events, text: done?.text ?? '', model: m };
}

describe('one router for Spaces and endpoints', () => {
  let space: LocalSpace;
  let endpoint: LocalEndpoint;
  beforeEach(async () => {
    clearEndpointCache();
    space = new LocalSpace({ tokenDelayMs: 1, answer: (q) => `Space answer to ${q}` });
    await space.start();
    endpoint = await startEndpoint({ dialect: 'ollama', tokenDelayMs: 1, answer: (q) => `Endpoint answer to ${q}` });
  });
  afterEach(async () => {
    await space.stop();
    await endpoint.close();
  });

  const ollama = () => [{ name: 'ollama', preset: 'ollama', baseUrl: endpoint.url, models: ['qwen2.5-coder:7b'] }];

  it('reads model ids: a Space name, or ENDPOINT/MODEL with the model id whole (slashes and colons included)', () => {
    const eps = resolveEndpoints([{ name: 'mine', preset: 'vllm', baseUrl: 'https://gpu.example/v1', models: ['Qwen/Qwen3-8B'] }]);
    assert.equal(resolveModel('qwen-2.5', eps).kind, 'space');
    const hf = resolveModel('hf/Qwen/Qwen2.5-Coder-32B-Instruct', eps);
    assert.ok(hf.kind === 'endpoint' && hf.model === 'Qwen/Qwen2.5-Coder-32B-Instruct' && hf.endpoint.baseUrl === 'https://router.huggingface.co/v1');
    const mine = resolveModel('mine/Qwen/Qwen3-8B', eps);
    assert.ok(mine.kind === 'endpoint' && mine.endpoint.baseUrl === 'https://gpu.example/v1');
    assert.throws(() => resolveModel('nowhere/x', eps), /no endpoint is named "nowhere"/);
    assert.throws(() => resolveModel('gpt-4', eps), /Unknown model "gpt-4"/);
    // Declared endpoints' models join the list after the Spaces' models.
    const ids = allModels([{ name: 'mine', preset: 'vllm', baseUrl: 'https://gpu.example/v1', models: ['Qwen/Qwen3-8B'] }]).map((m) => m.id);
    assert.equal(ids[0], 'qwen-2.5');
    assert.equal(ids[ids.length - 1], 'mine/Qwen/Qwen3-8B');
  });

  it('answers from an endpoint model, naming the model and where it ran', async () => {
    const r = await run('ollama/qwen2.5-coder:7b', { endpoints: ollama() });
    assert.equal(r.text, 'Endpoint answer to Hello there');
    assert.equal(r.model?.model, 'ollama/qwen2.5-coder:7b');
    assert.match(r.model?.where ?? '', /Ollama.*127\.0\.0\.1:\d+/);
  });

  it('falls back from a Space that cannot be reached to a declared endpoint, by default, and says why', async () => {
    const dead = `http://127.0.0.1:${await closedPort()}`;
    const spaces = { 'qwen-2.5': dead, 'qwen-2.5-max': dead, 'qwen-3-235b': dead, 'qwen-2-72b': dead, 'qwen-2.5-1m': dead };
    const r = await run('qwen-2.5', { spaces, hubUrl: null, endpoints: ollama(), wakeTimeoutMs: 0 });
    assert.equal(r.text, 'Endpoint answer to Hello there');
    assert.equal(r.model?.model, 'ollama/qwen2.5-coder:7b');
    assert.match(r.model?.fallbackReason ?? '', /^Qwen2\.5 could not be reached; /);
    const fallbacks = r.events.filter((e) => e.type === 'status' && e.status.stage === 'fallback');
    assert.equal(fallbacks.length, 5, 'each Space once, then the endpoint');
  });

  it('falls back from an endpoint that is down to a Space in a mixed fallback order', async () => {
    const port = await closedPort();
    const r = await run('ollama/qwen3:8b', { endpoints: [{ name: 'ollama', preset: 'ollama', baseUrl: `http://127.0.0.1:${port}/v1` }], fallbackOrder: ['qwen-2.5'], spaces: { 'qwen-2.5': space.url }, hubUrl: null });
    assert.equal(r.text, 'Space answer to Hello there');
    assert.equal(r.model?.model, 'qwen-2.5');
    assert.match(r.model?.fallbackReason ?? '', /ollama\/qwen3:8b could not be reached/);
  });

  it('asks the Hub about every Space at once before the first request, and skips a paused one without a request', async () => {
    const other = new LocalSpace({ shape: 'qwen2.5-max', tokenDelayMs: 1, answer: () => 'Max answers' });
    await other.start();
    try {
      space.hubStages.set('Qwen/Qwen2.5', 'PAUSED');
      const stages = new HubStages();
      const o: RouterOptions = { spaces: { 'qwen-2.5': space.url, 'qwen-2.5-max': other.url }, hubUrl: space.url, hubStages: stages, fallbackOrder: ['qwen-2.5-max'] };
      const r = await run('qwen-2.5', o);
      assert.equal(r.text, 'Max answers');
      assert.match(r.model?.fallbackReason ?? '', /^Qwen\/Qwen2\.5 is paused by its owner/);
      assert.equal(space.stats.configs, 0, 'no request to the paused Space');
      assert.deepEqual([...space.hubAsked].sort(), ['Qwen/Qwen2.5', 'Qwen/Qwen2.5-Max-Demo']);
      // Next time: a paused Space is asked about again (it may be back); a running one's kept stage
      // spares the look before the request, and only the Space actually asked is checked again.
      await run('qwen-2.5', o);
      assert.deepEqual([...space.hubAsked].sort(), ['Qwen/Qwen2.5', 'Qwen/Qwen2.5', 'Qwen/Qwen2.5-Max-Demo', 'Qwen/Qwen2.5-Max-Demo']);
      assert.equal(space.stats.configs, 0, 'still no request to the paused Space');
    } finally {
      await other.stop();
    }
  });

  it('treats a Space the Hub does not know (deleted) like a paused one', async () => {
    space.hubStages.set('Qwen/Qwen2.5', 'MISSING');
    const r = await run('qwen-2.5', { spaces: { 'qwen-2.5': space.url }, hubUrl: space.url, hubStages: new HubStages(), endpoints: ollama(), fallbackOrder: ['ollama/qwen2.5-coder:7b'] });
    assert.equal(r.model?.model, 'ollama/qwen2.5-coder:7b');
    assert.match(r.model?.fallbackReason ?? '', /gone/);
  });

  it('tries a model that was unavailable a moment ago after the others, and says so', async () => {
    let now = 1_000_000;
    const health = new HealthMemory(() => now);
    health.record('qwen-2.5', 'unavailable', 'Qwen2.5 is busy (its queue is full)');
    now += 2 * 60_000;
    assert.deepEqual(plan('qwen-2.5', { fallbackOrder: ['ollama/qwen2.5-coder:7b'], endpoints: ollama(), health }).models, ['ollama/qwen2.5-coder:7b', 'qwen-2.5']);
    const r = await run('qwen-2.5', { spaces: { 'qwen-2.5': space.url }, hubUrl: null, endpoints: ollama(), fallbackOrder: ['ollama/qwen2.5-coder:7b'], health });
    assert.equal(r.model?.model, 'ollama/qwen2.5-coder:7b');
    assert.match(r.model?.fallbackReason ?? '', /^qwen-2\.5 was unavailable \(queue full 2 min ago\), so it is tried after the others$/);
    assert.equal(health.describe('ollama/qwen2.5-coder:7b'), 'answered just now');
    now += 10 * 60_000;
    assert.equal(plan('qwen-2.5', { fallbackOrder: ['ollama/qwen2.5-coder:7b'], endpoints: ollama(), health }).models[0], 'qwen-2.5', 'forgotten after a few minutes');
  });

  it('says nothing of a fallback model tried later when the chosen one answers', async () => {
    const health = new HealthMemory();
    health.record('ollama/qwen2.5-coder:7b', 'unavailable', 'ollama/qwen2.5-coder:7b could not be reached');
    const r = await run('qwen-2.5', { spaces: { 'qwen-2.5': space.url }, hubUrl: null, endpoints: ollama(), fallbackOrder: ['ollama/qwen2.5-coder:7b'], health });
    assert.equal(r.model?.model, 'qwen-2.5');
    assert.equal(r.model?.fallbackReason, undefined);
  });

  it('remembers a model found unavailable, and tells listeners once', async () => {
    const health = new HealthMemory();
    const heard: string[] = [];
    health.onDidChange((m) => heard.push(m));
    const dead = `http://127.0.0.1:${await closedPort()}`;
    await run('qwen-2.5', { spaces: { 'qwen-2.5': dead }, hubUrl: null, endpoints: ollama(), fallbackOrder: ['ollama/qwen2.5-coder:7b'], health });
    assert.equal(health.get('qwen-2.5')?.state, 'unavailable');
    assert.match(health.describe('qwen-2.5') ?? '', /^unreachable just now$/);
    assert.deepEqual(heard, ['qwen-2.5', 'ollama/qwen2.5-coder:7b']);
  });

  it('lets the user stop waiting for a sleeping Space and answer with the next model now', async () => {
    space.sleeping = true; // never wakes in this test
    const r = await (async () => {
      const events: ProviderEvent[] = [];
      let skip: (() => void) | undefined;
      for await (const e of routeStream('qwen-2.5', ask('Hi'), {
        spaces: { 'qwen-2.5': space.url },
        hubUrl: null,
        wakePollMs: 50,
        endpoints: ollama(),
        fallbackOrder: ['ollama/qwen2.5-coder:7b'],
        onAttempt: (a) => (skip = a.skip),
      })) {
        events.push(e);
        if (e.type === 'status' && e.status.stage === 'waking') skip?.();
      }
      return events;
    })();
    const m = r.find((e) => e.type === 'model') as Extract<ProviderEvent, { type: 'model' }>;
    assert.equal(m.model, 'ollama/qwen2.5-coder:7b');
    assert.match(m.fallbackReason ?? '', /you chose not to wait for Qwen2\.5/);
  });

  it('never falls back on a wrong key, a Stop, or a failure after text', async () => {
    const locked = await startEndpoint({ dialect: 'vllm', apiKey: 'sk-right', tokenDelayMs: 1 });
    try {
      const eps = [{ name: 'gpu', preset: 'vllm', baseUrl: locked.url, models: ['Qwen/Qwen3-8B'] }];
      const err = await failure(run('gpu/Qwen/Qwen3-8B', { endpoints: eps, keyFor: () => 'sk-wrong', fallbackOrder: ['qwen-2.5'], spaces: { 'qwen-2.5': space.url }, hubUrl: null }));
      assert.equal(err.kind, 'auth');
      assert.doesNotMatch(err.message, /sk-wrong/);
      assert.equal(space.stats.joins.length, 0, 'no fallback on a wrong key');
      const ok = await run('gpu/Qwen/Qwen3-8B', { endpoints: eps, keyFor: () => 'sk-right' });
      assert.ok(ok.text.length > 0);
      assert.equal(locked.requests.at(-1)?.headers.authorization, 'Bearer sk-right');
    } finally {
      await locked.close();
    }
    endpoint.script({ kind: 'drop', afterTokens: 2 });
    const after = await failure(run('ollama/qwen2.5-coder:7b', { endpoints: ollama(), fallbackOrder: ['qwen-2.5'], spaces: { 'qwen-2.5': space.url }, hubUrl: null }));
    assert.equal(after.kind, 'stream-ended');
    assert.equal(space.stats.joins.length, 0, 'no fallback once text was shown');
    const ac = new AbortController();
    ac.abort();
    const stopped = await failure(run('ollama/qwen2.5-coder:7b', { endpoints: ollama(), signal: ac.signal, fallbackOrder: ['qwen-2.5'], spaces: { 'qwen-2.5': space.url }, hubUrl: null }));
    assert.equal(stopped.kind, 'aborted');
    assert.equal(space.stats.joins.length, 0, 'no fallback on Stop');
  });
});
