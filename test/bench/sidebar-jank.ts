/**
 * The chat view itself (the production webview bundle, its CSS and its HTML with the CSP) in a
 * real Chromium, sent a 20,000-token answer of each kind as the extension sends it (a `turn`,
 * then `delta` messages at a model's pace, then `turnEnd`): while it streams, every frame's
 * length (requestAnimationFrame) and every long task (PerformanceObserver 'longtask').
 * Run alone: `npm run compile && node out/test/bench/sidebar-jank.js` (BENCH_TOKEN_MS sets the pace).
 */
import { promises as fsp } from 'node:fs';
import { existsSync } from 'node:fs';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { type Browser, chromium } from 'playwright-core';
import { chatHtml } from '../../src/extension/chatView/html';
import { codeAnswer, mixedAnswer } from './render-measure';

/** Long tasks (over 50 ms) and frame times while an answer streams. */
export interface FrameFigures {
  longTasks: number;
  longTaskTotalMs: number;
  longestTaskMs: number;
  frameP50Ms: number;
  frameP95Ms: number;
  frames: number;
}

export interface JankFigures extends FrameFigures {
  kind: string;
  tokens: number;
  chars: number;
  /** From the first delta posted to the first frame that shows text. */
  firstTokenMs: number;
  /** From turnEnd posted to the frame that shows the whole answer. */
  fullyShownMs: number;
  /** From the first delta to the answer fully shown. */
  totalMs: number;
}

const TOKENS = 20_000;

/** About `n` tokens of words. */
const words = (n: number, seed: number) => Array.from({ length: n }, (_, i) => ['the', 'model', 'writes', 'a', 'long', 'answer', 'with', 'words'][(i + seed) % 8]).join(' ');
const count = (s: string) => (s.match(/\S+/g) ?? []).length;

