import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { QwenError } from '../../src/provider/errors';
import { clearEndpointCache, isWaking, type QwenOptions } from '../../src/provider/qwen';
import { Qwen_Qwen_2_5 } from '../../src/provider/spaces';
import { httpError } from '../../src/provider/gradio/http';
import type { ProviderEvent, SpaceStatus } from '../../src/provider/types';
import net from 'node:net';
import { SseParser, SseTooLarge } from '../../src/provider/gradio/sse';
import { closedPort } from '../fixtures/proxy';
import { failure } from '../support/failure';
import { waitFor as sharedWaitFor } from '../support/wait';
import { type Fault, LocalSpace, type LocalSpaceOptions, scriptedAnswer } from '../fixtures/space';

const user = (content: string) => [{ role: 'user', content }];

async function collect(opts: QwenOptions, prompt = 'Hi there', model = 'qwen-2.5') {
  const fragments: string[] = [];
  const statuses: SpaceStatus[] = [];
  for await (const f of Qwen_Qwen_2_5.createAsyncGenerator(model, user(prompt), { ...opts, onStatus: (s) => (statuses.push(s), opts.onStatus?.(s)) })) fragments.push(f);
  return { fragments, text: fragments.join(''), statuses };
}

async function events(opts: QwenOptions, prompt = 'Hi there'): Promise<ProviderEvent[]> {
  const out: ProviderEvent[] = [];
  for await (const e of Qwen_Qwen_2_5.stream('', user(prompt), opts)) out.push(e);
  return out;
}

