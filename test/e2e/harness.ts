/**
 * A real VS Code (code-server's web workbench, on Node 24 from npm) with the freshly built
 * extension installed, driven in Debian's Chromium through playwright-core, against the local
 * Space. Every process started here is stopped in `stop()`, pass or fail.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { promises as fs, readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { type Browser, chromium, type Frame, type Page } from 'playwright-core';
import { waitFor } from '../support/wait';

export const ROOT = path.resolve(__dirname, '../../..');

export interface VsCodeEnv {
  NODE24: string;
  CODE_SERVER_ENTRY: string;
  CHROMIUM: string;
}

/** Installs (once, cached) and reads where Node 24, code-server and Chromium are. */
export function ensureInstalled(): VsCodeEnv {
  execFileSync('bash', [path.join(ROOT, 'scripts/install-vscode.sh')], { stdio: ['ignore', 'inherit', 'inherit'] });
  const env: Record<string, string> = {};
  for (const line of readFileSync(path.join(ROOT, '.vscode-test/env.sh'), 'utf8').split('\n')) {
    const m = /^(\w+)="(.*)"$/.exec(line);
    if (m) env[m[1]] = m[2];
  }
  return env as unknown as VsCodeEnv;
}

export async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** The package a user installs, made by `npm run package`. */
export const VSIX = path.join(ROOT, 'qwen-chat.vsix');

/**
 * Installs qwen-chat.vsix with VS Code's own installer (`--install-extension`), so the tests run
 * exactly what a user installs: the production bundles and only what .vscodeignore lets in.
 */
export async function installExtension(env: VsCodeEnv, extensionsDir: string, userDataDir: string): Promise<void> {
  const vsix = await fs.stat(VSIX).catch(() => undefined);
  if (!vsix) throw new Error(`${VSIX} is missing: run \`npm run package\` first (npm run test:e2e and npm start do)`);
  for (const built of ['dist/extension.js', 'dist/webview.js', 'package.json']) {
    const st = await fs.stat(path.join(ROOT, built)).catch(() => undefined);
    if (st && st.mtimeMs > vsix.mtimeMs + 1_000) throw new Error(`${VSIX} is older than ${built}: run \`npm run package\` again`);
  }
  installVsix(env, extensionsDir, userDataDir, VSIX);
}

