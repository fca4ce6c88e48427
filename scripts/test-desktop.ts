/**
 * `npm run test:desktop`: the extension-host tests (test/host) in desktop VS Code through
 * @vscode/test-electron, for contributors who are online (it downloads VS Code). Offline, use
 * `npm run test:e2e`, which runs the same tests in code-server.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { LocalSpace } from '../test/fixtures/space';

const ROOT = path.resolve(__dirname, '../..');

async function main(): Promise<number> {
  const space = new LocalSpace({ tokenDelayMs: 5 });
  await space.start();
  const workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'qwen-desktop-'));
  try {
    await runTests({
      extensionDevelopmentPath: ROOT,
      extensionTestsPath: path.join(ROOT, 'out/test/host/index.js'),
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
      extensionTestsEnv: { QWEN_TEST_SPACE_URL: space.url, HTTP_PROXY: '', HTTPS_PROXY: '' },
    });
    return 0;
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    if (/ENOTFOUND|EAI_AGAIN|getaddrinfo|ECONNREFUSED|download/i.test(msg)) {
      process.stderr.write(`test:desktop could not download VS Code (${msg}).\nOffline, run \`npm run test:e2e\`: it runs the same extension-host tests in code-server.\n`);
    } else {
      process.stderr.write(`test:desktop: ${msg}\n`);
    }
    return 1;
  } finally {
    await space.stop();
  }
}

void main().then((code) => process.exit(code));
