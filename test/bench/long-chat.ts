/**
 * Long chats (the issue: after 500 turns, VS Code's Chat holds its whole transcript in the
 * workbench's DOM and heap, microsoft/vscode#297349; the target is a third of its memory).
 *
 * In one real VS Code (code-server + Chromium, as the e2e tests), the SAME 500-turn conversation
 * (250 questions, 250 markdown answers of 150-300 words, a code block in every third) is put
 * in front of
 *  - the Qwen Chat view: written into the extension's history folder as the open conversation
 *    (`current.json`) before VS Code starts, as if the user had chatted there; the view opens it;
 *  - VS Code's Chat: imported with its own "Chat: Import Chat..." (workbench.action.chat.import,
 *    from the palette and its file dialog, as a user does), which opens it in a chat editor. The
 *    file is VS Code's export format (IExportableChatData: `requests` with `message` as a string,
 *    `response` as markdown strings, `responderUsername`), checked against this VS Code's build.
 *
 * Memory, in the process where each chat lives, with a garbage collection first (HeapProfiler
 * .collectGarbage) and Performance.getMetrics (JSHeapUsedSize: the V8 heap of that renderer;
 * Nodes: the DOM nodes alive in that renderer):
 *  - VS Code's Chat lives in the workbench page: its cost is the page's figures with the
 *    500-turn chat open in a chat editor MINUS with an empty imported chat open in the same place
 *    (the chat widget itself is not charged, only what the conversation adds).
 *  - The Qwen Chat view lives in the webview's iframe. If Chromium put it in a process of its own
 *    (an out-of-process frame), that process's own figures are taken whole; if not (it shares the
 *    workbench's renderer), the page's figures with the view open on the 500 turns MINUS before
 *    the view was opened. Either way the view's fixed cost (its document, bundle and styles) is
 *    charged to it as well, so the comparison leans against the Qwen view, not for it.
 * The DOM nodes inside each chat's own element (the view's document; VS Code's chat editor) are
 * counted directly too, which does not depend on how Chromium shares processes. The JS heap
 * leaves out the DOM itself (Blink's own heap), layout and styles: so the renderers' proportional
 * set size (/proc, Linux) is taken in the same states too, a coarser figure (freed memory is not
 * always given back to the system at once).
 * Not counted on either side: the extension host (Node), which holds the Qwen conversation for
 * the view, and for VS Code's Chat the history it sends @qwen.
 *
 * Then one more answer (the same ~700-word markdown answer from the local Space, 8 ms a token)
 * streams into each (the view: a message sent from its input; VS Code's Chat: `@qwen` in the
 * chat editor), and in the frame where the chat lives: every frame's length (requestAnimationFrame,
 * p50/p95) and every long task (PerformanceObserver 'longtask'), from send to the whole answer shown.
 *
 * Run alone: `npm run -s compile && npm run -s package && flock /tmp/e2e.lock node out/test/bench/long-chat.js`
 * (`npm run bench` runs it too, when code-server is installed).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CDPSession, Frame, Page } from 'playwright-core';
import type { StoredConversation, StoredTurn } from '../../src/chat/model';
import { LocalSpace } from '../fixtures/space';
import { waitFor } from '../support/wait';
import { checkList, LATEST, mergeIntoLatest, printChecks } from './checks';
import { ensureInstalled, ROOT, VsCode } from '../e2e/harness';

export const LONG_CHAT_TURNS = 500;
export const LONG_CHAT_REPRODUCE = 'npm run -s compile && npm run -s package && flock /tmp/e2e.lock node out/test/bench/long-chat.js';
const EXTENSION_ID = 'qwen-chat-dev.qwen-chat';
const TOKEN_MS = Number(process.env.BENCH_LONG_CHAT_TOKEN_MS ?? 8);
const END = 'END_OF_LONG_CHAT_ANSWER';
const MB = 1024 * 1024;

/** What one chat costs with the conversation open. */
export interface ChatMemory {
  /** Where it was measured: 'own process' (an out-of-process frame) or 'workbench process, delta'. */
  how: string;
  heapMB: number;
  /** DOM nodes alive in the process (Performance.getMetrics Nodes), as `how` says. */
  nodes: number;
  /** DOM nodes in the chat's own element (the view's document; VS Code's chat editor). */
  chatDomNodes: number;
  /** What the renderer processes grew by (PSS, MB), in the same states as heapMB's delta. */
  renderersMB: number;
  /**
   * The Qwen view only: what the conversation itself adds, as for VS Code's Chat (the view on the
   * 500 turns minus the same view on a new, empty conversation), without the view's fixed cost.
   */
  contentHeapMB?: number;
  contentNodes?: number;
  /** Like contentHeapMB, for the renderer processes' memory (PSS). */
  contentRenderersMB?: number;
}

