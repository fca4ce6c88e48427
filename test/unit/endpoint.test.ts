import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { describeError, QwenError } from '../../src/provider/errors';
import { type Endpoint, type EndpointOptions, listModels, streamChat } from '../../src/provider/openai/client';
import { endpointHttpError } from '../../src/provider/openai/errors';
import { ENDPOINT_PRESETS, presetById } from '../../src/provider/openai/presets';
import type { ChatMessage } from '../../src/provider/prompt';
import type { ToolSpec } from '../../src/provider/toolCalls';
import type { ProviderEvent } from '../../src/provider/types';
import { DIALECTS, type Dialect, type EndpointFixtureOptions, type LocalEndpoint, scriptedReasoning, startEndpoint } from '../fixtures/endpoint';
import { closedPort, LocalProxy } from '../fixtures/proxy';
import { scriptedAnswer, tokenize } from '../fixtures/space';
import { failure } from '../support/failure';
import { waitFor } from '../support/wait';

const KEY = 'sk-test-9f8e7d6c5b4a';
const user = (content: string): ChatMessage[] => [{ role: 'user', content }];

/** The preset each dialect stands for, and a model of it that thinks where the server can. */
const PRESET: Record<Dialect, string> = { ollama: 'ollama', vllm: 'vllm', llamacpp: 'llamacpp', hf: 'hf', dashscope: 'dashscope', openrouter: 'openrouter' };
const THINKING: Record<Dialect, string> = {
  ollama: 'qwen3:8b',
  vllm: 'Qwen/Qwen3-8B',
  llamacpp: 'Qwen3-8B-Q4_K_M.gguf',
  hf: 'Qwen/Qwen3-235B-A22B',
  dashscope: 'qwq-plus',
  openrouter: 'qwen/qwen3-235b-a22b',
};
const CODER: Record<Dialect, string> = {
  ollama: 'qwen2.5-coder:7b',
  vllm: 'Qwen/Qwen3-8B',
  llamacpp: 'qwen2.5-coder-7b-instruct-q4_k_m.gguf',
  hf: 'Qwen/Qwen2.5-Coder-32B-Instruct',
  dashscope: 'qwen3-coder-plus',
  openrouter: 'qwen/qwen3-coder',
};

const READ_FILE: ToolSpec = {
  name: 'read_file',
  description: 'Read a file of the workspace',
  inputSchema: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] },
};

interface Collected {
  events: ProviderEvent[];
  text: string;
  reasoning: string;
  calls: Array<{ id: string; name: string; arguments: Record<string, unknown> }>;
}

async function collect(ep: Endpoint, model: string, messages: ChatMessage[], o: EndpointOptions = {}): Promise<Collected> {
  const events: ProviderEvent[] = [];
  for await (const e of streamChat(ep, model, messages, o)) events.push(e);
  const last = <T extends ProviderEvent['type']>(t: T) => events.filter((e): e is Extract<ProviderEvent, { type: T }> => e.type === t);
  return {
    events,
    text: last('text').at(-1)?.text ?? '',
    reasoning: last('reasoning').at(-1)?.text ?? '',
    calls: last('tool-call').map((e) => e.call),
  };
}

/** What the official SDK gets: content and raw reasoning deltas from the chunks, tool calls from its own accumulator. */
async function viaSdk(url: string, model: string, messages: ChatMessage[], tools?: ToolSpec[]) {
  const client = new OpenAI({ baseURL: url, apiKey: KEY, maxRetries: 0 });
  const stream = client.chat.completions.stream({
    model,
    messages: messages as OpenAI.Chat.ChatCompletionMessageParam[],
    stream_options: { include_usage: true },
    ...(tools ? { tools: tools.map((t) => ({ type: 'function' as const, function: { name: t.name, description: t.description, parameters: t.inputSchema as Record<string, unknown> } })) } : {}),
  });
  let text = '';
  let reasoning = '';
  for await (const chunk of stream) {
    const delta = chunk.choices[0]?.delta as (Record<string, unknown> & { content?: string | null }) | undefined;
    text += delta?.content ?? '';
    reasoning += String(delta?.reasoning_content ?? delta?.reasoning ?? '');
  }
  const final = await stream.finalChatCompletion();
  const calls = (final.choices[0].message.tool_calls ?? []).map((c) => {
    assert.equal(c.type, 'function');
    const fn = (c as { function: { name: string; arguments: string } }).function;
    return { id: c.id, name: fn.name, arguments: JSON.parse(fn.arguments) as Record<string, unknown> };
  });
  return { text, reasoning, calls, content: final.choices[0].message.content ?? '' };
}

