/**
 * The endpoint client's cost: CPU per 10,000 streamed chunks through streamChat, through the
 * official `openai` SDK and through a floor (a raw read and JSON.parse of each `data:` line),
 * in the same run, interleaved round by round (each round in a rotated order), with the
 * medians of the per-round ratios; and the time to the first token against the floor's.
 * The local endpoint runs in its own process, so only the client's CPU is counted.
 *
 * `benchEndpoint()` is what `npm run bench` calls; `node out/test/bench/endpoint-bench.js`
 * runs it alone and prints the figures.
 */
import type { ChildProcess } from 'node:child_process';
import { startListening } from './spawn';
import path from 'node:path';
import { streamChat } from '../../src/provider/openai/client';
import type { Dialect } from '../fixtures/endpoint';
import { scriptedAnswer } from '../fixtures/space';

export interface EndpointBenchOptions {
  /** Content chunks per answer (one word each); default 10,000. */
  chunks?: number;
  /** Measured rounds, each running the three readers once; default 7 (plus one warm-up). */
  rounds?: number;
  /** The dialect the local endpoint speaks; default vLLM (the scale path). */
  dialect?: Dialect;
  /** Where progress lines go; default nowhere. */
  log?: (line: string) => void;
}

export interface EndpointBenchResult {
  dialect: Dialect;
  chunks: number;
  rounds: number;
  /** Median client CPU (user + system) per 10,000 chunks, ms. */
  cpuMsPer10k: { client: number; sdk: number; floor: number };
  /** Median time from the request to the first content token, ms. */
  firstTokenMs: { client: number; sdk: number; floor: number };
  /** Medians of the per-round ratios (each round measures all three under the same conditions). */
  ratios: { clientVsFloor: number; clientVsSdk: number; sdkVsFloor: number; firstTokenClientVsFloor: number };
  /** All three read the whole answer, the same text. */
  sameText: boolean;
}

interface Run {
  cpuMs: number;
  firstMs: number;
  chunks: number;
  text: string;
}

const MODEL = 'Qwen/Qwen2.5-Coder-32B-Instruct';

function startServer(dialect: Dialect): Promise<{ url: string; child: ChildProcess }> {
  return startListening(path.join(__dirname, '../fixtures/serve-endpoint.js'), ['--dialect', dialect, '--port', '0', '--token-delay', '0', '--models', MODEL], 'the local endpoint');
}

const question = (n: number) => `${n} words`;

async function viaClient(url: string, n: number): Promise<Run> {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  let first = 0;
  let chunks = 0;
  let text = '';
  for await (const e of streamChat({ name: 'bench', baseUrl: url }, MODEL, [{ role: 'user', content: question(n) }], { proxy: null })) {
    if (e.type !== 'text') continue;
    if (!first) first = performance.now() - t0;
    chunks++;
    text = e.text;
  }
  const c = process.cpuUsage(c0);
  return { cpuMs: (c.user + c.system) / 1000, firstMs: first, chunks, text };
}

async function viaSdk(url: string, n: number): Promise<Run> {
  const { default: OpenAI } = await import('openai');
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const client = new OpenAI({ baseURL: url, apiKey: 'bench', maxRetries: 0 });
  const stream = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: question(n) }], stream: true, stream_options: { include_usage: true } });
  let first = 0;
  let chunks = 0;
  const parts: string[] = [];
  for await (const chunk of stream) {
    const c = chunk.choices[0]?.delta?.content;
    if (!c) continue;
    if (!first) first = performance.now() - t0;
    chunks++;
    parts.push(c);
  }
  const c = process.cpuUsage(c0);
  return { cpuMs: (c.user + c.system) / 1000, firstMs: first, chunks, text: parts.join('') };
}