export interface Streaming {
  frames: number;
  frameP50Ms: number;
  frameP95Ms: number;
  longTasks: number;
  longestTaskMs: number;
  longTaskTotalMs: number;
  totalMs: number;
}

export interface LongChatFigures {
  turns: number;
  words: number;
  sidebar: { memory: ChatMemory; streaming: Streaming };
  vscodeChat: { memory: ChatMemory; streaming: Streaming; importedWith: string };
  /** The Qwen view's heap (with its fixed cost) / VS Code's Chat's (the conversation alone). */
  heapRatio: number;
  nodesRatio: number;
  /** Like for like: what the conversation alone adds to each. */
  contentHeapRatio: number;
  /** What the renderers grew by: the Qwen view's (with its fixed cost) / VS Code's Chat's. */
  renderersRatio: number;
  /**
   * Like for like, in process memory (renderer PSS): what the conversation alone adds to the Qwen
   * view / to VS Code's Chat. The target is judged on this one: the issue asks for the memory of
   * the view's process, and VS Code's figure is its chat editor's growth with the conversation.
   */
  contentRenderersRatio: number;
  reproduce: string;
}

// ---- the conversation ------------------------------------------------------------------------

/** A small deterministic generator, so every run holds the same conversation. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

const TOPICS = ['a debounce helper', 'retrying a fetch', 'parsing CSV lines', 'a binary search', 'an LRU cache', 'reading a config file', 'a rate limiter', 'streaming JSON', 'unit tests for a parser', 'a worker pool'];
const VOCAB = (
  'the function returns value when each call waits until input changes so you keep state in a closure and clear the timer before setting ' +
  'another one this means errors surface early while callers see one promise per request the cache stores recent keys and evicts the oldest entry ' +
  'which keeps memory bounded without scanning every item on each lookup'
).split(' ');

function sentence(r: () => number): string {
  const n = 10 + Math.floor(r() * 12);
  const w = Array.from({ length: n }, () => VOCAB[Math.floor(r() * VOCAB.length)]);
  if (r() < 0.3) w[Math.floor(r() * n)] = `\`${VOCAB[Math.floor(r() * VOCAB.length)]}()\``;
  if (r() < 0.3) w[Math.floor(r() * n)] = `**${VOCAB[Math.floor(r() * VOCAB.length)]}**`;
  const s = w.join(' ');
  return `${s[0].toUpperCase()}${s.slice(1)}.`;
}

const wordCount = (s: string) => (s.match(/\S+/g) ?? []).length;

/** A realistic answer of 150-300 words: a heading now and then, paragraphs, a list, a code block in every third. */
export function answerText(i: number, minWords = 150, maxWords = 300): string {
  const r = rng(i * 7919 + 1);
  const target = minWords + Math.floor(r() * (maxWords - minWords));
  const topic = TOPICS[i % TOPICS.length];
  const parts: string[] = [];
  if (i % 4 === 0) parts.push(`### ${topic[0].toUpperCase()}${topic.slice(1)}`, '');
  parts.push(`Here is how to approach ${topic}. ${sentence(r)} ${sentence(r)}`, '');
  if (i % 3 === 0) {
    parts.push('```ts', `export function step${i}(input: string[], limit = ${10 + (i % 7)}): string[] {`, '  const out: string[] = [];', '  for (const item of input) {', '    if (out.length >= limit) break;', '    out.push(item.trim());', '  }', '  return out;', '}', '```', '');
  }
  const body = () => parts.join('\n');
  let k = 0;
  while (wordCount(body()) < target - 25) {
    if (k % 3 === 1) parts.push(`- ${sentence(r)}`, `- ${sentence(r)}`, `- ${sentence(r)}`, '');
    else parts.push(`${sentence(r)} ${sentence(r)}`, '');
    k++;
  }
  parts.push(`In short: ${sentence(r)}`);
  return body();
}

