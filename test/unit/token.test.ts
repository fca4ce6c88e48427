import assert from 'node:assert/strict';
import { mayCarryHfToken } from '../../src/provider/gradio/http';
import { clearEndpointCache, type QwenOptions } from '../../src/provider/qwen';
import { Qwen_Qwen_2_5 } from '../../src/provider/spaces';
import { LocalProxy } from '../fixtures/proxy';
import { LocalSpace } from '../fixtures/space';
import { makeCertificates, type TestCertificates, TlsFront } from '../fixtures/tls';

const TOKEN = 'hf_secretTOKEN0123456789';

describe('the Hugging Face token goes only to Hugging Face, over HTTPS', () => {
  it('is allowed for huggingface.co, its subdomains and *.hf.space over HTTPS on the default port, and nothing else', () => {
    for (const url of ['https://huggingface.co/api/spaces/Qwen/Qwen2.5', 'https://qwen-qwen2-5.hf.space/config', 'https://router.huggingface.co/v1/chat/completions', 'https://HUGGINGFACE.CO./api']) {
      assert.equal(mayCarryHfToken(url), true, url);
    }
    for (const url of [
      'http://qwen-qwen2-5.hf.space/config', // plain HTTP
      'http://huggingface.co/api',
      'https://evilhf.space/config', // look-alikes
      'https://x.hf.space.example.com/config',
      'https://huggingface.co.example.com/api',
      'https://evilhuggingface.co/api',
      'https://hf.space/',
      'https://qwen-qwen2-5.hf.space:8443/config', // another port is another service
      'https://user:pw@huggingface.co/api',
      'https://127.0.0.1/config',
      'https://localhost/config',
      'not a url',
    ]) {
      assert.equal(mayCarryHfToken(url), false, url);
    }
  });

  describe('on the wire, with a local TLS server standing in for the real hosts', () => {
    let certs: TestCertificates;
    let space: LocalSpace;
    let front: TlsFront;
    let proxy: LocalProxy;
    const hostsSeen: string[] = [];

    before(function () {
      this.timeout(60_000);
      certs = makeCertificates(['*.hf.space', 'huggingface.co', 'qwen.evilhf.space']);
    });
    beforeEach(async () => {
      hostsSeen.length = 0;
      clearEndpointCache();
      space = new LocalSpace({ tokenDelayMs: 1 });
      await space.start();
      front = new TlsFront(certs, Number(new URL(space.url).port));
      await front.start();
      // Every host the client asks the proxy for lands on the TLS front (HTTPS) or the Space (plain HTTP).
      proxy = new LocalProxy({
        redirect: (host, port) => {
          hostsSeen.push(`${host}:${port}`);
          return port === 443 ? front.port : Number(new URL(space.url).port);
        },
      });
      await proxy.start();
    });
    afterEach(async () => {
      await proxy.stop();
      await front.stop();
      await space.stop();
    });

    async function ask(opts: QwenOptions): Promise<string> {
      let text = '';
      for await (const f of Qwen_Qwen_2_5.createAsyncGenerator('', [{ role: 'user', content: 'Hi there' }], { proxy: proxy.url, noProxy: '', extraCaCertificates: [certs.ca], hfToken: TOKEN, ...opts })) text += f;
      return text;
    }

    it('reaches the Space at its own https://*.hf.space host, certificate checked', async () => {
      const text = await ask({});
      assert.ok(text.length > 0);
      assert.ok(hostsSeen.includes('qwen-qwen2-5.hf.space:443'), hostsSeen.join(', '));
      assert.ok(space.stats.joins.length > 0);
      assert.ok(space.stats.joins.every((j) => j.authorization === `Bearer ${TOKEN}`));
    });

    it('is not sent to a Space URL a setting points at another host (a workspace cannot redirect it)', async () => {
      await ask({ baseUrl: 'https://qwen.evilhf.space', hubUrl: null });
      assert.ok(hostsSeen.includes('qwen.evilhf.space:443'));
      assert.ok(space.stats.joins.length > 0);
      assert.ok(space.stats.joins.every((j) => j.authorization === undefined));
    });

    it('is not sent over plain HTTP, even to an hf.space host name', async () => {
      await ask({ baseUrl: 'http://qwen-qwen2-5.hf.space', hubUrl: null });
      assert.ok(space.stats.joins.length > 0);
      assert.ok(space.stats.joins.every((j) => j.authorization === undefined));
    });

    it('is not sent to a local server named by URL', async () => {
      await ask({ baseUrl: space.url, proxy: null, hubUrl: null });
      assert.ok(space.stats.joins.length > 0);
      assert.ok(space.stats.joins.every((j) => j.authorization === undefined));
    });
  });
});