describe('Qwen 2.5 provider against the local Space', function () {
  let space: LocalSpace;
  const start = async (o: LocalSpaceOptions = {}, ...faults: Fault[]) => {
    await space?.stop();
    clearEndpointCache();
    space = new LocalSpace({ tokenDelayMs: 1, ...o });
    space.faults.push(...faults);
    return space.start();
  };
  afterEach(async () => {
    await space?.stop();
  });

  it('has the surface of gpt4free\'s Qwen_Qwen_2_5', () => {
    assert.equal(Qwen_Qwen_2_5.label, 'Qwen Qwen-2.5');
    assert.equal(Qwen_Qwen_2_5.url, 'https://qwen-qwen2-5.hf.space');
    assert.equal(Qwen_Qwen_2_5.apiEndpoint, 'https://qwen-qwen2-5.hf.space/queue/join');
    assert.equal(Qwen_Qwen_2_5.defaultModel, 'qwen-qwen2-5');
    assert.deepEqual(Qwen_Qwen_2_5.modelAliases, { 'qwen-2.5': 'qwen-qwen2-5' });
    assert.equal(Qwen_Qwen_2_5.supportsStream && Qwen_Qwen_2_5.supportsSystemMessage && Qwen_Qwen_2_5.working, true);
    assert.equal(Qwen_Qwen_2_5.supportsMessageHistory, false);
  });

  it('streams the answer token by token, not in one piece at the end', async () => {
    const url = await start();
    const { fragments, text } = await collect({ baseUrl: url });
    const expected = scriptedAnswer('Hi there');
    assert.equal(text, expected);
    assert.ok(fragments.length >= 15, `only ${fragments.length} fragments`);
    assert.ok(fragments.every((f) => !/^\[.*\]$/.test(f)), 'a diff path leaked into the text');
  });

  it('joins with the body gpt4free sends, read from /config', async () => {
    const url = await start();
    await collect({ baseUrl: url }, 'Question?');
    const join = space.stats.joins[0];
    assert.equal(join.fnIndex, 3);
    assert.equal(join.triggerId, 25);
    assert.deepEqual(join.data, ['Question?', [], 'You are Qwen, created by Alibaba Cloud. You are a helpful assistant.', '72B']);
    assert.match(join.sessionHash, /^[0-9a-f]{10}$/);
  });

  it('works on the Gradio 5 layout (/gradio_api) and after the app shifted its fn_index', async () => {
    const url = await start({ apiPrefix: '/gradio_api', fnIndexShift: 3 });
    const { text } = await collect({ baseUrl: url });
    assert.equal(text, scriptedAnswer('Hi there'));
    assert.equal(space.stats.joins[0].fnIndex, 6);
  });

  it('falls back to the known layout when /config lists no functions', async () => {
    const url = await start({ hideDependencies: true });
    assert.equal((await collect({ baseUrl: url })).text, scriptedAnswer('Hi there'));
  });

  it('reads Gradio <= 4.23 JSON and frames split inside UTF-8 characters', async () => {
    const answer = 'Grüße aus 北京 👾 — ça va? ' + 'é'.repeat(50);
    const url = await start({ pythonJson: true, splitWrites: true, answer: () => answer });
    assert.equal((await collect({ baseUrl: url })).text, answer);
  });

  it('sends the system prompt and folds history into one query', async () => {
    const url = await start();
    const msgs = [
      { role: 'system', content: 'Answer in French.' },
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Bonjour' },
      { role: 'user', content: 'And now?' },
    ];
    for await (const _ of Qwen_Qwen_2_5.createAsyncGenerator('', msgs, { baseUrl: url }));
    assert.deepEqual(space.stats.joins[0].data.slice(0, 3), ['User: Hi\nAssistant: Bonjour\nUser: And now?\nAssistant:', [], 'Answer in French.']);
  });

  it('reports queue position counting down, then the start, before any text', async () => {
    const url = await start({}, { kind: 'queue', ahead: 3, stepMs: 40 });
    const evs = await events({ baseUrl: url });
    const queued = evs.flatMap((e) => (e.type === 'status' && e.status.stage === 'queued' ? [e.status] : []));
    assert.deepEqual(queued.map((q) => q.position), [3, 2, 1]);
    assert.equal(queued[0].queueSize, 4);
    assert.ok(queued[0].etaSeconds! > 0);
    const firstText = evs.findIndex((e) => e.type === 'text');
    const started = evs.findIndex((e) => e.type === 'status' && e.status.stage === 'started');
    assert.ok(started > 0 && started < firstText);
    assert.equal(evs.at(-1)?.type, 'done');
  });

  it('resolves aliases and names the known models for an unknown one', async () => {
    assert.equal(Qwen_Qwen_2_5.getModel('qwen-2.5'), 'qwen-qwen2-5');
    assert.equal(Qwen_Qwen_2_5.getModel(''), 'qwen-qwen2-5');
    const err = await failure(collect({ baseUrl: 'http://127.0.0.1:1' }, 'x', 'gpt-4'));
    assert.equal(err.kind, 'bad-model');
    assert.match(err.message, /gpt-4.*qwen-qwen2-5, qwen-2\.5/);
  });

  it('keeps the Hugging Face token from a Space URL that is not Hugging Face over HTTPS (token.test.ts shows where it goes)', async () => {
    const url = await start();
    await collect({ baseUrl: url, hfToken: 'hf_secret123' });
    assert.equal(space.stats.joins[0].authorization, undefined);
  });

  describe('failures are typed errors with the Space\'s words, never an empty answer', () => {
    it('a gr.Error mid-stream, with its HTML link stripped', async () => {
      const url = await start({}, { kind: 'error', afterTokens: 3, message: 'You have exceeded your GPU quota (60s requested vs. 42s left). <a href="https://huggingface.co/join">Create a free account</a> to get more usage quota.' });
      const err = await failure(collect({ baseUrl: url }));
      assert.equal(err.kind, 'space-error');
      assert.match(err.message, /exceeded your GPU quota .* Create a free account to get more usage quota\./);
      assert.doesNotMatch(err.message, /<a|href/);
    });

    it('a hidden error (error: null) says the Space hid the reason', async () => {
      const url = await start({}, { kind: 'error', afterTokens: 0, message: null });
      const err = await failure(collect({ baseUrl: url }));
      assert.equal(err.kind, 'space-error');
      assert.match(err.message, /did not say why/);
    });

    it('unexpected_error from the stream loop', async () => {
      const url = await start({}, { kind: 'unexpected', afterTokens: 2, message: 'Server stopped unexpectedly.' });
      const err = await failure(collect({ baseUrl: url }));
      assert.equal(err.kind, 'unexpected');
      assert.match(err.message, /Server stopped unexpectedly/);
    });

    it('the connection dropping before process_completed, keeping what arrived', async () => {
      const url = await start({}, { kind: 'eof', afterTokens: 4 });
      const got: string[] = [];
      const err = await failure((async () => {
        for await (const f of Qwen_Qwen_2_5.createAsyncGenerator('', user('Hi there'), { baseUrl: url })) got.push(f);
      })());
      assert.equal(err.kind, 'stream-ended');
      assert.ok(scriptedAnswer('Hi there').startsWith(got.join('')) && got.length > 0);
    });

    it('503 queue full', async () => {
      const url = await start({}, { kind: 'busy' });
      const err = await failure(collect({ baseUrl: url }));
      assert.equal(err.kind, 'busy');
      assert.match(err.message, /Queue is full/);
      assert.equal(err.retryable, true);
    });

    it('an HTML error page instead of JSON (a 502 from the front end)', async () => {
      const url = await start({}, { kind: 'join-html' });
      const err = await failure(collect({ baseUrl: url }));
      assert.equal(err.kind, 'not-ready');
      assert.equal(err.details.status, 502);
      assert.match(err.message, /web page instead of its API.*It said: 502 Bad Gateway/);
    });

    it('a wrong URL path (404 from a wrong prefix)', async () => {
      const url = await start();
      const err = await failure(collect({ baseUrl: `${url}/not-a-space` }));
      assert.equal(err.kind, 'not-found');
    });

    it('a sleeping Space that answers with an HTML page (no waiting asked for)', async () => {
      const url = await start();
      space.sleeping = true;
      const err = await failure(collect({ baseUrl: url, wakeTimeoutMs: 0 }));
      assert.equal(err.kind, 'not-ready');
      assert.match(err.message, /asleep.*It said: Qwen2\.5 - a Hugging Face Space by Qwen/);
      assert.equal(space.stats.configs, 1);
    });

    it('a Space that goes silent (no heartbeats either) times out', async () => {
      const url = await start({}, { kind: 'silent', afterTokens: 2 });
      const err = await failure(collect({ baseUrl: url, idleTimeoutMs: 400 }));
      assert.equal(err.kind, 'timeout');
      assert.match(err.message, /sent nothing for 0\.4 s/);
    });

    it('heartbeats keep a slow Space alive past the idle timeout', async () => {
      const url = await start({ tokenDelayMs: 250, heartbeatMs: 100, answer: () => 'a b c d' });
      const { text } = await collect({ baseUrl: url, idleTimeoutMs: 1000 });
      assert.equal(text, 'a b c d');
    });

    it('connection refused', async () => {
      clearEndpointCache();
      const port = await closedPort();
      const err = await failure(collect({ baseUrl: `http://127.0.0.1:${port}`, proxy: null }));
      assert.equal(err.kind, 'connection');
      assert.match(err.message, /refused the connection/);
    });

    it('500 on join re-reads the config once, then fails clearly', async () => {
      const url = await start({}, { kind: 'join-500' }, { kind: 'join-500' });
      const err = await failure(collect({ baseUrl: url }));
      assert.equal(err.kind, 'http');
      assert.equal(space.stats.configs, 2);
      assert.equal(space.stats.joins.length, 0);
    });
  });

  it('ignores messages of other events on the same session stream', async () => {
    const url = await start({}, { kind: 'foreign', afterTokens: 3 });
    const evs = await events({ baseUrl: url });
    assert.deepEqual(evs.at(-1), { type: 'done', text: scriptedAnswer('Hi there') });
    assert.ok(!evs.some((e) => e.type === 'status' && e.status.stage === 'queued' && e.status.position === 5));
    assert.ok(!evs.some((e) => e.type === 'rewrite'));
  });

  it('leaves no connection open after a call, whether it completed, failed or was stopped', async () => {
    const url = await start({ tokenDelayMs: 20 });
    await collect({ baseUrl: url });
    await waitFor(() => space.openSockets === 0);
    space.faults.push({ kind: 'error', afterTokens: 2, message: 'boom' });
    await failure(collect({ baseUrl: url }));
    await waitFor(() => space.openSockets === 0);
    const ac = new AbortController();
    await failure((async () => {
      for await (const _ of Qwen_Qwen_2_5.createAsyncGenerator('', user('x'), { baseUrl: url, signal: ac.signal })) ac.abort();
    })());
    await waitFor(() => space.openSockets === 0);
  });

  it('skips a malformed event with a warning and still delivers the whole answer', async () => {
    const url = await start({}, { kind: 'malformed', afterTokens: 3 });
    const { text, statuses } = await collect({ baseUrl: url });
    assert.equal(text, scriptedAnswer('Hi there'));
    assert.ok(statuses.some((s) => s.stage === 'warning' && /malformed/.test(s.message)));
  });

  it('reports a rewrite when the Space replaces text it already sent', async () => {
    const url = await start({ answer: () => 'one two three four' }, { kind: 'rewrite', afterTokens: 2 });
    const evs = await events({ baseUrl: url });
    const rewrite = evs.find((e) => e.type === 'rewrite');
    assert.ok(rewrite && rewrite.type === 'rewrite');
    assert.equal(rewrite.text, 'ONE TWO three');
    assert.deepEqual(evs.at(-1), { type: 'done', text: 'ONE TWO three four' });
  });

  describe('cancel', () => {
    it('aborting stops the stream at once and tells the Space', async () => {
      const url = await start({ tokenDelayMs: 50, answer: () => scriptedAnswer('200 words') });
      const ac = new AbortController();
      let n = 0;
      const err = await failure((async () => {
        for await (const _ of Qwen_Qwen_2_5.createAsyncGenerator('', user('x'), { baseUrl: url, signal: ac.signal })) {
          if (++n === 3) ac.abort();
        }
      })());
      assert.equal(err.kind, 'aborted');
      await waitFor(() => space.stats.cancels.length === 1 || space.stats.disconnects === 1);
      assert.equal(space.stats.cancels[0]?.eventId, space.stats.joins[0].eventId);
      assert.equal(space.stats.completed, 0);
    });

    it('breaking out of the loop cancels too', async () => {
      const url = await start({ tokenDelayMs: 30, answer: () => scriptedAnswer('100 words') });
      for await (const _ of Qwen_Qwen_2_5.createAsyncGenerator('', user('x'), { baseUrl: url })) break;
      await waitFor(() => space.stats.cancels.length === 1);
      assert.equal(space.stats.completed, 0);
    });

    it('aborting while queued cancels before any text', async () => {
      const url = await start({}, { kind: 'queue', ahead: 50, stepMs: 1000 });
      const ac = new AbortController();
      const err = await failure((async () => {
        for await (const e of Qwen_Qwen_2_5.stream('', user('x'), { baseUrl: url, signal: ac.signal })) {
          if (e.type === 'status' && e.status.stage === 'queued') ac.abort();
        }
      })());
      assert.equal(err.kind, 'aborted');
      await waitFor(() => space.stats.cancels.length === 1);
    });

    it('an already-aborted signal sends nothing', async () => {
      const url = await start();
      const err = await failure(collect({ baseUrl: url, signal: AbortSignal.abort() }));
      assert.equal(err.kind, 'aborted');
      assert.equal(space.stats.joins.length, 0);
    });
  });
  describe('a Space that is asleep or starting', () => {
    it('waits for it to wake, reporting the wait, then answers', async () => {
      const url = await start();
      space.sleeping = true;
      space.wakeAfterMs = 700;
      const { text, statuses } = await collect({ baseUrl: url, wakePollMs: 100 });
      assert.equal(text, scriptedAnswer('Hi there'));
      const waking = statuses.filter((s) => s.stage === 'waking');
      assert.ok(waking.length >= 3, `${waking.length} waking statuses`);
      assert.equal(waking[0].stage === 'waking' && waking[0].timeoutSeconds, 180);
      assert.match(waking[0].stage === 'waking' ? waking[0].said : '', /Hugging Face Space/);
      assert.ok(space.stats.configs >= 4, 'it looked again until the Space was up');
      assert.ok(statuses.findIndex((s) => s.stage === 'waking') < statuses.findIndex((s) => s.stage === 'started'));
    });

    it('waits too for a Space that fell asleep after its config was read', async () => {
      const url = await start();
      assert.equal((await collect({ baseUrl: url })).text, scriptedAnswer('Hi there'));
      const configs = space.stats.configs;
      space.sleeping = true;
      space.wakeAfterMs = 500;
      const { text, statuses } = await collect({ baseUrl: url, wakePollMs: 100 }, 'Again');
      assert.equal(text, scriptedAnswer('Again'));
      assert.ok(statuses.some((s) => s.stage === 'waking'));
      assert.ok(space.stats.configs > configs, 'the config was read again once awake');
    });

    it('tells a starting Space (503 with the Hub\'s page) from a full queue or a broken Space', () => {
      const page = (title: string, h1: string) => `<html><head><title>${title}</title><script>var error = 1;</script></head><body><h1>${h1}</h1></body></html>`;
      const hub = 'Qwen2.5 - a Hugging Face Space by Qwen';
      assert.equal(isWaking(httpError(503, 'text/html', page(hub, 'Preparing Space'), 'https://x.hf.space/config', 'reading')), true);
      assert.equal(isWaking(httpError(502, 'text/html', page(hub, 'Starting'), 'https://x.hf.space/config', 'reading')), true);
      assert.equal(isWaking(httpError(503, 'application/json', '{"detail":"Queue is full"}', 'https://x.hf.space/queue/join', 'joining')), false);
      assert.equal(isWaking(httpError(502, 'text/html', page('502 Bad Gateway', '502 Bad Gateway'), 'https://x.hf.space/config', 'reading')), false);
      assert.equal(isWaking(httpError(503, 'text/html', page(hub, 'Runtime error'), 'https://x.hf.space/config', 'reading')), false);
      assert.equal(isWaking(httpError(404, 'text/html', page(hub, 'Sleeping'), 'https://x.hf.space/config', 'reading')), false, '404 is a wrong URL');
    });

    it('gives up after the wake timeout with a clear error', async () => {
      const url = await start();
      space.sleeping = true;
      const err = await failure(collect({ baseUrl: url, wakeTimeoutMs: 500, wakePollMs: 100 }));
      assert.equal(err.kind, 'not-ready');
      assert.match(err.message, /^The Space did not wake up within 1 s\. .*asleep/);
      assert.equal(err.retryable, true);
    });

    it('stops waiting at once when stopped', async () => {
      const url = await start();
      space.sleeping = true;
      const ac = new AbortController();
      // Stopped while it waits out a 60 s poll: mocha's bound would fail a wait that ignored the Stop.
      const opts: QwenOptions = { baseUrl: url, signal: ac.signal, wakePollMs: 60_000, onStatus: (s) => s.stage === 'waking' && ac.abort() };
      const err = await collect(opts).catch((e: unknown) => e);
      assert.ok(err instanceof QwenError && err.kind === 'aborted', String(err));
    });

    it('does not wait on a web page that is not a sleeping Space (a wrong URL), or on a paused Space', async () => {
      const pages = [
        '<html><head><title>My blog</title></head><body>Welcome</body></html>',
        '<html><head><title>Qwen2.5 - a Hugging Face Space by Qwen</title></head><body><h1>This Space has been paused by its owner.</h1></body></html>',
      ];
      for (const page of pages) {
        let asked = 0;
        const server = http.createServer((_req, res) => {
          asked++;
          res.writeHead(200, { 'content-type': 'text/html' });
          res.end(page);
        });
        await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
        const { port } = server.address() as AddressInfo;
        try {
          const err = await failure(collect({ baseUrl: `http://127.0.0.1:${port}`, wakePollMs: 100 }));
          assert.equal(err.kind, 'not-ready');
          assert.equal(asked, 1, 'failed at once: asked once, no polling');
        } finally {
          server.closeAllConnections();
          await new Promise((r) => server.close(r));
        }
      }
    });
  });
});

