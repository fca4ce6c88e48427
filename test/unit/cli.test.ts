import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import path from 'node:path';
import { type LocalEndpoint, startEndpoint } from '../fixtures/endpoint';
import { LocalSpace, scriptedAnswer } from '../fixtures/space';

const CLI = path.resolve(__dirname, '../../../dist/cli.js');

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...process.env, HTTP_PROXY: '', HTTPS_PROXY: '' } }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

describe('command line (dist/cli.js)', () => {
  let space: LocalSpace;
  beforeEach(async () => {
    space = new LocalSpace({ tokenDelayMs: 1 });
    await space.start();
  });
  afterEach(() => space.stop());

  it('writes only the answer to stdout and the status to stderr', async () => {
    const r = await run(['--url', space.url, '--system', 'Be kind', 'What', 'is', 'this?']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, scriptedAnswer('What is this?') + '\n');
    assert.match(r.stderr, /Connecting to .*\n.*In queue: position 1 of 1\nGenerating\.\.\./);
    assert.equal(space.stats.joins[0].data[2], 'Be kind');
  });

  it('stops asking the Space and exits 0, quietly, when its reader goes away (| head)', async () => {
    space.opts.tokenDelayMs = 20;
    space.opts.answer = () => Array.from({ length: 400 }, (_, i) => `word${i}`).join(' ');
    const child = spawn(process.execPath, [CLI, '--url', space.url, '--quiet', 'long'], { env: { ...process.env, HTTP_PROXY: '', HTTPS_PROXY: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // Like `head -c 10`: read the first bytes, then close the pipe.
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 0, stderr);
    assert.equal(stderr, '', 'no stack trace, no error');
    assert.ok(space.stats.cancels.length + space.stats.disconnects > 0, 'the Space was told');
  });

  it('prints the Space\'s error to stderr and exits non-zero', async () => {
    space.faults.push({ kind: 'error', afterTokens: 2, message: 'GPU task aborted' });
    const r = await run(['--url', space.url, 'hi']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /qwen-chat: The Space raised an error: GPU task aborted/);
  });

  it('exits 2 with usage on bad arguments and an unknown model', async () => {
    const none = await run([]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /no prompt given[\s\S]*usage:/);
    const model = await run(['--url', space.url, '--model', 'gpt-4', 'hi']);
    assert.equal(model.code, 2);
    assert.match(model.stderr, /Unknown model "gpt-4"/);
  });

  it('ends stdout with the Space\'s final answer when it rewrote what had streamed, and says so on stderr', async () => {
    space.opts.answer = () => 'Hello wrold and more';
    space.faults.push({ kind: 'correct', afterTokens: 2, text: 'Hello world!' });
    const r = await run(['--url', space.url, 'hi']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\nHello world!\n$/, 'the last line is the final answer');
    assert.match(r.stderr, /rewrote its answer/);
  });

  it('lists every model with its Space, and says which model answered', async () => {
    const list = await run(['--list-models']);
    assert.equal(list.code, 0);
    for (const m of ['qwen-2.5 ', 'qwen-2.5-max', 'qwen-2-72b', 'qwen-3-235b', 'qwen-2.5-1m']) assert.ok(list.stdout.includes(m), m);
    assert.match(list.stdout, /qwen-2\.5-max\s+Qwen\/Qwen2\.5-Max-Demo\s+https:\/\/qwen-qwen2-5-max-demo\.hf\.space/);
    const r = await run(['--space', `qwen-2.5=${space.url}`, '--hub', 'none', 'hi']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Answered by qwen-2\.5 \(Qwen\/Qwen2\.5 at http:\/\/127\.0\.0\.1:\d+\)/);
  });

  it('falls back to the next model when the chosen Space is down, unless --no-fallback', async () => {
    const max = new LocalSpace({ shape: 'qwen2.5-max', tokenDelayMs: 1, answer: () => 'max here' });
    await max.start();
    try {
      const down = 'http://127.0.0.1:9'; // the discard port: nothing listens there
      const r = await run(['--space', `qwen-2.5=${down}`, '--space', `qwen-2.5-max=${max.url}`, '--hub', 'none', 'hi']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'max here\n');
      assert.match(r.stderr, /Qwen2\.5 could not be reached; trying qwen-2\.5-max/);
      assert.match(r.stderr, /Answered by qwen-2\.5-max .*: Qwen2\.5 could not be reached/);
      const off = await run(['--space', `qwen-2.5=${down}`, '--no-fallback', '--hub', 'none', 'hi']);
      assert.equal(off.code, 1);
      assert.equal(max.stats.joins.length, 1);
    } finally {
      await max.stop();
    }
  });
});

describe('command line with OpenAI-compatible endpoints', () => {
  let endpoint: LocalEndpoint;
  let space: LocalSpace;
  beforeEach(async () => {
    endpoint = await startEndpoint({ dialect: 'vllm', apiKey: 'sk-cluster-key', tokenDelayMs: 1, answer: (q) => `From the cluster: ${q}` });
    space = new LocalSpace({ tokenDelayMs: 1 });
    await space.start();
  });
  afterEach(async () => {
    await endpoint.close();
    await space.stop();
  });

  function runEnv(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(process.execPath, [CLI, ...args], { env: { ...process.env, HTTP_PROXY: '', HTTPS_PROXY: '', ...env } }, (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
      });
    });
  }

  it('answers from ENDPOINT/MODEL declared with --endpoint, the key from <NAME>_API_KEY, reasoning kept off stdout', async () => {
    const r = await runEnv(['--endpoint', `gpu=${endpoint.url}`, '--model', 'gpu/Qwen/Qwen3-8B', 'Why is the sky blue?'], { GPU_API_KEY: 'sk-cluster-key' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'From the cluster: Why is the sky blue?\n', 'the answer alone: no reasoning on stdout');
    assert.match(r.stderr, /Answered by gpu\/Qwen\/Qwen3-8B \(gpu at 127\.0\.0\.1:\d+\)/);
    assert.equal(endpoint.requests.at(-1)?.headers.authorization, 'Bearer sk-cluster-key');
    assert.doesNotMatch(r.stderr + r.stdout, /sk-cluster-key/);
  });

  it('reads the key from --api-key-env, and says what to do without one, never printing it', async () => {
    const ok = await runEnv(['--endpoint', `vllm=${endpoint.url}`, '--api-key-env', 'MY_KEY', '--model', 'vllm/Qwen/Qwen3-8B', 'hi'], { MY_KEY: 'sk-cluster-key' });
    assert.equal(ok.code, 0, ok.stderr);
    const wrong = await runEnv(['--endpoint', `vllm=${endpoint.url}`, '--api-key-env', 'MY_KEY', '--model', 'vllm/Qwen/Qwen3-8B', 'hi'], { MY_KEY: 'sk-wrong-one' });
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /key/i);
    assert.doesNotMatch(wrong.stderr, /sk-wrong-one/);
  });

  it('falls back from a dead Space to an endpoint with --fallback-order, and lists an endpoint\'s models', async () => {
    const r = await runEnv(['--space', 'qwen-2.5=http://127.0.0.1:9', '--hub', 'none', '--endpoint', `gpu=${endpoint.url}`, '--fallback-order', 'gpu/Qwen/Qwen3-8B', 'hi'], { GPU_API_KEY: 'sk-cluster-key' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'From the cluster: hi\n');
    assert.match(r.stderr, /Answered by gpu\/Qwen\/Qwen3-8B .*: Qwen2\.5 could not be reached/);
    const list = await runEnv(['--endpoint', `gpu=${endpoint.url}`, '--list-models'], { GPU_API_KEY: 'sk-cluster-key' });
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^gpu\/Qwen\/Qwen3-8B\s+http:\/\/127\.0\.0\.1:\d+\/v1$/m);
    assert.match(list.stdout, /^ollama\/qwen2\.5-coder:7b\s+Ollama/m);
    assert.doesNotMatch(list.stdout + list.stderr, /sk-cluster-key/);
  });

  it('keeps HF_TOKEN from any host that is not Hugging Face over HTTPS', async () => {
    const r = await runEnv(['--url', space.url, '--hub', 'none', 'hi'], { HF_TOKEN: 'hf_abcdefghijklmnop' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(space.stats.joins[0].authorization, undefined);
    assert.doesNotMatch(r.stderr, /hf_abcdefghijklmnop/);
  });

  it('refuses an unknown endpoint and a bad --endpoint in words, with exit 2', async () => {
    const r = await runEnv(['--model', 'nowhere/qwen', 'hi'], {});
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no endpoint is named "nowhere"/);
    const bad = await runEnv(['--endpoint', 'x=ftp://a', 'hi'], {});
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /not an http:\/\/ or https:\/\/ URL/);
  });
});