/** A 20,000-token answer of each kind (about: each is cut at whole lines). */
export function answers(tokens = TOKENS): Array<[string, string]> {
  const grow = (make: (n: number) => string, start: number) => {
    let n = start;
    let s = make(n);
    while (count(s) < tokens) s = make((n = Math.ceil((n * tokens) / Math.max(1, count(s))) + 1));
    return s;
  };
  const many = (n: number) =>
    Array.from({ length: n }, (_, i) => `Step ${i}: ${words(20, i)}.\n\n\`\`\`ts\n${Array.from({ length: 8 }, (_, k) => `const v${i}_${k} = compute(${k}, "s"); // step ${k}`).join('\n')}\n\`\`\`\n`).join('\n');
  return [
    ['prose', grow((n) => Array.from({ length: n }, (_, i) => `Paragraph ${i}: ${words(60, i)}.\n`).join('\n'), 100)],
    ['one long code block', grow(codeAnswer, 500)],
    ['many code blocks', grow(many, 50)],
    ['a 1,000-item list', `Steps:\n\n${Array.from({ length: 1_000 }, (_, i) => `${i + 1}. Do the **thing** number ${i} with \`code\`: ${words(Math.round(tokens / 1_000) - 9, i)}`).join('\n')}\n`],
    ['a 600-row table', `| name | value | note |\n|:-----|------:|------|\n${Array.from({ length: 600 }, (_, i) => `| row ${i} | **${i * 2}** | \`x${i}\` ${words(Math.round(tokens / 600) - 7, i)} |`).join('\n')}\n`],
    ['mixed', mixedAnswer(tokens)],
  ];
}

/**
 * The production chat view (its bundle, CSS and HTML with the CSP) loaded in a page of its own,
 * with acquireVsCodeApi as VS Code gives it; no message sent yet.
 */
export async function loadChatView(browser: Browser): Promise<import('playwright-core').Page> {
  const root = path.join(__dirname, '../../..');
  const bundle = await esbuild.build({ entryPoints: [path.join(root, 'src/webview/main.ts')], bundle: true, minify: true, write: false, format: 'iife', platform: 'browser', target: 'es2022', logLevel: 'warning' });
  const origin = 'http://qwen-chat.bench';
  const html = chatHtml({ cspSource: origin, scriptUri: `${origin}/dist/webview.js`, styleUri: `${origin}/media/chat.css`, nonce: 'benchnonce' });
  const css = await fsp.readFile(path.join(root, 'media/chat.css'), 'utf8');
  const page = await browser.newPage({ viewport: { width: 420, height: 900 } });
  try {
    await page.route(`${origin}/**`, (route) => {
      const u = new URL(route.request().url());
      if (u.pathname === '/dist/webview.js') return route.fulfill({ contentType: 'text/javascript', body: bundle.outputFiles[0].text });
      if (u.pathname === '/media/chat.css') return route.fulfill({ contentType: 'text/css', body: css });
      return route.fulfill({ contentType: 'text/html', body: html });
    });
    await page.addInitScript(() => {
      (window as unknown as Record<string, unknown>).acquireVsCodeApi = () => ({ postMessage: () => undefined, getState: () => undefined, setState: () => undefined });
    });
    await page.goto(`${origin}/`);
    return page;
  } catch (err) {
    await page.close();
    throw err;
  }
}

/** The chat view on an empty conversation, ready. */
export async function openChatView(browser: Browser): Promise<import('playwright-core').Page> {
  const page = await loadChatView(browser);
  await page.evaluate(() => window.postMessage({ type: 'init', conversation: { id: 'c1', title: 'Bench', turns: [] }, history: [], busy: false }, '*'));
  await page.waitForFunction(() => document.body.dataset.ready === 'true');
  return page;
}

/** Streams one answer into the view at `msPerToken` and measures it. */
export async function streamIntoView(browser: Browser, kind: string, answer: string, msPerToken: number): Promise<JankFigures> {
  const page = await openChatView(browser);
  try {
    const tokens = answer.match(/\s*\S+\s*/g) ?? [];
    const m = await page.evaluate(
      async ([ts, pace]) => {
        const turnId = 'a1';
        window.postMessage({ type: 'turn', turn: { id: 'u1', role: 'user', text: 'Go', state: 'done' } }, '*');
        window.postMessage({ type: 'turn', turn: { id: turnId, role: 'assistant', text: '', state: 'streaming' } }, '*');
        await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
        const body = () => document.querySelector(`.turn[data-turn-id="${turnId}"] .turn-body`);
        const long: number[] = [];
        const po = new PerformanceObserver((l) => {
          for (const e of l.getEntries()) long.push(e.duration);
        });
        po.observe({ type: 'longtask' });
        const frames: number[] = [];
        let last = 0;
        let streaming = true;
        let first = 0;
        const t0 = performance.now();
        const tick = (t: number) => {
          if (last && streaming) frames.push(t - last);
          last = t;
          if (!first && body()?.textContent?.trim()) first = t - t0;
          if (streaming) requestAnimationFrame(tick);
        };
        requestAnimationFrame(tick);
        let sent = 0;
        await new Promise<void>((resolve) => {
          const pump = () => {
            const due = Math.min(ts.length, Math.floor((performance.now() - t0) / pace) + 1);
            if (due > sent) {
              window.postMessage({ type: 'delta', turnId, delta: ts.slice(sent, due).join('') }, '*');
              sent = due;
            }
            if (sent < ts.length) setTimeout(pump, 1);
            else resolve();
          };
          pump();
        });
        const tEnd = performance.now();
        window.postMessage({ type: 'turnEnd', turnId, state: 'done' }, '*');
        await new Promise((r) => setTimeout(r, 0));
        await new Promise((r) => requestAnimationFrame(r));
        const shown = performance.now();
        streaming = false;
        await new Promise((r) => setTimeout(r, 50)); // the observer reports after the task
        po.disconnect();
        return { frames, long, first, fullyShownMs: shown - tEnd, totalMs: shown - t0, text: body()?.textContent?.length ?? 0 };
      },
      [tokens, msPerToken] as const,
    );
    const sorted = [...m.frames].sort((a, b) => a - b);
    const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
    const over = m.long.filter((d) => d > 50);
    return {
      kind, tokens: tokens.length, chars: answer.length, firstTokenMs: m.first, fullyShownMs: m.fullyShownMs, totalMs: m.totalMs,
      longTasks: over.length, longTaskTotalMs: over.reduce((a, b) => a + b, 0), longestTaskMs: Math.max(0, ...m.long),
      frameP50Ms: q(0.5), frameP95Ms: q(0.95), frames: m.frames.length,
    };
  } finally {
    await page.close();
  }
}

export const TOKEN_MS = Number(process.env.BENCH_TOKEN_MS ?? 1);

/** Every kind, one after the other, in fresh pages. */
export async function benchSidebarJank(browser: Browser, log: (line: string) => void = console.log): Promise<JankFigures[]> {
  const out: JankFigures[] = [];
  await streamIntoView(browser, 'warm-up', mixedAnswer(500), TOKEN_MS);
  log(`\nThe chat view (its bundle, CSS and CSP) in Chromium ${browser.version()}, a 20,000-token answer of each kind at ${TOKEN_MS} ms a token:`);
  log('answer                   tokens  first token  fully shown  long tasks >50ms (count, total, longest)  frame p50 / p95');
  // BENCH_KINDS=table,code measures only the kinds whose names hold one of those words.
  const only = (process.env.BENCH_KINDS ?? '').split(',').map((k) => k.trim()).filter(Boolean);
  for (const [kind, text] of answers()) {
    if (only.length && !only.some((k) => kind.includes(k))) continue;
    const f = await streamIntoView(browser, kind, text, TOKEN_MS);
    out.push(f);
    log(
      `${kind.padEnd(22)} ${String(f.tokens).padStart(7)} ${`${f.firstTokenMs.toFixed(0)} ms`.padStart(12)} ${`${f.fullyShownMs.toFixed(0)} ms`.padStart(12)}   ${`${f.longTasks}, ${f.longTaskTotalMs.toFixed(0)} ms, ${f.longestTaskMs.toFixed(0)} ms`.padStart(38)}   ${f.frameP50Ms.toFixed(1)} / ${f.frameP95Ms.toFixed(1)} ms`,
    );
  }
  return out;
}

if (require.main === module) {
  void (async () => {
    const executablePath = process.env.CHROMIUM ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
    if (!executablePath) throw new Error('no Chromium: set CHROMIUM');
    const browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
    try {
      await benchSidebarJank(browser);
    } finally {
      await browser.close();
    }
  })();
}
