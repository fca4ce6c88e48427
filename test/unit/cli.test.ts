import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
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
});
