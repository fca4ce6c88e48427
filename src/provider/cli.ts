/**
 * Command line use of the provider, mirroring gpt4free's example:
 *   node dist/cli.js [--url URL] [--model NAME] [--system TEXT] [--proxy URL] [--timeout SECONDS] PROMPT
 * The answer's text goes to stdout as it streams; status goes to stderr; a failure prints the
 * error to stderr and exits non-zero (2 for usage, 1 for a failed request, 130 when interrupted).
 */
import { describeError, QwenError } from './errors';
import { Qwen_Qwen_2_5 } from './qwen';
import type { ChatMessage } from './prompt';
import type { SpaceStatus } from './types';

const USAGE = `usage: qwen-chat [--url URL] [--model NAME] [--system TEXT] [--proxy URL] [--timeout SECONDS] [--quiet] PROMPT
  --url      the Space (default ${Qwen_Qwen_2_5.url}); also owner/name
  --model    ${[Qwen_Qwen_2_5.defaultModel, ...Object.keys(Qwen_Qwen_2_5.modelAliases)].join(', ')}
  --system   system prompt (default: the Space's own)
  --proxy    proxy URL (default: HTTP_PROXY / HTTPS_PROXY / NO_PROXY from the environment)
  --timeout  seconds without a byte from the Space before giving up (default 60)
  --quiet    no status on stderr
  PROMPT     the question; "-" reads it from stdin`;

interface Args {
  url?: string;
  model?: string;
  system?: string;
  proxy?: string;
  timeout?: number;
  quiet: boolean;
  prompt: string;
}

export function parseArgs(argv: string[]): Args | { error: string } | { help: true } {
  const out: Partial<Args> & { quiet: boolean } = { quiet: false };
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const take = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    try {
      if (a === '-h' || a === '--help') return { help: true };
      else if (a === '--url') out.url = take();
      else if (a === '--model') out.model = take();
      else if (a === '--system') out.system = take();
      else if (a === '--proxy') out.proxy = take();
      else if (a === '--timeout') {
        const n = Number(take());
        if (!(n > 0)) return { error: '--timeout takes a number of seconds' };
        out.timeout = n;
      } else if (a === '--quiet' || a === '-q') out.quiet = true;
      else if (a === '--') rest.push(...argv.slice(i + 1)), (i = argv.length);
      else if (a.startsWith('--')) return { error: `unknown option ${a}` };
      else rest.push(a);
    } catch (e) {
      return { error: (e as Error).message };
    }
  }
  if (rest.length === 0) return { error: 'no prompt given' };
  return { ...out, prompt: rest.join(' ') };
}

export function statusLine(s: SpaceStatus): string | undefined {
  switch (s.stage) {
    case 'connecting':
      return `Connecting to ${s.url}...`;
    case 'waking':
      return `The Space is asleep or starting; waiting for it to wake up (${s.waitedSeconds} s of ${s.timeoutSeconds} s)...`;
    case 'queued':
      return `In queue: position ${s.position + 1}${s.queueSize ? ` of ${s.queueSize}` : ''}${s.etaSeconds !== null ? `, about ${Math.ceil(s.etaSeconds)} s` : ''}`;
    case 'started':
      return 'Generating...';
    case 'progress':
      return s.fraction !== null ? `Progress ${Math.round(s.fraction * 100)}%` : undefined;
    case 'log':
      return `[${s.level}] ${s.message}`;
    case 'warning':
      return `warning: ${s.message}`;
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function main(argv = process.argv.slice(2)): Promise<number> {
  const args = parseArgs(argv);
  if ('help' in args) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if ('error' in args) {
    process.stderr.write(`qwen-chat: ${args.error}\n${USAGE}\n`);
    return 2;
  }
  const prompt = args.prompt === '-' ? await readStdin() : args.prompt;
  const messages: ChatMessage[] = [];
  if (args.system) messages.push({ role: 'system', content: args.system });
  messages.push({ role: 'user', content: prompt });
  const ac = new AbortController();
  const onSigint = () => ac.abort();
  process.once('SIGINT', onSigint);
  let lastStatus = '';
  try {
    for await (const fragment of Qwen_Qwen_2_5.createAsyncGenerator(args.model ?? '', messages, {
      baseUrl: args.url,
      proxy: args.proxy,
      signal: ac.signal,
      idleTimeoutMs: args.timeout ? args.timeout * 1000 : undefined,
      onStatus: (s) => {
        const line = statusLine(s);
        if (!args.quiet && line && line !== lastStatus) process.stderr.write(`${line}\n`);
        if (line) lastStatus = line;
      },
    })) {
      process.stdout.write(fragment);
    }
    process.stdout.write('\n');
    return 0;
  } catch (err) {
    const d = describeError(err);
    process.stderr.write(`\nqwen-chat: ${d.message}\n${d.hint}\n`);
    return err instanceof QwenError && err.kind === 'aborted' ? 130 : 1;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

if (require.main === module) {
  void main().then((code) => {
    process.exitCode = code;
  });
}