/** Installs a .vsix with VS Code's own installer: the only way an extension is sure to be loaded. */
export function installVsix(env: VsCodeEnv, extensionsDir: string, userDataDir: string, vsix: string): void {
  execFileSync(env.NODE24, [env.CODE_SERVER_ENTRY, '--extensions-dir', extensionsDir, '--user-data-dir', userDataDir, '--install-extension', vsix, '--force'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Packages an extension folder into a .vsix with @vscode/vsce, as `npm run package` does. */
export function packageFolder(dir: string, out: string): void {
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules/@vscode/vsce/vsce'), 'package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '-o', out], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export interface StartOptions {
  settings?: Record<string, unknown>;
  files?: Record<string, string>;
  /** Keep user data from an earlier start (for reload/restart tests). */
  userDataDir?: string;
  workspace?: string;
  /** Extra environment for VS Code (and so for the extension host). */
  env?: Record<string, string>;
  /** Runs after the extension is installed, before VS Code starts (to add more extensions with installVsix). */
  beforeStart?: (extensionsDir: string, userDataDir: string) => Promise<void>;
  /** Turn Workspace Trust on and open the folder untrusted (Restricted Mode), as a user who said No. */
  untrusted?: boolean;
}

export class VsCode {
  child?: ChildProcess;
  browser?: Browser;
  page!: Page;
  url = '';
  logs: string[] = [];
  /** Errors the workbench and the webviews reported (page errors and console.error). */
  browserErrors: string[] = [];
  workspace = '';
  userDataDir = '';
  extensionsDir = '';

  constructor(private readonly env: VsCodeEnv) {}

  /** Starts VS Code in the browser (the server and a headless Chromium on it). */
  async start(o: StartOptions = {}): Promise<void> {
    await this.startServer(o);
    await this.startBrowser();
    await this.open();
  }

  /** A headless Chromium page on the server (not yet navigated). */
  async startBrowser(): Promise<void> {
    this.browser = await chromium.launch({
      executablePath: this.env.CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const context = await this.browser.newContext({ viewport: { width: 1400, height: 900 }, permissions: ['clipboard-read', 'clipboard-write'] });
    this.page = await context.newPage();
    // Errors in the workbench or the webview go to test-results/browser-errors.log, to read when a test fails.
    const errors = path.join(ROOT, 'test-results', 'browser-errors.log');
    const note = (line: string) => this.browserErrors.push(line) && void fs.mkdir(path.dirname(errors), { recursive: true }).then(() => fs.appendFile(errors, `${new Date().toISOString()} ${line}\n`)).catch(() => undefined);
    this.page.on('pageerror', (e) => note(`pageerror ${e.stack ?? e.message}`));
    this.page.on('console', (m) => {
      if (m.type() === 'error') note(`console.error ${m.text()} (${m.location().url})`);
    });
    if (!this.url) throw new Error('start the server first');
  }

  /** Starts only the code-server process with the extension installed. */
  async startServer(o: StartOptions & { port?: number; extensionsDir?: string } = {}): Promise<void> {
    const base = await fs.mkdtemp(path.join(os.tmpdir(), 'qwen-e2e-'));
    this.userDataDir = o.userDataDir ?? path.join(base, 'user-data');
    this.extensionsDir = o.extensionsDir ?? path.join(base, 'extensions');
    this.workspace = o.workspace ?? path.join(base, 'workspace');
    await fs.mkdir(path.join(this.userDataDir, 'User'), { recursive: true });
    await fs.mkdir(this.workspace, { recursive: true });
    for (const [name, text] of Object.entries(o.files ?? {})) {
      await fs.mkdir(path.dirname(path.join(this.workspace, name)), { recursive: true });
      await fs.writeFile(path.join(this.workspace, name), text);
    }
    const settingsFile = path.join(this.userDataDir, 'User/settings.json');
    const old = await fs.readFile(settingsFile, 'utf8').then((t) => JSON.parse(t) as Record<string, unknown>).catch(() => ({}));
    await fs.writeFile(
      settingsFile,
      JSON.stringify(
        {
          'workbench.startupEditor': 'none',
          'workbench.tips.enabled': false,
          'workbench.welcomePage.walkthroughs.openOnInstall': false,
          'security.workspace.trust.enabled': false,
          'extensions.autoUpdate': false,
          'extensions.autoCheckUpdates': false,
          'telemetry.telemetryLevel': 'off',
          'chat.disableAIFeatures': true,
          'chat.commandCenter.enabled': false,
          'editor.minimap.enabled': false,
          'window.commandCenter': false,
          ...old,
          ...(o.untrusted ? { 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never' } : {}),
          ...o.settings,
        },
        null,
        2,
      ),
    );
    await installExtension(this.env, this.extensionsDir, this.userDataDir);
    await o.beforeStart?.(this.extensionsDir, this.userDataDir);
    const port = o.port ?? (await freePort());
    this.child = spawn(
      this.env.NODE24,
      [
        this.env.CODE_SERVER_ENTRY,
        '--bind-addr', `127.0.0.1:${port}`,
        '--auth', 'none',
        '--disable-telemetry',
        '--disable-update-check',
        ...(o.untrusted ? [] : ['--disable-workspace-trust']),
        '--disable-getting-started-override',
        '--extensions-dir', this.extensionsDir,
        '--user-data-dir', this.userDataDir,
        this.workspace,
      ],
      { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...o.env } },
    );
    const onOut = (d: Buffer) => this.logs.push(d.toString());
    this.child.stdout!.on('data', onOut);
    this.child.stderr!.on('data', onOut);
    this.url = `http://127.0.0.1:${port}`;
    this.child.on('exit', (code) => this.logs.push(`code-server exited with ${code}\n`));
    // Up when /healthz answers; an exit ends the wait at once. The bound is generous: a cold
    // first start on a loaded 2-core machine (CI, or right after a build) has taken over 30 s.
    const child = this.child;
    const up = await waitFor(`${this.url}/healthz to come up`, async () => (child.exitCode !== null ? 'exited' : (await fetch(`${this.url}/healthz`)).ok && 'up'), { timeoutMs: 120_000, everyMs: 200 }).catch(
      (err: Error) => err,
    );
    if (up !== 'up') {
      const said = this.logs.join('').trim().split('\n').slice(-15).join('\n');
      throw new Error(`code-server did not start (${up === 'exited' ? `it exited with ${child.exitCode}` : up.message}). It said:\n${said || '(nothing)'}`);
    }
  }

  /** Loads (or reloads) the workbench and waits for it. */
  async open(): Promise<void> {
    await this.page.goto(`${this.url}/?folder=${encodeURIComponent(this.workspace)}`);
    await this.page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    await this.page.waitForSelector('.statusbar', { timeout: 60_000 });
    // The extension's contributions are registered once its activity bar entry shows.
    await this.page.waitForSelector('.activitybar [aria-label="Qwen Chat"]', { timeout: 60_000 });
  }

  async reload(): Promise<void> {
    await this.page.reload();
    await this.page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
  }

  /** Runs a command from the palette by its title (that command, not whichever row comes first). */
  async command(title: string): Promise<void> {
    await this.page.keyboard.press('F1');
    await this.pick(`>${title}`, title);
  }

  /**
   * In the open quick pick, types `filter` and takes the row labelled `label` (the whole label, or
   * a pattern) from the keyboard, as a user does: arrows to it, then Enter.
   */
  async pick(filter: string, label: string | RegExp): Promise<void> {
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(filter);
    const re = typeof label === 'string' ? new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) : label;
    // The row's own label: a row's text also holds its keybinding, description and group.
    const rows = this.page.locator('.quick-input-list .monaco-list-row');
    const want = rows.filter({ has: this.page.locator('.label-name', { hasText: re }) }).first();
    await want.waitFor({ state: 'visible', timeout: 20_000 }).catch(async (err: Error) => {
      throw new Error(`no row ${re} for "${filter}"; the rows: ${(await rows.allTextContents()).join(' | ')} (${err.message.split('\n')[0]})`);
    });
    const focused = () => want.evaluate((e) => e.classList.contains('focused'));
    for (let i = 0; i < 30 && !(await focused()); i++) await input.press('ArrowDown');
    if (!(await focused())) throw new Error(`could not reach the row ${re} in: ${(await rows.allTextContents()).join(' | ')}`);
    await input.press('Enter');
  }

  /** Opens a workspace file in an editor through Quick Open. */
  async openFile(name: string): Promise<void> {
    const input = this.page.locator('.quick-input-widget input');
    // Quick Open from the keyboard. With the focus inside a webview (the chat), the workbench can
    // miss the key once: then the webview's frame gives up the focus to the workbench, and the key again.
    await waitFor('Quick Open', async () => {
      await this.page.keyboard.press('Control+P');
      if (await input.waitFor({ state: 'visible', timeout: 5_000 }).then(() => true, () => false)) return true;
      await this.page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      return false;
    }, { timeoutMs: 30_000, everyMs: 100 });
    await input.fill(name);
    // Click the file's own row: Enter would take whichever row is first while the list still filters.
    const row = this.page.locator('.quick-input-list .monaco-list-row', { hasText: path.basename(name) }).first();
    await row.waitFor({ timeout: 20_000 });
    await row.click();
    // The file's tab must be the active one: a tab left over from earlier is not enough.
    await this.page.locator(`.tab.active[aria-label^="${path.basename(name)}"]`).first().waitFor({ timeout: 20_000 });
    await this.page.locator('.monaco-editor .view-lines').first().waitFor();
  }

  /** The frame of the chat webview (webviews are nested iframes). */
  async chatFrame(timeout = 60_000): Promise<Frame> {
    return waitFor('the chat view', async () => {
      for (const f of this.page.frames()) {
        try {
          if (await f.$('body[data-ready="true"] [data-testid="chat-input"]')) return f;
        } catch {
          /* a frame that went away */
        }
      }
      return undefined;
    }, { timeoutMs: timeout, everyMs: 250 });
  }

  /** Opens the Qwen Chat view from its activity bar entry and returns its frame. */
  async openChat(): Promise<Frame> {
    // After a reload the workbench may restore the view just after we look: a click then would
    // close it again. So look, click if closed, and look again until the view is open and ready.
    const item = this.page.locator('.activitybar .action-item:has([aria-label="Qwen Chat"])');
    const t0 = Date.now();
    for (;;) {
      if ((await item.getAttribute('class'))?.includes('checked') !== true) await this.page.click('.activitybar [aria-label="Qwen Chat"]');
      try {
        return await this.chatFrame(5_000);
      } catch (err) {
        if (Date.now() - t0 > 60_000) throw err;
      }
    }
  }

  /** The editor's text as the editor model has it (read through the workbench's own DOM lines). */
  async editorText(): Promise<string> {
    return this.page.evaluate(() => {
      const lines = Array.from(document.querySelectorAll('.monaco-editor .view-lines .view-line')) as HTMLElement[];
      return lines
        .map((l) => ({ top: parseFloat(l.style.top), text: (l.textContent ?? '').replace(/\u00a0/g, ' ') }))
        .sort((a, b) => a.top - b.top)
        .map((l) => l.text)
        .join('\n');
    });
  }

  /** Kills the extension host process the way a crash would (SIGKILL, no clean-up). */
  killExtensionHost(): number {
    const pgid = this.child?.pid;
    if (!pgid) throw new Error('VS Code is not running');
    const ps = execFileSync('ps', ['-eo', 'pid=,pgid=,args='], { encoding: 'utf8' });
    const line = ps.split('\n').find((l) => {
      const [, g] = l.trim().split(/\s+/);
      return Number(g) === pgid && l.includes('--type=extensionHost');
    });
    if (!line) throw new Error('no extension host process found');
    const pid = Number(line.trim().split(/\s+/)[0]);
    process.kill(pid, 'SIGKILL');
    return pid;
  }

  /** How much of an answer the extension has saved to its history on disk (0: not yet). */
  async savedAnswerLength(turnId: string): Promise<number> {
    const dir = path.join(this.userDataDir, 'User', 'globalStorage', 'qwen-chat-dev.qwen-chat', 'conversations');
    for (const f of await fs.readdir(dir).catch(() => [] as string[])) {
      if (!f.endsWith('.json')) continue;
      const c = JSON.parse(await fs.readFile(path.join(dir, f), 'utf8').catch(() => '{}')) as { turns?: Array<{ id: string; text: string }> };
      const t = c.turns?.find((x) => x.id === turnId);
      if (t) return t.text.length;
    }
    return 0;
  }

  /** What the extension wrote to its log channel(s) in this VS Code. */
  async extensionLogs(): Promise<string> {
    const out: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      for (const e of await fs.readdir(dir, { withFileTypes: true }).catch(() => [])) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) await walk(p);
        else if (e.name === 'Qwen Chat.log') out.push(await fs.readFile(p, 'utf8'));
      }
    };
    await walk(path.join(this.userDataDir, 'logs'));
    return out.join('\n');
  }

  async screenshot(name: string): Promise<void> {
    await fs.mkdir(path.join(ROOT, 'test-results'), { recursive: true });
    await this.page.screenshot({ path: path.join(ROOT, 'test-results', `${name}.png`) });
  }

  async stop(): Promise<void> {
    await this.browser?.close().catch(() => undefined);
    this.browser = undefined;
    const child = this.child;
    this.child = undefined;
    if (child?.pid) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
      // Give the group its chance to exit cleanly, then make sure.
      if (child.exitCode === null) await Promise.race([new Promise((r) => child.once('exit', r)), waitFor('code-server to exit', () => child.exitCode !== null, { timeoutMs: 2_000 }).catch(() => undefined)]);
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  }
}

/**
 * A second VS Code window on the same server, open on another folder: a second tab in the same
 * browser. It has its own extension host but the same user data, so the same global storage
 * (as two desktop windows have). Stopping the first VS Code stops it too; its own stop() does nothing.
 */
export async function secondWindow(first: VsCode, env: VsCodeEnv, folder: string): Promise<VsCode> {
  if (!first.url || !first.browser) throw new Error('start the first VS Code first');
  await fs.mkdir(folder, { recursive: true });
  const w = new VsCode(env);
  w.url = first.url;
  w.userDataDir = first.userDataDir;
  w.extensionsDir = first.extensionsDir;
  w.workspace = folder;
  w.page = await first.page.context().newPage();
  w.page.on('pageerror', (e) => w.browserErrors.push(`pageerror ${e.stack ?? e.message}`));
  await w.open();
  return w;
}

/** VS Code's own Chat (the view, or a chat opened in an editor), driven as a user does. */
export class NativeChat {
  constructor(private readonly vs: VsCode) {}

  /** Everything the chat lists show. */
  async text(): Promise<string> {
    return (await this.vs.page.locator('.interactive-list').allTextContents()).join('\n');
  }

  input() {
    return this.vs.page.locator('.interactive-input-part:visible .monaco-editor').first();
  }

  /** Closes a modal dialog VS Code may show (a sign-in offer), so the input can be reached. */
  async closeDialogs(): Promise<void> {
    for (let i = 0; i < 3 && (await this.vs.page.locator('.monaco-dialog-box').isVisible().catch(() => false)); i++) await this.vs.page.keyboard.press('Escape');
  }

  /**
   * Runs "Chat: Manage Language Models" (without a Copilot account, what lets other providers'
   * models answer plain messages), waits until it lists `shows`, and closes it again.
   */
  async manageModels(shows: string, screenshot?: string): Promise<void> {
    await this.openManageModels(shows);
    if (screenshot) await this.vs.screenshot(screenshot);
    await this.closeManageModels();
  }

  /** Runs "Chat: Manage Language Models" and waits until it lists `shows`. */
  async openManageModels(shows: string): Promise<void> {
    await this.vs.command('Chat: Manage Language Models');
    await waitFor(`Manage Models to list ${shows}`, async () => (await this.vs.page.locator(`text=${shows}`).count()) > 0, { timeoutMs: 30_000, everyMs: 250 });
  }

  /** Closes Manage Models (and a dialog it may have left). */
  async closeManageModels(): Promise<void> {
    await waitFor('Manage Models to close', async () => {
      await this.vs.page.keyboard.press('Escape');
      return !(await this.vs.page.locator('text=Install Model Providers').isVisible().catch(() => false));
    }, { timeoutMs: 15_000, everyMs: 500 });
    await this.closeDialogs();
  }

  /** The model picker of the chat that is visible. */
  picker() {
    return this.vs.page.locator('.interactive-input-part:visible [aria-label^="Models, "]').first();
  }

  /** Picks a model by its name in VS Code's picker: the others sit under "Other Models", so it searches. */
  async pickModel(name: string): Promise<void> {
    const exact = new RegExp(`${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![-.\\d])`);
    await this.closeDialogs();
    await this.picker().click();
    const search = this.vs.page.locator('.action-widget input').first();
    await search.waitFor({ timeout: 20_000 });
    await search.fill(name);
    const row = this.vs.page.locator('.action-widget .monaco-list-row').filter({ hasText: exact }).first();
    await row.waitFor({ timeout: 20_000 });
    await row.click();
    await waitFor(`${name} in the picker`, async () => exact.test((await this.picker().getAttribute('aria-label')) ?? ''), { timeoutMs: 20_000, everyMs: 200 });
  }

  /** Types a message (replacing a sticky "@qwen": the text says whom to ask) and sends it. */
  async ask(text: string): Promise<void> {
    await this.closeDialogs();
    await this.input().click();
    await this.vs.page.keyboard.press('Control+A');
    await this.vs.page.keyboard.type(text);
    await this.vs.page.keyboard.press('Enter');
  }
}