export function questionText(i: number): string {
  return `Question ${i + 1}: how would you write ${TOPICS[i % TOPICS.length]} in TypeScript, and what should I watch out for?`;
}

/** The conversation as the Qwen Chat view keeps it (src/chat/model.ts). */
export function storedConversation(pairs: number, t0 = Date.now() - pairs * 120_000): StoredConversation {
  const turns: StoredTurn[] = [];
  for (let i = 0; i < pairs; i++) {
    const at = t0 + i * 120_000;
    turns.push({ id: `u${i}`, role: 'user', text: questionText(i), state: 'done', createdAt: at });
    turns.push({ id: `a${i}`, role: 'assistant', text: answerText(i), state: 'done', createdAt: at + 1_000, endedAt: at + 20_000, model: 'qwen-2.5', space: 'Qwen/Qwen2.5' });
  }
  return { version: 1, id: 'longchat500', title: questionText(0).slice(0, 57) + '…', createdAt: t0, updatedAt: t0 + pairs * 120_000, turns };
}

/**
 * The same conversation in VS Code's export format, which "Chat: Import Chat..." reads
 * (chatImportExport: `requests` and `responderUsername` are required; each request's
 * `message` may be a plain string, its `response` a list of markdown strings).
 */
export function exportedChat(c: StoredConversation): unknown {
  const requests = [];
  for (let i = 0; i + 1 < c.turns.length; i += 2) {
    const q = c.turns[i];
    const a = c.turns[i + 1];
    requests.push({
      requestId: `request_${q.id}`,
      message: q.text,
      variableData: { variables: [] },
      response: [{ value: a.text, supportThemeIcons: false, supportHtml: false }],
      modelState: { value: 1, completedAt: a.endedAt },
      timestamp: q.createdAt,
    });
  }
  return { initialLocation: 'panel', responderUsername: 'Qwen', requests };
}

/** The answer that streams into both at the end: ~700 words with two code blocks, then the marker. */
export function streamedAnswer(): string {
  return [answerText(1001, 240, 260), answerText(1002, 220, 240), answerText(1003, 220, 240), END].join('\n\n');
}

// ---- measuring -------------------------------------------------------------------------------

interface Metrics {
  heap: number;
  nodes: number;
  /** Every renderer of our Chromium, proportional set size (bytes): what the JS heap leaves out (DOM, layout, styles). */
  renderers: number;
}

/**
 * The renderer processes of the Chromium this process started (descendants with --type=renderer),
 * their PSS summed from /proc/PID/smaps_rollup (Linux; NaN elsewhere). Which renderer holds which
 * frame is not told by CDP, so all of them: the deltas are taken with everything else unchanged.
 */
