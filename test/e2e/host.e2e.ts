/**
 * Runs test/host/*.host.test.ts inside code-server's real extension host and reports each
 * result here. A tiny runner extension, written next to the extension under test, calls
 * test/host/index.js `run()` (the same entry @vscode/test-electron uses) once VS Code has
 * started, and the results come back through a JSON file.
 */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LocalSpace } from '../fixtures/space';
import type { HostResults } from '../host';
import { waitFor } from '../support/wait';
import { ensureInstalled, installVsix, packageFolder, ROOT, VsCode, type VsCodeEnv } from './harness';

/** A small extension that runs test/host's `run()` in the extension host, packaged and installed like ours. */
async function installRunnerExtension(env: VsCodeEnv, extensionsDir: string, userDataDir: string): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'qwen-host-runner-'));
  await fs.writeFile(
    path.join(dir, 'package.json'),
    JSON.stringify({
      name: 'qwen-chat-host-tests', publisher: 'qwen-chat-dev', version: '0.0.1', engines: { vscode: '^1.90.0' }, description: 'Runs the Qwen Chat extension-host tests.',
      activationEvents: ['onStartupFinished'], main: './runner.js', extensionDependencies: ['qwen-chat-dev.qwen-chat'],
    }),
  );
  await fs.writeFile(
    path.join(dir, 'runner.js'),
    `const fs = require('fs');
exports.activate = async () => {
  const out = process.env.QWEN_HOST_TESTS_RESULT;
  if (!out) return;
  try { await require(process.env.QWEN_HOST_TESTS_INDEX).run(out); }
  catch (e) { if (!fs.existsSync(out)) fs.writeFileSync(out, JSON.stringify({ passed: 0, failed: 1, tests: [{ title: 'runner', state: 'failed', error: String(e && e.stack || e) }] })); }
};
exports.deactivate = () => {};
`,
  );
  await fs.writeFile(path.join(dir, 'README.md'), '# Qwen Chat extension-host test runner\n');
  packageFolder(dir, path.join(dir, 'runner.vsix'));
  installVsix(env, extensionsDir, userDataDir, path.join(dir, 'runner.vsix'));
}

describe('tests inside the real extension host', function () {
  this.timeout(240_000);
  let space: LocalSpace;
  let vs: VsCode;
  let results: HostResults;

  before(async function () {
    this.timeout(900_000);
    const env = ensureInstalled();
    space = new LocalSpace({ tokenDelayMs: 5 });
    await space.start();
    const resultFile = path.join(await fs.mkdtemp(path.join(os.tmpdir(), 'qwen-host-')), 'results.json');
    vs = new VsCode(env);
    await vs.startServer({
      settings: { 'qwenChat.spaceUrl': space.url },
      env: {
        QWEN_TEST_SPACE_URL: space.url,
        QWEN_HOST_TESTS_RESULT: resultFile,
        QWEN_HOST_TESTS_INDEX: path.join(ROOT, 'out/test/host/index.js'),
        HTTP_PROXY: '', HTTPS_PROXY: '', http_proxy: '', https_proxy: '', NO_PROXY: '', no_proxy: '',
      },
      beforeStart: (extensionsDir, userDataDir) => installRunnerExtension(env, extensionsDir, userDataDir),
    });
    await vs.startBrowser(); // the extension host starts when a window connects
    await vs.open();
    const text = await waitFor('results from the extension host', () => fs.readFile(resultFile, 'utf8').catch(() => ''), { timeoutMs: 180_000, everyMs: 250 }).catch((err) => {
      throw new Error(`${(err as Error).message}:\n${vs.logs.join('').slice(-3000)}`);
    });
    results = JSON.parse(text) as HostResults;
    await vs.screenshot('extension-host-tests');
  });

  after(async () => {
    await vs?.stop();
    await space?.stop();
  });

  it('ran the extension-host tests', () => {
    assert.ok(results.tests.length >= 5, `only ${results.tests.length} ran`);
  });

  it('passed every extension-host test', () => {
    for (const t of results.tests) process.stdout.write(`      ${t.state === 'passed' ? '✔' : '✗'} [host] ${t.title}\n`);
    const failed = results.tests.filter((t) => t.state === 'failed');
    assert.deepEqual(failed.map((t) => `${t.title}: ${t.error}`), []);
    assert.equal(results.passed, results.tests.length);
  });
});