describe('faults a real Space or network shows, said clearly', () => {
  let space: LocalSpace;
  afterEach(async () => {
    clearEndpointCache();
    await space?.stop();
  });

  it('a 429 says when to retry, from Retry-After, on one line', async () => {
    space = new LocalSpace({ tokenDelayMs: 1 });
    space.faults.push({ kind: 'rate-limit', retryAfter: 7 });
    const url = await space.start();
    const err = await failure(events({ baseUrl: url }));
    assert.equal(err.kind, 'rate-limited');
    assert.equal(err.details.retryAfterSeconds, 7);
    assert.match(err.message, /Too many requests \(429: Too many requests from this IP Slow down\.\)\. Try again in 7 s\./);
    assert.doesNotMatch(err.message, /\n|<br>/);
  });

  it('an error message with <br> is one line', async () => {
    space = new LocalSpace({ tokenDelayMs: 1 });
    space.faults.push({ kind: 'error', afterTokens: 1, message: 'GPU quota exceeded<br>Try again in 0:01:00<br/>Thanks' });
    const url = await space.start();
    const err = await failure(events({ baseUrl: url }));
    assert.equal(err.message, 'The Space raised an error: GPU quota exceeded Try again in 0:01:00 Thanks');
  });

  it('an https:// URL to a plain-HTTP port says so, without an OpenSSL dump', async () => {
    space = new LocalSpace({ tokenDelayMs: 1 });
    const url = await space.start();
    const err = await failure(events({ baseUrl: url.replace('http:', 'https:') }));
    assert.equal(err.kind, 'tls');
    assert.match(err.message, /answered in plain HTTP, not TLS \(is the URL http:\/\/, not https:\/\/\?\)/);
    assert.doesNotMatch(err.message, /SSL routines|0A0000|error:/);
  });

  it('a handshake that never completes ends at the user\'s timeout, with its own message', async () => {
    const silent = net.createServer(() => undefined); // accepts, never speaks TLS
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const { port } = silent.address() as AddressInfo;
      const err = await failure(events({ baseUrl: `https://127.0.0.1:${port}`, idleTimeoutMs: 1000 }));
      assert.equal(err.kind, 'timeout');
      assert.match(err.message, /^Could not connect to 127\.0\.0\.1:\d+ within 1 s while reading the Space config: the TCP or TLS handshake did not complete\.$/);
    } finally {
      silent.close();
    }
  });

  it('says the Space is alive while only heartbeats come', async () => {
    space = new LocalSpace({ tokenDelayMs: 1, heartbeatMs: 20 });
    space.faults.push({ kind: 'queue', ahead: 1, stepMs: 200 });
    const url = await space.start();
    const evs = await events({ baseUrl: url });
    assert.ok(evs.some((e) => e.type === 'status' && e.status.stage === 'alive'), 'an "alive" status before the answer');
  });
});

describe('the event reader at its bounds', () => {
  it('reads a 10 MB event whole, and fails clearly past its bound', () => {
    const big = 'y'.repeat(10 * 1024 * 1024);
    const frame = `data: {"msg":"process_completed","text":"${big}"}\n\n`;
    const p = new SseParser();
    const out = [];
    for (let i = 0; i < frame.length; i += 65_536) out.push(...p.push(frame.slice(i, i + 65_536)));
    assert.equal(out.length, 1);
    assert.equal(out[0].data.length, frame.length - 8);
    const small = new SseParser(1024 * 1024);
    assert.throws(() => {
      for (let i = 0; i < frame.length; i += 65_536) small.push(frame.slice(i, i + 65_536));
    }, SseTooLarge);
  });
});

/** The shared wait, with this file's short default bound. */
export const waitFor = (cond: () => boolean, ms = 3000) => sharedWaitFor('the condition', cond, { timeoutMs: ms, everyMs: 10 }).then(() => undefined);