function renderersPss(): number {
  if (process.platform !== 'linux') return NaN;
  const rows = execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8', maxBuffer: 16 * MB })
    .split('\n')
    .map((l) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(l))
    .filter((m): m is RegExpExecArray => !!m)
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), args: m[3] }));
  const ours = new Set([process.pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const r of rows) if (ours.has(r.ppid) && !ours.has(r.pid)) grew = !!ours.add(r.pid);
  }
  let kb = 0;
  for (const r of rows) {
    if (!ours.has(r.pid) || !r.args.includes('--type=renderer')) continue;
    try {
      kb += Number(/^Pss:\s+(\d+) kB/m.exec(execFileSync('cat', [`/proc/${r.pid}/smaps_rollup`], { encoding: 'utf8' }))?.[1] ?? 0);
    } catch {
      /* gone */
    }
  }
  return kb * 1024;
}

async function metrics(s: CDPSession): Promise<Metrics> {
  await s.send('Performance.enable');
  // Twice: what the first collection frees may let more go.
  await s.send('HeapProfiler.collectGarbage');
  await s.send('HeapProfiler.collectGarbage');
  const { metrics: m } = await s.send('Performance.getMetrics');
  const get = (name: string) => m.find((x) => x.name === name)?.value ?? 0;
  return { heap: get('JSHeapUsedSize'), nodes: get('Nodes'), renderers: renderersPss() };
}

/** Waits until the process's DOM node count stops changing (the view has finished filling in). */
async function settled(s: CDPSession, what: string): Promise<Metrics> {
  let last = await metrics(s);
  let same = 0;
  return waitFor(
    `${what} to settle`,
    async () => {
      const now = await metrics(s);
      same = Math.abs(now.nodes - last.nodes) <= 50 ? same + 1 : 0;
      last = now;
      return same >= 3 && now;
    },
    { timeoutMs: 180_000, everyMs: 500 },
  );
}

/** The CDP session of the process a frame runs in: its own (an out-of-process frame) or its page's. */
async function processOf(page: Page, frame: Frame): Promise<{ session: CDPSession; own: boolean }> {
  for (let f: Frame | null = frame; f && f !== page.mainFrame(); f = f.parentFrame()) {
    try {
      return { session: await page.context().newCDPSession(f), own: true };
    } catch {
      /* part of its parent's process: look further up */
    }
  }
  return { session: await page.context().newCDPSession(page), own: false };
}

/** Every node (elements, text, comments) under `root` in the frame. */
function countNodes(frame: Frame, selector: string | null): Promise<number> {
  return frame.evaluate((sel) => {
    const root = sel ? document.querySelector(sel) : document;
    if (!root) return 0;
    const w = document.createTreeWalker(root, NodeFilter.SHOW_ALL);
    let n = 0;
    while (w.nextNode()) n++;
    return n;
  }, selector);
}

