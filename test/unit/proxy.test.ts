import assert from 'node:assert/strict';
import { QwenError } from '../../src/provider/errors';
import { matchesNoProxy, redactUrl } from '../../src/provider/gradio/http';
import { clearEndpointCache, type QwenOptions } from '../../src/provider/qwen';
import { Qwen_Qwen_2_5 } from '../../src/provider/spaces';
import { closedPort, LocalProxy } from '../fixtures/proxy';
import { LocalSpace, scriptedAnswer } from '../fixtures/space';

async function answer(opts: QwenOptions): Promise<string> {
  clearEndpointCache();
  let text = '';
  for await (const f of Qwen_Qwen_2_5.createAsyncGenerator('', [{ role: 'user', content: 'Hi there' }], opts)) text += f;
  return text;
}

async function proxyError(opts: QwenOptions): Promise<QwenError> {
  try {
    await answer(opts);
  } catch (e) {
    assert.ok(e instanceof QwenError);
    return e;
  }
  assert.fail('expected a failure');
}

describe('proxies', () => {
  let space: LocalSpace;
  let proxy: LocalProxy | undefined;
  const saved = { ...process.env };
  beforeEach(async () => {
    space = new LocalSpace({ tokenDelayMs: 1 });
    await space.start();
  });
  afterEach(async () => {
    await space.stop();
    await proxy?.stop();
    proxy = undefined;
    for (const k of ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy']) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  });

  it('goes through an explicit proxy URL', async () => {
    proxy = new LocalProxy();
    await proxy.start();
    assert.equal(await answer({ baseUrl: space.url, proxy: proxy.url, noProxy: '' }), scriptedAnswer('Hi there'));
    const host = new URL(space.url).host;
    assert.ok(proxy.connects.length >= 1, 'nothing went through the proxy');
    assert.ok(proxy.connects.every((c) => c === host));
  });

  it('sends the credentials in the proxy URL and never shows the password', async () => {
    proxy = new LocalProxy({ requireAuth: 'me:s3cret' });
    await proxy.start();
    const withAuth = proxy.url.replace('http://', 'http://me:s3cret@');
    assert.equal(await answer({ baseUrl: space.url, proxy: withAuth, noProxy: '' }), scriptedAnswer('Hi there'));
    const wrong = await proxyError({ baseUrl: space.url, proxy: proxy.url.replace('http://', 'http://me:wrong@'), noProxy: '' });
    assert.equal(wrong.kind, 'proxy');
    assert.match(wrong.message, /407/);
    assert.doesNotMatch(wrong.message, /wrong|s3cret/);
  });

  it('follows HTTP_PROXY from the environment, and NO_PROXY bypasses it', async () => {
    proxy = new LocalProxy();
    await proxy.start();
    process.env.HTTP_PROXY = proxy.url;
    process.env.NO_PROXY = '';
    await answer({ baseUrl: space.url });
    const through = proxy.connects.length + proxy.forwards.length;
    assert.ok(through >= 1, 'HTTP_PROXY was not used');
    process.env.NO_PROXY = '127.0.0.1';
    await answer({ baseUrl: space.url });
    assert.equal(proxy.connects.length + proxy.forwards.length, through, 'NO_PROXY host went through the proxy');
  });

  it('a proxy that is not listening is reported as a proxy failure', async () => {
    const port = await closedPort();
    const err = await proxyError({ baseUrl: space.url, proxy: `http://127.0.0.1:${port}`, noProxy: '' });
    assert.equal(err.kind, 'proxy');
    assert.match(err.message, new RegExp(`proxy http://127\\.0\\.0\\.1:${port}`));
  });

  it('a proxy that refuses the tunnel is reported with its status', async () => {
    proxy = new LocalProxy({ refuse: true });
    await proxy.start();
    const err = await proxyError({ baseUrl: space.url, proxy: proxy.url, noProxy: '' });
    assert.equal(err.kind, 'proxy');
    assert.match(err.message, /403/);
  });

  it('rejects a proxy setting that is not an http(s) URL', async () => {
    const err = await proxyError({ baseUrl: space.url, proxy: 'socks5://127.0.0.1:1080' });
    assert.equal(err.kind, 'proxy');
    assert.match(err.message, /socks5/);
  });

  it('matches NO_PROXY entries like curl and redacts proxy passwords', () => {
    const u = new URL('https://qwen-qwen2-5.hf.space');
    assert.equal(matchesNoProxy(u, '.hf.space'), true);
    assert.equal(matchesNoProxy(u, 'hf.space:443'), true);
    assert.equal(matchesNoProxy(u, 'hf.space:80'), false);
    assert.equal(matchesNoProxy(u, 'example.com, *'), true);
    assert.equal(matchesNoProxy(u, 'f.space'), false); // suffixes match only at a dot
    assert.equal(redactUrl('http://user:pw@proxy:3128'), 'http://***:***@proxy:3128');
  });
});
