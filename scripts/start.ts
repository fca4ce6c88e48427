/**
 * `npm start`: opens VS Code in the browser with the freshly packaged extension installed, talking
 * to the real Qwen Spaces. `npm start -- --local` is the offline demo: every model is served by a
 * local Space of its own layout (test/fixtures/demo-spaces.ts) that answers like a demo model, a
 * local Hub reports their stages, and the folder that opens is a small sample project copied out
 * of the repository (so VS Code does not ask about the repository's git).
 *
 *   --port N          VS Code's port (default 8080)
 *   --space-port N    with --local: the Hub and fault controls on N, the five Spaces on N+1..N+5
 *                     (default 7860; 0: any free ports, printed)
 *   --folder DIR      the folder to open (default: the sample project, copied on first use)
 *   --data-dir DIR    VS Code's user data and extensions, and the sample project's copy
 *                     (default .vscode-test/, and the copy in the system's temp folder)
 *   --no-open         print the address without opening a browser (for scripts and tests)
 *   --gradio6         with --local: serve Qwen2.5 as its Gradio 6 app (messages format)
 *
 * Conversations and settings persist between runs in the data dir. Ctrl+C stops everything.
 */
import { spawn } from 'node:child_process';
import { existsSync, promises as fs, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { demoAnswer } from '../test/fixtures/demo-answer';
import { DEMO_CONTROLS, DemoSpaces } from '../test/fixtures/demo-spaces';
import { type LocalEndpoint, startEndpoint } from '../test/fixtures/endpoint';

/** The local endpoint's models: a thinking Qwen3 (its reasoning folded) and a coder. */
const DEMO_ENDPOINT_MODELS = ['Qwen/Qwen3-8B', 'Qwen/Qwen2.5-Coder-7B-Instruct'];
import { ensureInstalled, ROOT, VsCode } from '../test/e2e/harness';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const flag = (name: string) => process.argv.includes(`--${name}`);
const say = (line: string) => process.stdout.write(`${line}\n`);

/** Whether code-server is installed already (install-vscode.sh marks a finished install). */
function vscodeInstalled(): boolean {
  const dir = path.join(ROOT, '.vscode-test');
  return existsSync(path.join(dir, 'env.sh')) && readdirSync(dir).some((d) => d.startsWith('code-server-') && existsSync(path.join(dir, d, '.installed')));
}

/** Runs install-vscode.sh, saying every 20 s how long it has been running against the estimate. */
async function installVsCode(step: string): Promise<void> {
  const first = !vscodeInstalled();
  if (first) {
    say(`${step} Installing VS Code (code-server, 750 MB), Node 24 and Chromium into .vscode-test/: first start only,`);
    say('      about 4 minutes on 2 cores (apt-get needs root or sudo). Later starts skip this.');
  } else say(`${step} VS Code (code-server) is installed`);
  const t0 = Date.now();
  const ticker = first
    ? setInterval(() => {
        const s = Math.round((Date.now() - t0) / 1000);
        say(`      … still installing: ${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')} so far (about 4 min in all)`);
      }, 20_000)
    : undefined;
  try {
    const code = await new Promise<number>((resolve) => {
      const child = spawn('bash', [path.join(ROOT, 'scripts/install-vscode.sh')], { stdio: ['ignore', first ? 'inherit' : 'ignore', 'inherit'] });
      child.on('close', (c) => resolve(c ?? 1));
    });
    if (code !== 0) throw new Error(`installing VS Code failed (exit ${code}); run \`bash scripts/install-vscode.sh\` to see why`);
  } finally {
    clearInterval(ticker);
  }
  if (first) say(`      installed in ${Math.round((Date.now() - t0) / 1000)} s`);
}

/** Copies the sample project to `dest` (files already there are kept: they may hold the user's edits). */
async function sampleProject(dest: string): Promise<string> {
  await fs.mkdir(dest, { recursive: true });
  await fs.cp(path.join(ROOT, 'demo/sample-project'), dest, { recursive: true, force: false, errorOnExist: false });
  return dest;
}

function openBrowser(url: string): void {
  const cmd = process.platform === 'darwin' ? ['open', url] : process.platform === 'win32' ? ['cmd', '/c', 'start', '', url] : ['xdg-open', url];
  try {
    const child = spawn(cmd[0], cmd.slice(1), { stdio: 'ignore', detached: true });
    child.on('error', () => say('(Could not open a browser: open the address above yourself.)'));
    child.unref();
  } catch {
    /* the address is printed anyway */
  }
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const local = flag('local');
  const dataDir = path.resolve(arg('data-dir') ?? path.join(ROOT, '.vscode-test'));
  const steps = local ? 3 : 2;
  await installVsCode(`[1/${steps}]`);
  const env = ensureInstalled(); // quick now: every step of the install is done

  let demo: DemoSpaces | undefined;
  const settings: Record<string, unknown> = {
    // VS Code's Chat is on (the harness turns it off for the other tests), so Qwen is in its picker.
    'chat.disableAIFeatures': false,
    // An earlier --local run's addresses must not outlive it in the saved settings.
    'qwenChat.spaceUrl': 'https://qwen-qwen2-5.hf.space',
    'qwenChat.spaces': {},
    'qwenChat.hubUrl': '',
    'qwenChat.endpoints': [],
  };
  let endpoint: LocalEndpoint | undefined;
  const vsEnv: Record<string, string> = {};
  if (local) {
    say(`[2/${steps}] Starting the local Spaces (every model) and their Hub`);
    const spacePort = Number(arg('space-port') ?? 7860);
    demo = new DemoSpaces({ basePort: spacePort, tokenDelayMs: 30, gradio6: flag('gradio6') });
    await demo.start().catch((err: unknown) => {
      throw new Error(`could not start the local Spaces on ports ${spacePort}-${spacePort + 5} (${err instanceof Error ? err.message : String(err)}): try --space-port 0`);
    });
    Object.assign(settings, demo.settings());
    // The Qwen: Demo Faults… command reads where the controls are; loopback never goes through a proxy.
    vsEnv.QWEN_CHAT_DEMO = demo.url;
    vsEnv.NO_PROXY = vsEnv.no_proxy = [process.env.NO_PROXY ?? process.env.no_proxy, '127.0.0.1', 'localhost'].filter(Boolean).join(',');
    // Your own endpoint, offline: a local OpenAI-compatible server (vLLM's dialect) beside the
    // Spaces, in every picker as local/… and the fallback after the Spaces.
    const endpointPort = spacePort ? spacePort + 6 : 0;
    endpoint = await startEndpoint({ dialect: 'vllm', port: endpointPort, tokenDelayMs: 20, models: DEMO_ENDPOINT_MODELS, answer: demoAnswer }).catch((err: unknown) => {
      throw new Error(`could not start the local endpoint on port ${endpointPort} (${err instanceof Error ? err.message : String(err)}): try --space-port 0`);
    });
    settings['qwenChat.endpoints'] = [{ name: 'local', preset: 'vllm', baseUrl: endpoint.url, models: DEMO_ENDPOINT_MODELS }];
    say(`      a local OpenAI-compatible endpoint at ${endpoint.url} (models local/${DEMO_ENDPOINT_MODELS.join(', local/')})`);
  }

  const folder = arg('folder')
    ? path.resolve(arg('folder')!)
    : await sampleProject(arg('data-dir') ? path.join(dataDir, 'sample-project') : path.join(os.tmpdir(), 'qwen-chat-demo', 'sample-project'));
  await fs.mkdir(folder, { recursive: true });

  say(`[${steps}/${steps}] Starting VS Code (about 15 s)`);
  const vs = new VsCode(env);
  await vs.startServer({
    port: Number(arg('port') ?? 8080),
    userDataDir: path.join(dataDir, 'user-data'),
    workspace: folder,
    extensionsDir: path.join(dataDir, 'extensions'),
    settings,
    env: vsEnv,
  });
  const address = `${vs.url}/?folder=${encodeURIComponent(folder)}`;
  say('');
  say(`VS Code with Qwen Chat: ${address}`);
  say(`The folder: ${folder}`);
  if (demo) {
    say(`Local Spaces (offline demo): Hub and fault controls on ${demo.url}`);
    for (const [id, s] of demo.spaces) say(`  ${id.padEnd(24)} ${s.url}`);
    say('Faults, for the next question to a model (or run "Qwen: Demo Faults…" in VS Code):');
    for (const c of DEMO_CONTROLS) say(`  curl -X POST '${demo.url}/demo/${c.id}${c.id === 'reset' ? '' : '?model=qwen-2.5'}'`);
  } else say('Using the real Qwen Spaces on Hugging Face (`npm start -- --local` works offline).');
  say(`Ready in ${Math.round((Date.now() - t0) / 1000)} s (after the build). Ctrl+C stops everything.`);
  if (!flag('no-open')) openBrowser(address);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await vs.stop();
    await demo?.stop();
    await endpoint?.close();
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