/** Starts the frame and long-task recording in `frame` (the frame where the chat lives). */
async function startRecording(frame: Frame): Promise<void> {
  await frame.evaluate(() => {
    const rec = { frames: [] as number[], long: [] as number[], t0: performance.now(), on: true };
    (window as unknown as { __longChat: typeof rec }).__longChat = rec;
    new PerformanceObserver((l) => {
      for (const e of l.getEntries()) if (rec.on) rec.long.push(e.duration);
    }).observe({ type: 'longtask' });
    let last = 0;
    const tick = (t: number) => {
      if (!rec.on) return;
      if (last) rec.frames.push(t - last);
      last = t;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}

async function stopRecording(frame: Frame): Promise<Streaming> {
  const m = await frame.evaluate(async () => {
    await new Promise((r) => requestAnimationFrame(r));
    await new Promise((r) => setTimeout(r, 0)); // the long-task observer reports after the task
    const rec = (window as unknown as { __longChat: { frames: number[]; long: number[]; t0: number; on: boolean } }).__longChat;
    rec.on = false;
    return { frames: rec.frames, long: rec.long, totalMs: performance.now() - rec.t0 };
  });
  const sorted = [...m.frames].sort((a, b) => a - b);
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
  return {
    frames: m.frames.length,
    frameP50Ms: +q(0.5).toFixed(2),
    frameP95Ms: +q(0.95).toFixed(2),
    longTasks: m.long.length,
    longestTaskMs: +Math.max(0, ...m.long).toFixed(1),
    longTaskTotalMs: +m.long.reduce((a, b) => a + b, 0).toFixed(1),
    totalMs: Math.round(m.totalMs),
  };
}


// ---- the run ---------------------------------------------------------------------------------

/** Whether code-server is installed here (the bench skips this part if not, rather than downloading it). */
export function codeServerInstalled(): string | undefined {
  const envFile = path.join(ROOT, '.vscode-test/env.sh');
  if (!existsSync(envFile)) return 'code-server is not installed (.vscode-test/env.sh is missing: npm run test:e2e installs it)';
  return undefined;
}

export async function benchLongChat(log: (line: string) => void = console.log): Promise<LongChatFigures> {
  const env = ensureInstalled();
  const conversation = storedConversation(LONG_CHAT_TURNS / 2);
  const words = conversation.turns.reduce((n, t) => n + wordCount(t.text), 0);
  const answer = streamedAnswer();
  const space = new LocalSpace({ tokenDelayMs: TOKEN_MS, answer: () => answer });
  await space.start();
  const home = await fs.mkdtemp(path.join(os.tmpdir(), 'qwen-longchat-home-'));
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'qwen-longchat-tmp-'));
  const vs = new VsCode(env);
  try {
    await vs.start({
      settings: { 'chat.disableAIFeatures': false, 'qwenChat.spaceUrl': space.url, 'qwenChat.hubUrl': space.url },
      // What "Chat: Import Chat..." reads: the conversation, and an empty chat for the baseline.
      files: { 'long-chat.json': JSON.stringify(exportedChat(conversation)), 'empty-chat.json': JSON.stringify(exportedChat({ ...conversation, turns: [] })) },
      env: { HOME: home, TMPDIR: tmp, HTTP_PROXY: '', HTTPS_PROXY: '', http_proxy: '', https_proxy: '' },
      // The conversation as the extension keeps it, and as the open one, before VS Code starts.
      beforeStart: async (_ext, userDataDir) => {
        const dir = path.join(userDataDir, 'User', 'globalStorage', EXTENSION_ID, 'conversations');
        await fs.mkdir(dir, { recursive: true });
        // In the history, not open: the view first opens on a new, empty conversation (its fixed cost).
        await fs.writeFile(path.join(dir, `${conversation.id}.json`), JSON.stringify(conversation));
      },
    });
    const page = vs.page;
    const workbench = await page.context().newCDPSession(page);

    // ---- the Qwen Chat view ----
    const before = await settled(workbench, 'the workbench');
    const chat = await vs.openChat();
    const view = await processOf(page, chat);
    // The view on a new, empty conversation; then the 500 turns opened from History in it: what
    // they add is the growth between the two (like VS Code's chat editor's, below).
    await chat.waitForFunction(() => document.body.dataset.ready === 'true' && document.querySelectorAll('.turn').length === 0, undefined, { timeout: 60_000 });
    const viewEmpty = await settled(view.session, 'the Qwen Chat view on a new conversation');
    await chat.click('[data-testid="toggle-history"]');
    await chat.click('.history-item [data-testid="open-conversation"]');
    await chat.waitForFunction((n) => document.querySelectorAll('.turn').length === n, LONG_CHAT_TURNS, { timeout: 120_000 });
    await chat.click('[data-testid="toggle-history"]');
    // Every turn is in the page: a reopened conversation fills in its earlier turns in idle time.
    await chat.waitForSelector('[data-testid="earlier"][hidden]', { state: 'attached', timeout: 120_000 });
    const turnsShown = await chat.$$eval('.turn', (els) => els.length);
    if (turnsShown !== LONG_CHAT_TURNS) throw new Error(`the view shows ${turnsShown} turns, not ${LONG_CHAT_TURNS}`);
    const viewNow = await settled(view.session, 'the Qwen Chat view');
    const sidebarMemory: ChatMemory = view.own
      ? { how: 'own process (out-of-process frame)', heapMB: viewNow.heap / MB, nodes: viewNow.nodes, chatDomNodes: await countNodes(chat, null), renderersMB: (viewNow.renderers - before.renderers) / MB }
      : { how: 'workbench process, view open on 500 turns minus view not yet opened', heapMB: (viewNow.heap - before.heap) / MB, nodes: viewNow.nodes - before.nodes, chatDomNodes: await countNodes(chat, null), renderersMB: (viewNow.renderers - before.renderers) / MB };
    log(`Qwen Chat view, ${turnsShown} turns: ${sidebarMemory.heapMB.toFixed(1)} MB heap, ${sidebarMemory.nodes} nodes (${sidebarMemory.how}); ${sidebarMemory.chatDomNodes} nodes in its document`);

    // One more answer in the view.
    const answersBefore = await chat.$$eval('.turn.assistant', (els) => els.length);
    await startRecording(chat);
    await chat.fill('[data-testid="chat-input"]', 'One more: how would you write a debounce helper in TypeScript?');
    await chat.press('[data-testid="chat-input"]', 'Enter');
    await chat.waitForFunction(
      ([n, end]) => {
        const a = document.querySelectorAll('.turn.assistant');
        const last = a[a.length - 1];
        return a.length > n && !last.classList.contains('streaming') && !!last.querySelector('[data-testid="copy-answer"]') && (last.textContent ?? '').includes(end);
      },
      [answersBefore, END] as const,
      { timeout: 240_000, polling: 250 },
    );
    const sidebarStreaming = await stopRecording(chat);
    log(`Qwen Chat view, one more answer: frame p50 ${sidebarStreaming.frameP50Ms} ms, p95 ${sidebarStreaming.frameP95Ms} ms; ${sidebarStreaming.longTasks} long tasks, longest ${sidebarStreaming.longestTaskMs} ms`);

    sidebarMemory.contentHeapMB = (viewNow.heap - viewEmpty.heap) / MB;
    sidebarMemory.contentNodes = viewNow.nodes - viewEmpty.nodes;
    sidebarMemory.contentRenderersMB = (viewNow.renderers - viewEmpty.renderers) / MB;
    log(`Qwen Chat view, the 500 turns alone (the view on them minus the same view on a new conversation, before): ${sidebarMemory.contentHeapMB.toFixed(1)} MB heap, ${sidebarMemory.contentRenderersMB.toFixed(1)} MB renderers, ${sidebarMemory.contentNodes} nodes`);

    // ---- VS Code's Chat ----
    // Away from the Qwen view (it stays as it is in both of the next two measurements).
    await page.keyboard.press('Control+Shift+E');
    const importChat = async (name: string) => {
      await vs.command('Chat: Import Chat...');
      // VS Code's own file dialog (the simple one, in the browser), opened on the workspace, where
      // the files are: once it shows its default name, type the file's path and accept it.
      const input = page.locator('.quick-input-widget input');
      await waitFor('the file dialog', async () => (await input.inputValue().catch(() => '')).endsWith('/chat.json') && (await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).count()) > 0, { timeoutMs: 30_000, everyMs: 100 });
      await input.fill(path.join(vs.workspace, name));
      // Enter until it takes the path (the dialog checks a typed path before it accepts it).
      await waitFor('the file dialog to take the path', async () => {
        if (!(await page.locator('.quick-input-widget').isVisible())) return true;
        if ((await input.inputValue()) !== path.join(vs.workspace, name)) await input.fill(path.join(vs.workspace, name));
        await input.press('Enter');
        return false;
      }, { timeoutMs: 30_000, everyMs: 500 });
    };
    const editorChat = '.part.editor .interactive-session';
    await importChat('empty-chat.json');
    await page.locator(`${editorChat} .interactive-input-part`).first().waitFor({ timeout: 60_000 });
    const empty = await settled(workbench, 'an empty chat');
    const emptyEditorNodes = await countNodes(page.mainFrame(), editorChat);
    await page.keyboard.press('Control+W');
    await page.locator(editorChat).waitFor({ state: 'detached', timeout: 20_000 });
    await importChat('long-chat.json');
    const lastQuestion = questionText(LONG_CHAT_TURNS / 2 - 1);
    await waitFor('the imported chat to show its last question', async () => (await page.locator(`${editorChat} .interactive-list`).first().textContent())?.includes(lastQuestion), { timeoutMs: 120_000, everyMs: 250 });
    const full = await settled(workbench, "VS Code's Chat with the conversation");
    const nativeMemory: ChatMemory = {
      how: 'workbench process, 500-turn chat editor minus an empty one',
      heapMB: (full.heap - empty.heap) / MB,
      nodes: full.nodes - empty.nodes,
      chatDomNodes: (await countNodes(page.mainFrame(), editorChat)) - emptyEditorNodes,
      renderersMB: (full.renderers - empty.renderers) / MB,
    };
    log(`VS Code's Chat, imported ${LONG_CHAT_TURNS} turns: ${nativeMemory.heapMB.toFixed(1)} MB heap, ${nativeMemory.nodes} nodes (${nativeMemory.how}); ${nativeMemory.chatDomNodes} more nodes in its editor`);

    // One more answer in VS Code's Chat, from @qwen.
    const input = page.locator(`${editorChat} .interactive-input-part .monaco-editor`).first();
    for (let i = 0; i < 3 && (await page.locator('.monaco-dialog-box').isVisible().catch(() => false)); i++) await page.keyboard.press('Escape');
    await startRecording(page.mainFrame());
    await input.click();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('@qwen One more: how would you write a debounce helper in TypeScript?');
    await page.keyboard.press('Enter');
    await waitFor('the @qwen answer to end', async () => (await page.locator(`${editorChat} .interactive-list`).first().textContent())?.includes(END), { timeoutMs: 240_000, everyMs: 250 });
    const nativeStreaming = await stopRecording(page.mainFrame());
    log(`VS Code's Chat, one more answer: frame p50 ${nativeStreaming.frameP50Ms} ms, p95 ${nativeStreaming.frameP95Ms} ms; ${nativeStreaming.longTasks} long tasks, longest ${nativeStreaming.longestTaskMs} ms`);

    const round = (m: ChatMemory): ChatMemory => ({ ...m, heapMB: +m.heapMB.toFixed(2), renderersMB: +m.renderersMB.toFixed(1), ...(m.contentHeapMB === undefined ? {} : { contentHeapMB: +m.contentHeapMB.toFixed(2) }), ...(m.contentRenderersMB === undefined ? {} : { contentRenderersMB: +m.contentRenderersMB.toFixed(1) }) });
    return {
      turns: LONG_CHAT_TURNS,
      words,
      sidebar: { memory: round(sidebarMemory), streaming: sidebarStreaming },
      vscodeChat: { memory: round(nativeMemory), streaming: nativeStreaming, importedWith: 'Chat: Import Chat... (workbench.action.chat.import), into a chat editor' },
      heapRatio: +(sidebarMemory.heapMB / nativeMemory.heapMB).toFixed(3),
      nodesRatio: +(sidebarMemory.nodes / nativeMemory.nodes).toFixed(3),
      contentHeapRatio: +((sidebarMemory.contentHeapMB ?? NaN) / nativeMemory.heapMB).toFixed(3),
      renderersRatio: +(sidebarMemory.renderersMB / nativeMemory.renderersMB).toFixed(3),
      contentRenderersRatio: +((sidebarMemory.contentRenderersMB ?? NaN) / nativeMemory.renderersMB).toFixed(3),
      reproduce: LONG_CHAT_REPRODUCE,
    };
  } catch (err) {
    await vs.screenshot('FAILED-bench-long-chat').catch(() => undefined);
    throw err;
  } finally {
    await vs.stop();
    await space.stop();
  }
}

