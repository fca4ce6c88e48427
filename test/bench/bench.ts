/**
 * `npm run bench`: streams long answers from the local Space (in its own process, so only the
 * client's CPU is counted) through this provider and through the official @gradio/client, and
 * prints client CPU time per 10,000 events, time to first fragment, and the ratio of the two.
 * Then the chat view's rendering cost per frame at the start and the end of a long answer and
 * of one long code block, under jsdom and in a real Chromium. `-- --render-only` skips the first part.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { chromium } from 'playwright-core';
import createDOMPurify from 'dompurify';
import { JSDOM } from 'jsdom';
import { clearEndpointCache } from '../../src/provider/qwen';
import { Qwen_Qwen_2_5 } from '../../src/provider/spaces';
import { createRenderer } from '../../src/webview/markdown/render';
import { codeAnswer, listAnswer, measureStreaming, proseAnswer, type RenderFigures, tableAnswer } from './render-measure';

const WORDS = Number(process.env.BENCH_WORDS ?? 20_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

async function startSpace(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [path.join(__dirname, '../fixtures/serve.js'), '--port', '0', '--token-delay', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      const m = /listening on (\S+)/.exec(d.toString());
      if (m) resolve(m[1]);
    });
    child.on('exit', (c) => reject(new Error(`space exited ${c}`)));
  });
  return { url, child };
}

interface Result {
  cpuMs: number;
  events: number;
  firstMs: number;
  totalMs: number;
  chars: number;
}

async function viaProvider(url: string): Promise<Result> {
  clearEndpointCache();
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  let first = 0;
  let events = 0;
  let chars = 0;
  for await (const f of Qwen_Qwen_2_5.createAsyncGenerator('', [{ role: 'user', content: `${WORDS} words` }], { baseUrl: url, proxy: null })) {
    if (!first) first = performance.now() - t0;
    events++;
    chars += f.length;
  }
  const c = process.cpuUsage(c0);
  return { cpuMs: (c.user + c.system) / 1000, events, firstMs: first, totalMs: performance.now() - t0, chars };
}

async function viaGradioClient(url: string): Promise<Result> {
  const { Client } = await import('@gradio/client');
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const client = await Client.connect(`${url}/`);
  let first = 0;
  let events = 0;
  let last: unknown;
  for await (const m of client.submit('/model_chat', [`${WORDS} words`, [], 'x', '72B'])) {
    if (m.type === 'data') {
      if (!first) first = performance.now() - t0;
      events++;
      last = m.data;
    }
  }
  client.close();
  const c = process.cpuUsage(c0);
  const text = ((last as unknown[])[1] as Array<[unknown, { text: string }]>)[0][1].text;
  return { cpuMs: (c.user + c.system) / 1000, events, firstMs: first, totalMs: performance.now() - t0, chars: text.length };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const PROSE_BLOCKS = Number(process.env.BENCH_BLOCKS ?? 600);
const CODE_LINES = Number(process.env.BENCH_CODE_LINES ?? 1_000);
const LIST_ITEMS = Number(process.env.BENCH_LIST_ITEMS ?? 1_000);
const TABLE_ROWS = Number(process.env.BENCH_TABLE_ROWS ?? 600);
const PER_FRAME = 4;

function printFigures(where: string, rows: Array<[string, RenderFigures]>): void {
  console.log(`\nWebview rendering in ${where}, ${PER_FRAME} tokens per frame (ms per frame):`);
  console.log('answer                              chars  tokens  first 200  last 200  end/start  last frame  whole re-render  saved');
  for (const [name, f] of rows) {
    console.log(
      `${name.padEnd(32)} ${String(f.chars).padStart(8)} ${String(f.tokens).padStart(7)} ${f.firstMs.toFixed(2).padStart(10)} ${f.lastMs.toFixed(2).padStart(9)} ${`${(f.lastMs / f.firstMs).toFixed(2)}x`.padStart(10)} ${f.closeMs.toFixed(1).padStart(11)} ${f.wholeMs.toFixed(1).padStart(16)} ${`${(f.wholeMs / f.lastMs).toFixed(0)}x`.padStart(6)}`,
    );
  }
}

/** Under jsdom in this process. */
async function benchRenderingJsdom(): Promise<void> {
  const dom = new JSDOM('<!doctype html><body></body>');
  const render = createRenderer(createDOMPurify(dom.window as unknown as Window & typeof globalThis));
  const doc = dom.window.document as unknown as Document;
  const pause = () => new Promise<void>((r) => setImmediate(r));
  printFigures('jsdom', [
    [`prose, lists, code (${PROSE_BLOCKS} blocks)`, await measureStreaming(doc, render, proseAnswer(PROSE_BLOCKS), PER_FRAME, pause)],
    [`one ${CODE_LINES}-line code block`, await measureStreaming(doc, render, codeAnswer(CODE_LINES), PER_FRAME, pause)],
    [`a ${LIST_ITEMS}-item list, no blank lines`, await measureStreaming(doc, render, listAnswer(LIST_ITEMS), PER_FRAME, pause)],
    [`a ${TABLE_ROWS}-row table`, await measureStreaming(doc, render, tableAnswer(TABLE_ROWS), PER_FRAME, pause)],
  ]);
}

