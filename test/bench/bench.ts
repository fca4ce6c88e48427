/**
 * `npm run bench`: streams long answers from the local Space (in its own process, so only the
 * client's CPU is counted) through this provider and through the official @gradio/client, and
 * prints client CPU time per 10,000 events, time to first fragment, and the ratio of the two.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import createDOMPurify from 'dompurify';
import { JSDOM } from 'jsdom';
import { clearEndpointCache, Qwen_Qwen_2_5 } from '../../src/provider/qwen';
import { createRenderer, StreamingMarkdown } from '../../src/webview/markdown';

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

/** A long answer like a model writes: paragraphs, lists and code blocks. */
function longAnswer(blocks: number): string {
  const out: string[] = [];
  for (let i = 0; i < blocks; i++) {
    if (i % 5 === 4) out.push('```ts', `function f${i}(x: number): number {`, '  return x * 2; // double', '}', '```', '');
    else if (i % 5 === 2) out.push(`- item ${i} with **bold** text`, `- another item with \`code\``, '');
    else out.push(`Paragraph ${i}: ${'lorem ipsum dolor sit amet '.repeat(8).trim()}.`, '');
  }
  return out.join('\n');
}

/** Webview rendering cost per token at the start and the end of a long answer (jsdom). */
function benchRendering(): void {
  const dom = new JSDOM('<!doctype html><body></body>');
  const render = createRenderer(createDOMPurify(dom.window as unknown as Window & typeof globalThis));
  const answer = longAnswer(Number(process.env.BENCH_BLOCKS ?? 600));
  const tokens = answer.match(/\s*\S+/g) ?? [];
  const root = dom.window.document.createElement('div');
  const sm = new StreamingMarkdown(root, render);
  const window = 500;
  const times: number[] = [];
  for (const t of tokens) {
    const t0 = performance.now();
    sm.append(t);
    times.push(performance.now() - t0);
  }
  const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const first = avg(times.slice(0, window));
  const last = avg(times.slice(-window));
  // The naive way (re-render the whole answer for each token), timed on the last tokens only.
  const naive: number[] = [];
  const el = dom.window.document.createElement('div');
  for (let i = tokens.length - 20; i < tokens.length; i++) {
    const src = tokens.slice(0, i + 1).join('');
    const t0 = performance.now();
    el.innerHTML = render(src);
    naive.push(performance.now() - t0);
  }
  console.log(`\nWebview rendering of a ${answer.length}-character answer (${tokens.length} tokens, jsdom):`);
  console.log(`  incremental: ${first.toFixed(3)} ms per token over the first ${window}, ${last.toFixed(3)} ms over the last ${window} (end/start ${(last / first).toFixed(2)}x)`);
  console.log(`  re-rendering the whole answer per token, at the end: ${avg(naive).toFixed(1)} ms per token (${(avg(naive) / last).toFixed(0)}x the incremental cost)`);
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
  benchRendering();
}

void main();