export function printLongChat(f: LongChatFigures, log: (line: string) => void = console.log): void {
  log(`\nA ${f.turns}-turn conversation (${f.words} words) in each chat, in code-server:`);
  log('chat                 heap MB  renderers MB   DOM nodes (process)  nodes in chat   frame p50 / p95 while one more streams   long tasks (count, longest)');
  const row = (name: string, m: ChatMemory, s: Streaming) =>
    log(`${name.padEnd(18)} ${m.heapMB.toFixed(1).padStart(9)} ${m.renderersMB.toFixed(1).padStart(13)} ${String(m.nodes).padStart(20)} ${String(m.chatDomNodes).padStart(15)}   ${`${s.frameP50Ms.toFixed(1)} / ${s.frameP95Ms.toFixed(1)} ms`.padStart(38)}   ${`${s.longTasks}, ${s.longestTaskMs} ms`.padStart(26)}`);
  row('Qwen Chat view', f.sidebar.memory, f.sidebar.streaming);
  row("VS Code's Chat", f.vscodeChat.memory, f.vscodeChat.streaming);
  log(`Qwen view / VS Code's Chat, the conversation alone: process memory (renderer PSS) ${f.contentRenderersRatio}x (${f.sidebar.memory.contentRenderersMB} MB / ${f.vscodeChat.memory.renderersMB} MB; target <= 0.333x); JS heap ${f.contentHeapRatio}x (${f.sidebar.memory.contentHeapMB} MB: the DOM is not in the JS heap)`);
  log(`with the view's fixed cost (a webview's frames and bundle): heap ${f.heapRatio}x, renderers ${f.renderersRatio}x; DOM nodes ${f.nodesRatio}x (VS Code's Chat renders only the turns in sight)`);
}