/** The least any reader must do: read the bytes, cut lines, JSON.parse each `data:` line. */
async function viaFloor(url: string, n: number): Promise<Run> {
  const { request } = await import('undici');
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const res = await request(`${url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: question(n) }], stream: true, stream_options: { include_usage: true } }),
  });
  let first = 0;
  let chunks = 0;
  const parts: string[] = [];
  let rest = '';
  const dec = new TextDecoder();
  outer: for await (const chunk of res.body) {
    const lines = (rest + dec.decode(chunk as Uint8Array, { stream: true })).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.startsWith('data:')) continue;
      const data = line.slice(line.charCodeAt(5) === 32 ? 6 : 5);
      if (data === '[DONE]') break outer;
      const j = JSON.parse(data) as { choices: Array<{ delta?: { content?: string } }> };
      const c = j.choices[0]?.delta?.content;
      if (!c) continue;
      if (!first) first = performance.now() - t0;
      chunks++;
      parts.push(c);
    }
  }
  res.body.destroy();
  const c = process.cpuUsage(c0);
  return { cpuMs: (c.user + c.system) / 1000, firstMs: first, chunks, text: parts.join('') };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export async function benchEndpoint(opts: EndpointBenchOptions = {}): Promise<EndpointBenchResult> {
  const n = opts.chunks ?? 10_000;
  const rounds = opts.rounds ?? 7;
  const dialect = opts.dialect ?? 'vllm';
  const log = opts.log ?? (() => undefined);
  const readers = { client: viaClient, sdk: viaSdk, floor: viaFloor } as const;
  const names = Object.keys(readers) as Array<keyof typeof readers>;
  const { url, child } = await startServer(dialect);
  const runs: Record<keyof typeof readers, Run[]> = { client: [], sdk: [], floor: [] };
  const expected = scriptedAnswer(question(n));
  let sameText = true;
  try {
    for (let r = -1; r < rounds; r++) {
      // Rotate who goes first, so no reader always gets the warmest (or coldest) moment.
      const order = names.map((_, i) => names[(i + Math.max(0, r)) % names.length]);
      for (const name of order) {
        const run = await readers[name](url, n);
        if (run.text !== expected || run.chunks !== n) sameText = false;
        if (r >= 0) runs[name].push(run);
      }
      if (r >= 0) log(`round ${r + 1}/${rounds}: ${names.map((k) => `${k} ${runs[k].at(-1)!.cpuMs.toFixed(0)} ms`).join(', ')}`);
    }
  } finally {
    child.kill();
  }
  const per10k = (k: keyof typeof readers) => median(runs[k].map((x) => (x.cpuMs * 10_000) / x.chunks));
  const ratio = (a: keyof typeof readers, b: keyof typeof readers, f: (x: Run) => number) => median(runs[a].map((x, i) => f(x) / f(runs[b][i])));
  return {
    dialect,
    chunks: n,
    rounds,
    cpuMsPer10k: { client: per10k('client'), sdk: per10k('sdk'), floor: per10k('floor') },
    firstTokenMs: { client: median(runs.client.map((x) => x.firstMs)), sdk: median(runs.sdk.map((x) => x.firstMs)), floor: median(runs.floor.map((x) => x.firstMs)) },
    ratios: {
      clientVsFloor: ratio('client', 'floor', (x) => x.cpuMs / x.chunks),
      clientVsSdk: ratio('client', 'sdk', (x) => x.cpuMs / x.chunks),
      sdkVsFloor: ratio('sdk', 'floor', (x) => x.cpuMs / x.chunks),
      firstTokenClientVsFloor: ratio('client', 'floor', (x) => x.firstMs),
    },
    sameText,
  };
}

if (require.main === module) {
  void benchEndpoint({ log: (l) => console.log(l) }).then(
    (r) => {
      console.log(`\nEndpoint client, ${r.chunks} chunks from the local ${r.dialect} endpoint, ${r.rounds} interleaved rounds (medians):`);
      console.log(`  CPU per 10,000 chunks: client ${r.cpuMsPer10k.client.toFixed(1)} ms, openai SDK ${r.cpuMsPer10k.sdk.toFixed(1)} ms, floor ${r.cpuMsPer10k.floor.toFixed(1)} ms`);
      console.log(`  ratios: client/floor ${r.ratios.clientVsFloor.toFixed(2)}x, client/SDK ${r.ratios.clientVsSdk.toFixed(2)}x, SDK/floor ${r.ratios.sdkVsFloor.toFixed(2)}x`);
      console.log(`  first token: client ${r.firstTokenMs.client.toFixed(1)} ms, SDK ${r.firstTokenMs.sdk.toFixed(1)} ms, floor ${r.firstTokenMs.floor.toFixed(1)} ms (client/floor ${r.ratios.firstTokenClientVsFloor.toFixed(2)}x)`);
      console.log(`  all three read the same whole answer: ${r.sameText ? 'yes' : 'NO'}`);
      process.exit(r.sameText ? 0 : 1);
    },
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
