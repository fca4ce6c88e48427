/**
 * Run by bench.ts in its own process, so its peak memory is its own: reads one answer from the
 * local Space (already set to answer with one huge event) through the provider, and prints its
 * CPU time and peak RSS as JSON.
 */
import { Qwen_Qwen_2_5 } from '../../src/provider/spaces';

async function main(): Promise<void> {
  const [url] = process.argv.slice(2);
  const c0 = process.cpuUsage();
  let chars = 0;
  for await (const ev of Qwen_Qwen_2_5.stream('', [{ role: 'user', content: 'big' }], { baseUrl: url, proxy: null })) {
    if (ev.type === 'done') chars = ev.text.length;
  }
  const c = process.cpuUsage(c0);
  process.stdout.write(JSON.stringify({ cpuMs: (c.user + c.system) / 1000, maxRssMB: process.resourceUsage().maxRSS / 1024, chars }) + '\n');
}

void main();