/** The long chat's targets, for npm run bench and for this file run alone. */
export function longChatChecks(f: LongChatFigures | undefined | void): Array<{ what: string; value: number | null; target: string; ok: boolean | null; unit: string }> {
  return [
    { what: "long chat: the conversation's process memory in the Qwen view vs in VS Code's Chat (500 turns)", value: f ? f.contentRenderersRatio : null, target: '<= 0.33x (renderer PSS, each chat\'s growth with the conversation)', ok: f ? f.contentRenderersRatio <= 1 / 3 : null, unit: 'x' },
    { what: "long chat: the Qwen view's whole cost (with a webview's fixed cost) vs VS Code's Chat's growth (500 turns)", value: f ? f.renderersRatio : null, target: '<= 1x (renderer PSS)', ok: f ? f.renderersRatio <= 1 : null, unit: 'x' },
    { what: 'long chat: frame p95 while one more answer streams after 500 turns', value: f ? f.sidebar.streaming.frameP95Ms : null, target: '<= 17 ms', ok: f ? f.sidebar.streaming.frameP95Ms <= 17 : null, unit: 'ms' },
  ];
}

if (require.main === module) {
  const skip = codeServerInstalled();
  if (skip) {
    console.log(`long chat: skipped, ${skip}`);
  } else {
    benchLongChat()
      .then(async (f) => {
        printLongChat(f);
        const { checks, check } = checkList();
        for (const c of longChatChecks(f)) check(c.what, c.value, c.target, c.ok, c.unit, LONG_CHAT_REPRODUCE);
        printChecks(checks);
        await mergeIntoLatest('longChat', f, checks, (what) => what.startsWith('long chat:'));
        console.log(`written to ${path.relative(process.cwd(), LATEST)} (longChat)`);
      })
      .catch((err: unknown) => {
        console.error(err);
        process.exitCode = 1;
      });
  }
}
