import assert from 'node:assert/strict';
import { QwenError } from '../../src/provider/errors';
import { type GradioConfig, normaliseSpaceUrl, resolveEndpoint } from '../../src/provider/gradio/config';
import { LocalSpace } from '../fixtures/space';

const kind = (k: string) => (e: unknown) => e instanceof QwenError && e.kind === k;

describe('endpoint discovery from /config', () => {
  it('finds model_chat, its fn_index, trigger id and input order in a Gradio 4 config', () => {
    const cfg = new LocalSpace().configObject('https://qwen-qwen2-5.hf.space');
    const ep = resolveEndpoint(cfg, 'https://qwen-qwen2-5.hf.space');
    assert.equal(ep.apiPrefix, '');
    assert.equal(ep.fnIndex, 3);
    assert.equal(ep.triggerId, 25);
    assert.deepEqual(ep.inputs.map((i) => i.kind), ['query', 'history', 'system', 'model']);
    assert.equal(ep.chatbotOutput, 1);
    assert.equal(ep.assumed, false);
  });

  it('reads the /gradio_api prefix of Gradio 5 and follows a shifted fn_index', () => {
    const cfg = new LocalSpace({ apiPrefix: '/gradio_api', fnIndexShift: 2 }).configObject('https://x.hf.space');
    const ep = resolveEndpoint(cfg, 'https://x.hf.space');
    assert.equal(ep.apiPrefix, '/gradio_api');
    assert.equal(ep.fnIndex, 5);
  });

  it('finds the chat function by its components when it has another api_name', () => {
    const cfg = new LocalSpace().configObject('https://x.hf.space') as unknown as GradioConfig & { dependencies: Array<{ api_name: string }> };
    for (const d of cfg.dependencies) d.api_name = d.api_name.replace('model_chat', 'chat_fn');
    const ep = resolveEndpoint(cfg, 'https://x.hf.space');
    assert.equal(ep.fnIndex, 3);
    assert.equal(ep.apiName, 'chat_fn');
  });

  it('falls back to the known Qwen 2.5 layout when the config lists no functions', () => {
    const ep = resolveEndpoint(new LocalSpace({ hideDependencies: true }).configObject('https://x.hf.space'), 'https://x.hf.space');
    assert.equal(ep.assumed, true);
    assert.equal(ep.fnIndex, 3);
    assert.equal(ep.triggerId, 25);
  });

  it('refuses old protocols and apps without a chat function, saying why', () => {
    assert.throws(() => resolveEndpoint({ version: '3.50.2' }, 'https://x'), /protocol "ws"/);
    assert.throws(
      () => resolveEndpoint({ protocol: 'sse_v3', components: [], dependencies: [{ id: 0, inputs: [], outputs: [], api_name: 'predict' }] }, 'https://x'),
      /no "model_chat" function.*predict/,
    );
  });

  it('uses the config root on the same origin (replica paths) and ignores one on another host', () => {
    const ep = resolveEndpoint({ ...new LocalSpace().configObject('https://a.hf.space/--replicas/z2trf'), protocol: 'sse_v3' }, 'https://a.hf.space');
    assert.equal(ep.root, 'https://a.hf.space/--replicas/z2trf');
    const ep2 = resolveEndpoint(new LocalSpace().configObject('https://evil.example'), 'https://a.hf.space');
    assert.equal(ep2.root, 'https://a.hf.space');
  });

  it('normalises Space URLs and owner/name ids', () => {
    assert.equal(normaliseSpaceUrl('Qwen/Qwen2.5'), 'https://qwen-qwen2-5.hf.space');
    assert.equal(normaliseSpaceUrl('qwen-qwen2-5.hf.space/'), 'https://qwen-qwen2-5.hf.space');
    assert.equal(normaliseSpaceUrl('http://127.0.0.1:7860/?__theme=dark'), 'http://127.0.0.1:7860');
    assert.throws(() => normaliseSpaceUrl('  '), kind('bad-request'));
    assert.throws(() => normaliseSpaceUrl('ftp://x.example'), kind('bad-request'));
  });
});