/** In a real Chromium (Debian's, as the e2e tests use), if there is one. */
async function benchRenderingChromium(): Promise<void> {
  const executablePath = process.env.CHROMIUM ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
  if (!executablePath) {
    console.log('\n(no Chromium found: set CHROMIUM to measure rendering in a real browser)');
    return;
  }
  const bundle = await esbuild.build({ entryPoints: [path.join(__dirname, '../../../test/bench/browser-entry.ts')], bundle: true, write: false, format: 'iife', platform: 'browser', target: 'es2022', logLevel: 'warning' });
  const browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage();
    await page.setContent('<!doctype html><html><body></body></html>');
    await page.addScriptTag({ content: bundle.outputFiles[0].text });
    const run = (kind: 'prose' | 'code' | 'list' | 'table', size: number) =>
      page.evaluate(([k, n, f]) => (window as unknown as { measure: (k: string, n: number, f: number) => Promise<RenderFigures> }).measure(k as string, n as number, f as number), [kind, size, PER_FRAME] as const);
    await run('prose', 50); // warm-up
    printFigures(`Chromium ${browser.version()} (headless)`, [
      [`prose, lists, code (${PROSE_BLOCKS} blocks)`, await run('prose', PROSE_BLOCKS)],
      [`one ${CODE_LINES}-line code block`, await run('code', CODE_LINES)],
      [`a ${LIST_ITEMS}-item list, no blank lines`, await run('list', LIST_ITEMS)],
      [`a ${TABLE_ROWS}-row table`, await run('table', TABLE_ROWS)],
    ]);
  } finally {
    await browser.close();
  }
}

async function benchRendering(): Promise<void> {
  await benchRenderingJsdom();
  await benchRenderingChromium();
}

async function main(): Promise<void> {
  if (process.argv.includes('--render-only')) return benchRendering();
  const { url, child } = await startSpace();
  try {
    const rows: Array<[string, Result[]]> = [];
    for (const [name, fn] of [['this provider', viaProvider], ['@gradio/client', viaGradioClient]] as const) {
      await fn(url); // warm-up
      const results: Result[] = [];
      for (let i = 0; i < RUNS; i++) results.push(await fn(url));
      rows.push([name, results]);
    }
    console.log(`Streaming a ${WORDS}-word answer (${RUNS} runs each, medians; Space in its own process)`);
    console.log('client            events  chars    CPU ms  CPU ms/10k events  first fragment ms  wall ms');
    const perTen: number[] = [];
    for (const [name, rs] of rows) {
      const cpu = median(rs.map((r) => r.cpuMs));
      const per = (cpu / rs[0].events) * 10_000;
      perTen.push(per);
      console.log(
        `${name.padEnd(16)} ${String(rs[0].events).padStart(7)} ${String(rs[0].chars).padStart(7)} ${cpu.toFixed(0).padStart(8)} ${per.toFixed(1).padStart(18)} ${median(rs.map((r) => r.firstMs)).toFixed(1).padStart(18)} ${median(rs.map((r) => r.totalMs)).toFixed(0).padStart(8)}`,
      );
    }
    console.log(`ratio (@gradio/client CPU per event / this provider's): ${(perTen[1] / perTen[0]).toFixed(2)}x`);
    const mem = process.memoryUsage();
    console.log(`client process RSS after runs: ${(mem.rss / 1048576).toFixed(0)} MiB, heap used ${(mem.heapUsed / 1048576).toFixed(0)} MiB`);
  } finally {
    child.kill();
  }
  await benchRendering();
}

void main();