describe('OpenAI-compatible endpoints against the local endpoint', function () {
  let server: LocalEndpoint | undefined;
  const start = async (o: EndpointFixtureOptions) => {
    await server?.close();
    server = await startEndpoint(o);
    return server;
  };
  const endpointOf = (s: LocalEndpoint, extra: Partial<Endpoint> = {}): Endpoint => ({ name: s.dialect, baseUrl: s.url, preset: PRESET[s.dialect], ...extra });
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  for (const dialect of DIALECTS) {
    describe(`the ${dialect} dialect`, () => {
      it('streams the same answer and reasoning as the official openai SDK, reasoning kept apart', async () => {
        const s = await start({ dialect, apiKey: KEY });
        const question = 'How do I greet someone in Python?';
        const mine = await collect(endpointOf(s, { apiKey: KEY }), THINKING[dialect], user(question));
        const sdk = await viaSdk(s.url, THINKING[dialect], user(question));
        assert.equal(mine.text, scriptedAnswer(question));
        assert.equal(mine.text, sdk.text);
        assert.equal(mine.reasoning, scriptedReasoning(question));
        assert.equal(mine.reasoning, sdk.reasoning);
        assert.ok(!mine.text.includes('The user wrote'), 'the reasoning leaked into the answer');
        assert.ok(mine.events.filter((e) => e.type === 'text').length > 10, 'the answer came in one piece, not streamed');
        assert.deepEqual(mine.events[0], { type: 'status', status: { stage: 'connecting', url: `${s.url}/chat/completions` } });
        assert.deepEqual(mine.events.at(-1), { type: 'done', text: mine.text });
        const usage = mine.events.find((e) => e.type === 'usage');
        assert.ok(usage && usage.type === 'usage' && usage.completionTokens! > 0, 'no usage');
      });

      it('assembles the same native tool call as the SDK, and sends the result back in the OpenAI shape', async () => {
        const s = await start({ dialect });
        const ask = user("Use read_file on 'src/main.ts' please");
        const mine = await collect(endpointOf(s), CODER[dialect], ask, { tools: [READ_FILE] });
        const sdk = await viaSdk(s.url, CODER[dialect], ask, [READ_FILE]);
        assert.equal(mine.calls.length, 1);
        assert.deepEqual(mine.calls, sdk.calls);
        assert.deepEqual(mine.calls[0].arguments, { path: 'src/main.ts' });
        assert.equal(mine.text, '');
        const sent = s.requests.find((r) => r.path.endsWith('/chat/completions'))!.body!;
        assert.deepEqual(sent.tools, [{ type: 'function', function: { name: 'read_file', description: READ_FILE.description, parameters: READ_FILE.inputSchema } }]);

        const call = mine.calls[0];
        const next: ChatMessage[] = [...ask, { role: 'assistant', content: '', toolCalls: [call] }, { role: 'tool', content: 'export const x = 1;', toolCallId: call.id }];
        const after = await collect(endpointOf(s), CODER[dialect], next, { tools: [READ_FILE] });
        assert.equal(after.text, 'The tool read_file returned: export const x = 1;');
        const wire = (s.requests.at(-1)!.body!.messages as Array<Record<string, unknown>>).slice(1);
        assert.deepEqual(wire, [
          { role: 'assistant', content: null, tool_calls: [{ id: call.id, type: 'function', function: { name: 'read_file', arguments: '{"path":"src/main.ts"}' } }] },
          { role: 'tool', content: 'export const x = 1;', tool_call_id: call.id },
        ]);
      });

      it('names the key command and says what the server said when the key is refused, and never shows the key', async () => {
        const s = await start({ dialect, apiKey: 'the-right-key' });
        const err = await failure(collect(endpointOf(s, { apiKey: KEY }), CODER[dialect], user('Hi')));
        assert.equal(err.kind, 'auth');
        assert.match(err.message, new RegExp(`^${dialect} refused the key \\(401`));
        const d = describeError(err);
        assert.match(d.hint, /Qwen: Add Model Endpoint…/);
        const env = presetById(PRESET[dialect])!.keyEnv;
        if (env) assert.match(d.hint, new RegExp(env));
        assert.ok(!`${err.message} ${d.message} ${d.hint}`.includes(KEY), 'the key is in the error');
      });

      it('says the conversation is too long in words, from the dialect\'s own error', async () => {
        const s = await start({ dialect });
        s.script({ kind: 'context-length' });
        const err = await failure(collect(endpointOf(s), CODER[dialect], user('Hi')));
        assert.equal(err.kind, 'context-length');
        assert.match(err.message, new RegExp(`^The conversation is too long for ${CODER[dialect].replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} at ${dialect}: `));
        assert.match(describeError(err).hint, /Start a new conversation/);
        assert.equal(err.retryable, false);
      });

      it('an unknown model is worded as such (Ollama: pull it first)', async () => {
        const s = await start({ dialect });
        if (dialect === 'llamacpp') s.script({ kind: 'unknown-model' }); // llama.cpp serves whatever it loaded
        const err = await failure(collect(endpointOf(s), 'qwen9:1b', user('Hi')));
        assert.equal(err.kind, 'bad-model');
        assert.match(err.message, new RegExp(`^${dialect} does not have the model qwen9:1b`));
        if (dialect === 'ollama') {
          assert.match(err.message, /pull it first: ollama pull qwen9:1b/);
          assert.equal(describeError(err).hint, 'Pull it first: ollama pull qwen9:1b');
        }
      });

      it('a mid-stream error chunk ends the answer with the server\'s words, after the text so far', async () => {
        const s = await start({ dialect });
        s.script({ kind: 'error-chunk', afterTokens: 4, message: 'Upstream provider overloaded' });
        const seen: string[] = [];
        const err = await failure(
          (async () => {
            for await (const e of streamChat(endpointOf(s), CODER[dialect], user('Hi'))) if (e.type === 'text') seen.push(e.delta);
          })(),
        );
        assert.equal(err.kind, 'space-error');
        assert.equal(err.message, `${dialect} failed in the middle of the answer: Upstream provider overloaded.`);
        assert.equal(seen.length, 4);
        assert.match(describeError(err).hint, new RegExp(`^${dialect} failed on its side`));
      });
    });
  }

  describe('the SSE wire, as the spec allows it', () => {
    it('reads CRLF line ends, `data:` without a space and UTF-8 split across writes', async () => {
      const answer = 'Grüße aus 北京 👾 — ça va? ' + 'é'.repeat(40);
      const s = await start({ dialect: 'vllm', crlf: true, noSpace: true, splitWrites: true, answer: () => answer });
      const mine = await collect(endpointOf(s), 'Qwen/Qwen3-8B', user('Hi'));
      assert.equal(mine.text, answer);
      assert.equal(mine.text, (await viaSdk(s.url, 'Qwen/Qwen3-8B', user('Hi'))).text);
    });

    it('takes a stream that ends after finish_reason without [DONE] as complete', async () => {
      const s = await start({ dialect: 'llamacpp', noDone: true });
      assert.equal((await collect(endpointOf(s), 'm.gguf', user('Hi'))).text, scriptedAnswer('Hi'));
    });

    it('skips OpenRouter\'s `: OPENROUTER PROCESSING` comments, and DashScope\'s `usage: null` until the usage chunk', async () => {
      const s = await start({ dialect: 'openrouter' });
      const mine = await collect(endpointOf(s), 'qwen/qwen3-coder', user('Hi'));
      assert.equal(mine.text, scriptedAnswer('Hi'));
      const s2 = await start({ dialect: 'dashscope' });
      const d = await collect(endpointOf(s2), 'qwen-plus', user('Hi'));
      assert.deepEqual(
        d.events.filter((e) => e.type === 'usage'),
        [{ type: 'usage', promptTokens: 8, completionTokens: tokenize(scriptedAnswer('Hi')).length }],
      );
    });

    it('sends extra fields a server takes (DashScope\'s enable_thinking), never over the essentials', async () => {
      const s = await start({ dialect: 'dashscope' });
      await collect(endpointOf(s), 'qwen-plus', user('Hi'), { extraBody: { enable_thinking: true, stream: false, model: 'x' }, maxTokens: 64 });
      const b = s.requests[0].body!;
      assert.deepEqual([b.enable_thinking, b.stream, b.model, b.max_tokens, b.stream_options], [true, true, 'qwen-plus', 64, { include_usage: true }]);
    });

    it('takes a whole (non-streamed) completion from a server that ignored `stream`, reasoning and tool calls included', async () => {
      const s = await start({ dialect: 'vllm', ignoreStream: true });
      const mine = await collect(endpointOf(s), 'Qwen/Qwen3-8B', user('Hi'));
      assert.equal(mine.text, scriptedAnswer('Hi'));
      assert.equal(mine.reasoning, scriptedReasoning('Hi'));
      assert.equal(mine.events.at(-1)?.type, 'done');
      const calls = await collect(endpointOf(s), 'Qwen/Qwen3-8B', user("Use read_file on 'a.ts'"), { tools: [READ_FILE] });
      assert.deepEqual(calls.calls.map((c) => [c.name, c.arguments]), [['read_file', { path: 'a.ts' }]]);
    });
  });

  describe('faults are one line in words, saying what to do', () => {
    it('a key the server wants and none is set says so', async () => {
      const s = await start({ dialect: 'dashscope', apiKey: KEY });
      const err = await failure(collect(endpointOf(s), 'qwen-plus', user('Hi')));
      assert.equal(err.kind, 'auth');
      assert.equal(err.message, 'dashscope wants a key and none is set (401: Incorrect API key provided.).');
      assert.equal(describeError(err).hint, "Set dashscope's key with Qwen: Add Model Endpoint… (the CLI reads it from DASHSCOPE_API_KEY, or --api-key-env).");
    });

    it('an Authorization among the extra headers is not sent: only the endpoint\'s own key is', async () => {
      const s = await start({ dialect: 'ollama' });
      await collect(endpointOf(s), 'qwen3:8b', user('Hi'), { headers: { Authorization: 'Bearer someone-else', 'x-trace': '1' } });
      assert.equal(s.requests[0].headers.authorization, undefined);
      assert.equal(s.requests[0].headers['x-trace'], '1');
    });

    it('402: the credits are used up (HF, OpenRouter; DashScope says Arrearage)', async () => {
      for (const dialect of ['hf', 'openrouter', 'dashscope'] as const) {
        const s = await start({ dialect });
        s.script({ kind: 'credits' });
        const err = await failure(collect(endpointOf(s), CODER[dialect], user('Hi')));
        assert.equal(err.kind, 'quota', dialect);
        assert.match(err.message, new RegExp(`^${dialect} says the account has no credits left`));
        assert.match(describeError(err).hint, new RegExp(`Add credits to your ${dialect} account`));
      }
    });

    it('429 with Retry-After in seconds or as an HTTP date gives the wait', async () => {
      const s = await start({ dialect: 'openrouter' });
      s.script({ kind: 'rate-limit', retryAfter: '17' });
      const a = await failure(collect(endpointOf(s), 'qwen/qwen3-coder', user('Hi')));
      assert.equal(a.kind, 'rate-limited');
      assert.equal(a.details.retryAfterSeconds, 17);
      assert.match(a.message, /Try again in 17 s\.$/);
      assert.equal(describeError(a).hint, 'openrouter asks to wait 17 s; Retry waits that long.');
      s.script({ kind: 'rate-limit', retryAfter: new Date(Date.now() + 120_000).toUTCString() });
      const b = await failure(collect(endpointOf(s), 'qwen/qwen3-coder', user('Hi')));
      assert.ok(b.details.retryAfterSeconds! > 100 && b.details.retryAfterSeconds! <= 120, String(b.details.retryAfterSeconds));
    });

    it('503 while the model loads says so, with HF\'s estimated time', async () => {
      const s = await start({ dialect: 'hf' });
      s.script({ kind: 'loading', estimatedTime: 20.5 });
      const err = await failure(collect(endpointOf(s), 'Qwen/Qwen3-235B-A22B', user('Hi')));
      assert.equal(err.kind, 'not-ready');
      assert.match(err.message, /^hf is still loading Qwen\/Qwen3-235B-A22B \(about 21 s more\): Model Qwen\/Qwen3-235B-A22B is currently loading\.$/);
      assert.equal(err.details.retryAfterSeconds, 21);
      assert.equal(err.retryable, true);
    });

    it('a base URL without /v1: Ollama\'s own API answers "404 page not found"', async () => {
      const s = await start({ dialect: 'ollama' });
      const err = await failure(collect({ name: 'ollama', baseUrl: s.origin, preset: 'ollama' }, 'qwen3:8b', user('Hi')));
      assert.equal(err.kind, 'not-found');
      assert.equal(err.message, `Nothing at ${s.origin}/chat/completions (404: 404 page not found): it is not an OpenAI-compatible API. The base URL may be missing /v1 (try ${s.origin}/v1).`);
      assert.match(describeError(err).hint, /usually ending in \/v1/);
    });

    it('a base URL that is a web page (200 or a 404 page) says so, not "no answer"', async () => {
      const s = await start({ dialect: 'ollama' });
      s.script({ kind: 'html' });
      const err = await failure(collect(endpointOf(s), 'qwen3:8b', user('Hi')));
      assert.equal(err.kind, 'protocol');
      assert.match(err.message, /^ollama answered with a web page \("Open WebUI"\) instead of the API at .*\/v1\/chat\/completions \(200\)\. Check the base URL\.$/);
      const s2 = await start({ dialect: 'openrouter' });
      const err2 = await failure(collect({ name: 'openrouter', baseUrl: s2.origin + '/api', preset: 'openrouter' }, 'qwen/qwen3-coder', user('Hi')));
      assert.equal(err2.kind, 'protocol');
      assert.match(err2.message, /answered with a web page \("404: This page could not be found\."\).*\(404\)\. The base URL may be missing \/v1/);
    });

    it('silence past the idle timeout is a timeout naming the endpoint', async () => {
      const s = await start({ dialect: 'vllm' });
      s.script({ kind: 'silence', afterTokens: 3 });
      const err = await failure(collect(endpointOf(s), 'Qwen/Qwen3-8B', user('Hi'), { idleTimeoutMs: 300 }));
      assert.equal(err.kind, 'timeout');
      assert.equal(err.message, 'vllm sent nothing for 0.3 s while asking vllm for an answer.');
      assert.match(describeError(err).hint, /qwenChat\.requestTimeoutSeconds \(the CLI: --timeout\)/);
    });

    it('a dropped connection, or a stream that ends with neither finish_reason nor [DONE], is "cut", not a short answer', async () => {
      const s = await start({ dialect: 'vllm' });
      s.script({ kind: 'drop', afterTokens: 5 });
      const a = await failure(collect(endpointOf(s), 'Qwen/Qwen3-8B', user('Hi')));
      assert.equal(a.kind, 'stream-ended');
      assert.match(a.message, /^The connection to vllm was cut before the answer was complete/);
      s.script({ kind: 'end-early', afterTokens: 5 });
      const b = await failure(collect(endpointOf(s), 'Qwen/Qwen3-8B', user('Hi')));
      assert.equal(b.kind, 'stream-ended');
      assert.equal(b.message, 'The connection to vllm was cut before the answer was complete.');
      assert.equal(describeError(b).hint, 'The connection to vllm was cut. Try again.');
    });

    it('an event past the bound (8 MB) fails clearly instead of filling memory', async () => {
      const s = await start({ dialect: 'vllm' });
      s.script({ kind: 'huge-event', afterTokens: 2, chars: 9 * 1024 * 1024 });
      const err = await failure(collect(endpointOf(s), 'Qwen/Qwen3-8B', user('Hi')));
      assert.equal(err.kind, 'protocol');
      assert.equal(err.message, 'vllm sent a stream event larger than 8 MB.');
    });

    it('a tool call whose arguments are not JSON is a clear error', async () => {
      const s = await start({ dialect: 'vllm' });
      s.script({ kind: 'bad-tool-json' });
      const err = await failure(collect(endpointOf(s), 'Qwen/Qwen3-8B', user("Use read_file on 'a.ts'"), { tools: [READ_FILE] }));
      assert.equal(err.kind, 'protocol');
      assert.match(err.message, /^The model called the tool read_file with arguments that are not JSON: \{"path": "unterminated/);
      assert.match(describeError(err).hint, /broken tool call/);
    });

    it('a refused connection to Ollama asks whether Ollama is running', async () => {
      const port = await closedPort();
      const err = await failure(collect({ name: 'ollama', baseUrl: `http://127.0.0.1:${port}/v1`, preset: 'ollama' }, 'qwen3:8b', user('Hi')));
      assert.equal(err.kind, 'connection');
      assert.match(err.message, new RegExp(`^127\\.0\\.0\\.1:${port} refused the connection while asking ollama for an answer\\.$`));
      assert.equal(describeError(err).hint, 'Is Ollama running? Start it with `ollama serve`.');
    });

    it('https:// to a plain-http server is a TLS error in words; a refusing proxy is a proxy error', async () => {
      const s = await start({ dialect: 'vllm' });
      const tls = await failure(collect({ name: 'my vllm', baseUrl: s.url.replace('http:', 'https:') }, 'Qwen/Qwen3-8B', user('Hi')));
      assert.equal(tls.kind, 'tls');
      assert.match(tls.message, /the server answered in plain HTTP, not TLS/);
      assert.match(describeError(tls).hint, /^Check my vllm's base URL \(http:\/\/ or https:\/\/\)/);
      const proxy = new LocalProxy({ refuse: true });
      const purl = await proxy.start();
      try {
        const err = await failure(collect({ name: 'hf', baseUrl: 'https://router.huggingface.co/v1', preset: 'hf', apiKey: KEY }, 'Qwen/Qwen3-235B-A22B', user('Hi'), { proxy: purl, noProxy: '' }));
        assert.equal(err.kind, 'proxy');
        assert.match(err.message, /^The proxy http:\/\/127\.0\.0\.1:\d+ failed while asking hf for an answer: it answered 403\.$/);
        assert.ok(!err.message.includes(KEY));
      } finally {
        await proxy.stop();
      }
    });

    it('slow tokens arrive one by one, before the answer is complete', async () => {
      const s = await start({ dialect: 'ollama' });
      s.script({ kind: 'slow', delayMs: 5 });
      let firstTextWhileOpen: boolean | undefined;
      for await (const e of streamChat(endpointOf(s), 'qwen2.5-coder:7b', user('Hi'))) {
        if (e.type === 'text' && firstTextWhileOpen === undefined) firstTextWhileOpen = s.completed === 0;
      }
      assert.equal(firstTextWhileOpen, true);
      assert.equal(s.completed, 1);
    });

    it('a server that echoes the key back never gets it into the error', () => {
      const err = endpointHttpError(401, 'application/json', JSON.stringify({ error: { message: `Incorrect API key provided: ${KEY}.`, code: 'invalid_api_key' } }), '', 'https://api.example.com/v1/models', { who: 'example', baseUrl: 'https://api.example.com/v1', key: KEY });
      assert.ok(!err.message.includes(KEY) && !String(err.details.spaceMessage).includes(KEY));
      assert.match(err.message, /Incorrect API key provided: \*\*\*\./);
    });
  });

  describe('cancel', () => {
    it('aborting closes the request at the server at once and throws "aborted"', async () => {
      const s = await start({ dialect: 'vllm', tokenDelayMs: 20 });
      const ac = new AbortController();
      const err = await failure(
        (async () => {
          for await (const e of streamChat(endpointOf(s), 'Qwen/Qwen3-8B', user('Hi'), { signal: ac.signal })) if (e.type === 'reasoning' || e.type === 'text') ac.abort();
        })(),
      );
      assert.equal(err.kind, 'aborted');
      await waitFor('the server to see the request closed', () => s.cancelled === 1);
      await waitFor('the socket to close', () => s.openSockets === 0);
      assert.equal(s.completed, 0);
    });

    it('leaving the loop early closes the request too', async () => {
      const s = await start({ dialect: 'ollama', tokenDelayMs: 20 });
      for await (const e of streamChat(endpointOf(s), 'qwen2.5-coder:7b', user('Hi'))) if (e.type === 'text') break;
      await waitFor('the server to see the request closed', () => s.cancelled === 1);
    });
  });

  describe('the key goes only where it belongs', () => {
    it('is sent as a bearer token to the endpoint on this machine (127.0.0.1 and localhost)', async () => {
      const s = await start({ dialect: 'vllm', apiKey: KEY });
      await collect(endpointOf(s, { apiKey: KEY }), 'Qwen/Qwen3-8B', user('Hi'));
      await listModels({ name: 'v', baseUrl: s.url.replace('127.0.0.1', 'localhost'), apiKey: KEY });
      assert.deepEqual(s.requests.map((r) => r.headers.authorization), [`Bearer ${KEY}`, `Bearer ${KEY}`]);
    });

    it('is refused, before anything is sent, over plain http to another machine', async () => {
      const err = await failure(collect({ name: 'lab', baseUrl: 'http://10.20.30.40:8000/v1', apiKey: KEY }, 'Qwen/Qwen3-8B', user('Hi')));
      assert.equal(err.kind, 'bad-request');
      assert.equal(err.message, 'The key of lab was not sent: 10.20.30.40:8000 is reached over plain http, where anyone on the way could read it.');
      assert.match(describeError(err).hint, /Use an https:\/\/ base URL, or a server on this machine/);
      assert.ok(!JSON.stringify(describeError(err)).includes(KEY));
      const e2 = await failure(listModels({ name: 'lab', baseUrl: 'http://lab.example:8000/v1', apiKey: KEY }));
      assert.equal(e2.kind, 'bad-request');
    });

    it('is refused for an origin other than the one it was entered for', async () => {
      const s = await start({ dialect: 'vllm' });
      const err = await failure(collect(endpointOf(s, { apiKey: KEY, keyOrigin: 'https://gpu.example.com' }), 'Qwen/Qwen3-8B', user('Hi')));
      assert.equal(err.kind, 'bad-request');
      assert.match(err.message, /was entered for https:\/\/gpu\.example\.com, not for http:\/\/127\.0\.0\.1:\d+\.$/);
      assert.equal(s.requests.length, 0);
    });

    it('the Spaces\' Hugging Face token never goes to an endpoint', async () => {
      const s = await start({ dialect: 'ollama' });
      await collect(endpointOf(s), 'qwen3:8b', user('Hi'), { hfToken: 'hf_space_token' });
      await listModels(endpointOf(s), { hfToken: 'hf_space_token' });
      assert.deepEqual(s.requests.map((r) => r.headers.authorization), [undefined, undefined]);
    });
  });

  describe('listModels', () => {
    it('puts Qwen models first and reads each server\'s context window', async () => {
      const s = await start({ dialect: 'openrouter' });
      const models = await listModels(endpointOf(s));
      assert.deepEqual(models.map((m) => m.id), ['qwen/qwen3-coder', 'qwen/qwen-2.5-72b-instruct', 'qwen/qwen3-235b-a22b', 'openai/gpt-4o-mini']);
      assert.equal(models[0].contextTokens, 262144);
      const v = await start({ dialect: 'vllm' });
      assert.deepEqual(await listModels(endpointOf(v)), [{ id: 'Qwen/Qwen3-8B', contextTokens: 32768, ownedBy: 'vllm' }]);
      const l = await start({ dialect: 'llamacpp' });
      assert.equal((await listModels(endpointOf(l)))[0].contextTokens, 32768);
      const o = await start({ dialect: 'ollama' });
      assert.deepEqual((await listModels(endpointOf(o))).map((m) => m.id), ['qwen2.5-coder:7b', 'qwen3:8b', 'llama3.2:3b']);
    });

    it('falls back to the preset\'s Qwen models when /models is missing or empty', async () => {
      const s = await start({ dialect: 'ollama' });
      s.script({ kind: 'models-404' });
      const ids = presetById('ollama')!.models.map((m) => m.id);
      const a = await listModels(endpointOf(s));
      assert.deepEqual(a.map((m) => m.id), ids);
      assert.ok(a.every((m) => m.fromPreset));
      s.script({ kind: 'models-empty' });
      assert.deepEqual((await listModels(endpointOf(s))).map((m) => m.id), ids);
    });

    it('a refused key is an error, not the fallback list; a web page is an error', async () => {
      const s = await start({ dialect: 'hf', apiKey: 'right' });
      const err = await failure(listModels(endpointOf(s, { apiKey: KEY })));
      assert.equal(err.kind, 'auth');
      assert.equal(err.message, 'hf refused the key (401: Invalid credentials in Authorization header).');
      assert.match(describeError(err).hint, /HF_TOKEN/);
      const o = await start({ dialect: 'ollama' });
      o.script({ kind: 'models-html' });
      const page = await failure(listModels({ name: 'webui', baseUrl: o.url, preset: 'ollama' }));
      assert.equal(page.kind, 'protocol');
      assert.equal(page.message, `webui answered with a web page ("Open WebUI") instead of the API at ${o.url}/models (200). Check the base URL.`);
      const missing = await failure(listModels({ name: 'mine', baseUrl: o.origin + '/api' }));
      assert.equal(missing.kind, 'not-found');
      assert.match(missing.message, /missing \/v1/);
    });
  });

  describe('presets', () => {
    it('are data with the documented base URLs and env vars, each with Qwen fallback models', () => {
      const by = Object.fromEntries(ENDPOINT_PRESETS.map((p) => [p.id, p]));
      assert.equal(by.hf.baseUrl, 'https://router.huggingface.co/v1');
      assert.equal(by.hf.keyEnv, 'HF_TOKEN');
      assert.equal(by.dashscope.baseUrl, 'https://dashscope-intl.aliyuncs.com/compatible-mode/v1');
      assert.equal(by['dashscope-cn'].baseUrl, 'https://dashscope.aliyuncs.com/compatible-mode/v1');
      assert.equal(by.dashscope.keyEnv, 'DASHSCOPE_API_KEY');
      assert.equal(by.openrouter.baseUrl, 'https://openrouter.ai/api/v1');
      assert.equal(by.openrouter.keyEnv, 'OPENROUTER_API_KEY');
      assert.equal(by.ollama.baseUrl, 'http://127.0.0.1:11434/v1');
      assert.equal(by.lmstudio.baseUrl, 'http://127.0.0.1:1234/v1');
      assert.equal(by.llamacpp.baseUrl, 'http://127.0.0.1:8080/v1');
      for (const id of ['vllm', 'sglang', 'tgi']) assert.equal(by[id].baseUrl, undefined);
      for (const p of ENDPOINT_PRESETS) {
        assert.ok(p.models.length > 0, p.id);
        assert.ok(p.key !== 'required' || p.keyEnv, `${p.id} needs a key but names no variable`);
        assert.ok(!p.local || p.baseUrl?.startsWith('http://127.0.0.1:'), p.id);
      }
    });
  });

  it('is an error before sending when the base URL and key make no sense together', async () => {
    const err = await failure(collect({ name: 'x', baseUrl: 'not a url', apiKey: KEY }, 'm', user('Hi')));
    assert.equal(err.kind, 'bad-request');
    assert.ok(err instanceof QwenError);
  });
});
