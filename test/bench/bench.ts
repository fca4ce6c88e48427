/**
 * `npm run bench`: streams long answers from the local Space (in its own process, so only the
 * client's CPU is counted) through this provider and through the official @gradio/client, and
 * prints client CPU time per 10,000 events, time to first fragment, and the ratio of the two.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { clearEndpointCache, Qwen_Qwen_2_5 } from '../../src/provider/qwen';

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

async function main(): Promise<void> {
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
}

void main();
