/**
 * `npm start`: builds the extension and opens VS Code in the browser with it installed, talking
 * to the real Qwen 2.5 Space. `npm start -- --local` starts the local Space and uses it instead
 * (works offline). `--port N` picks the port (default 8080); `--folder DIR` the folder to open.
 * Conversations and settings persist in .vscode-test/user-data between runs. Ctrl+C stops all.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ensureInstalled, ROOT, VsCode } from '../test/e2e/harness';
import { LocalSpace } from '../test/fixtures/space';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const local = process.argv.includes('--local');
  const env = ensureInstalled();
  let space: LocalSpace | undefined;
  if (local) {
    space = new LocalSpace({ tokenDelayMs: 30 });
    await space.start();
    process.stdout.write(`Local Qwen Space on ${space.url} (faults: POST ${space.url}/__fixture/fault)\n`);
  }
  const userDataDir = path.join(ROOT, '.vscode-test/user-data');
  const folder = path.resolve(arg('folder') ?? path.join(ROOT, '.vscode-test/workspace'));
  await fs.mkdir(folder, { recursive: true });
  const vs = new VsCode(env);
  await vs.startServer({
    port: Number(arg('port') ?? 8080),
    userDataDir,
    workspace: folder,
    extensionsDir: path.join(ROOT, '.vscode-test/extensions'),
    settings: { 'qwenChat.spaceUrl': space ? space.url : 'https://qwen-qwen2-5.hf.space' },
  });
  process.stdout.write(`\nVS Code with Qwen Chat: ${vs.url}/?folder=${encodeURIComponent(folder)}\n`);
  process.stdout.write(`Using ${space ? 'the local Space' : 'the real Space (https://qwen-qwen2-5.hf.space)'}. Ctrl+C stops everything.\n`);
  const stop = async () => {
    await vs.stop();
    await space?.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  vs.child?.on('exit', () => void stop());
}

main().catch((err: unknown) => {
  process.stderr.write(`npm start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
