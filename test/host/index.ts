/**
 * Runs the tests that need the real `vscode` API, inside an extension host. The entry point is
 * the one @vscode/test-electron calls (`run()`, `npm run test:desktop`); in code-server a small
 * runner extension calls it (see test/e2e/host.e2e.ts). Results also go to a JSON file when
 * QWEN_HOST_TESTS_RESULT names one, so a process outside VS Code can read them.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import Mocha from 'mocha';

export interface HostResults {
  passed: number;
  failed: number;
  tests: Array<{ title: string; state: 'passed' | 'failed'; error?: string }>;
}

export async function run(resultFile = process.env.QWEN_HOST_TESTS_RESULT): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, color: false });
  for (const f of await fs.readdir(__dirname)) if (f.endsWith('.host.test.js')) mocha.addFile(path.join(__dirname, f));
  const results: HostResults = { passed: 0, failed: 0, tests: [] };
  await new Promise<void>((resolve) => {
    const runner = mocha.run(() => resolve());
    runner.on('pass', (t) => {
      results.passed++;
      results.tests.push({ title: t.fullTitle(), state: 'passed' });
    });
    runner.on('fail', (t, err: Error) => {
      results.failed++;
      results.tests.push({ title: t.fullTitle(), state: 'failed', error: err?.stack ?? String(err) });
    });
  });
  if (resultFile) await fs.writeFile(resultFile, JSON.stringify(results, null, 2));
  if (results.failed > 0) throw new Error(`${results.failed} extension-host test(s) failed`);
}
