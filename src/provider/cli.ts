/**
 * Command line use of the providers, mirroring gpt4free's example:
 *   node dist/cli.js [--model NAME|ENDPOINT/MODEL] [--endpoint NAME=URL]... [--api-key-env VAR]
 *                    [--fallback-order M,M...] [--space NAME=URL]... [--no-fallback] [--url URL] PROMPT
 * The answer's text goes to stdout as it streams (never the reasoning); status (which model
 * answered and where, the queue) goes to stderr; a failure prints the error to stderr and exits
 * non-zero (2 for usage, 1 for a failed request, 130 when interrupted). Keys come from the
 * environment only, and go only to their own endpoint.
 */
import { Answer } from './answer';
import { describeError } from './errors';
import { listModels as endpointModels } from './openai/client';
import { ENDPOINT_PRESETS, presetById } from './openai/presets';
import type { ChatMessage } from './prompt';
import { type EndpointSetting, resolveEndpoints, resolveModel, type ResolvedEndpoint, routeStream } from './router';
import { DEFAULT_MODEL, MODELS, spaceFor, urlFor } from './spaces';
import type { SpaceStatus } from './types';

const USAGE = `usage: qwen-chat [--model NAME|ENDPOINT/MODEL] [--endpoint NAME=URL]... [--api-key-env VAR]
                 [--fallback-order MODEL,MODEL...] [--no-fallback] [--space NAME=URL]... [--url URL]
                 [--system TEXT] [--proxy URL] [--timeout SECONDS] [--wake-timeout SECONDS] [--hub URL] [--quiet] PROMPT
       qwen-chat [--endpoint NAME=URL]... --list-models
  --model         a free Space's model: ${MODELS.join(', ')} (default ${DEFAULT_MODEL});
                  or ENDPOINT/MODEL on an OpenAI-compatible endpoint, e.g. ollama/qwen2.5-coder:7b,
                  hf/Qwen/Qwen2.5-Coder-32B-Instruct, openrouter/qwen/qwen3-coder. Endpoints by preset:
                  ${ENDPOINT_PRESETS.map((p) => p.id).join(', ')}
  --endpoint      NAME=URL: declare an endpoint (its base URL, /v1 included) or move a preset; repeatable
  --api-key-env   VAR: the chosen endpoint's key is in this environment variable (or NAME=VAR for another).
                  Otherwise: HF_TOKEN (hf), DASHSCOPE_API_KEY (dashscope), OPENROUTER_API_KEY (openrouter),
                  else <NAME>_API_KEY. A key is sent only to its endpoint, over HTTPS or to this machine.
  --fallback-order  the models tried after the chosen one, Spaces and endpoints mixed
  --space         NAME=URL: reach a model (or a Space id) at another URL; repeatable
  --url           the chosen model's Space at URL (also owner/name)
  --no-fallback   do not try another model when the chosen one is unavailable
  --system        system prompt (default: the Space's own)
  --proxy         proxy URL (default: HTTP_PROXY / HTTPS_PROXY / NO_PROXY from the environment)
  --timeout       seconds without a byte from the Space before giving up; also the connect timeout (default 60)
  --wake-timeout  seconds to wait for a sleeping Space to wake (default 180)
  --hub           the Hugging Face Hub to ask for a Space's stage ("none": do not ask)
  --list-models   print the Spaces' models, then each endpoint's (asked of its /models where declared)
  --quiet         no status on stderr
  HF_TOKEN        (environment) a Hugging Face token, sent only to Hugging Face hosts over HTTPS
  PROMPT          the question; "-" reads it from stdin`;

interface Args {
  endpoints: EndpointSetting[];
  /** Endpoint name ('' for the chosen model's) -> environment variable. */
  keyEnv: Record<string, string>;
  fallbackOrder?: string[];
  url?: string;
  model?: string;
  system?: string;
  proxy?: string;
  timeout?: number;
  wakeTimeout?: number;
  hub?: string | null;
  spaces: Record<string, string>;
  fallback: boolean;
  quiet: boolean;
  prompt: string;
}

export function parseArgs(argv: string[]): Args | { error: string } | { help: true } | { list: true; endpoints: EndpointSetting[] } {
  const out: Partial<Args> & { quiet: boolean; spaces: Record<string, string>; fallback: boolean; endpoints: EndpointSetting[]; keyEnv: Record<string, string> } = {
    quiet: false,
    spaces: {},
    fallback: true,
    endpoints: [],
    keyEnv: {},
  };
  let list = false;
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
      else if (a === '--timeout' || a === '--wake-timeout') {
        const n = Number(take());
        if (!(n >= 0) || (a === '--timeout' && n === 0)) return { error: `${a} takes a number of seconds` };
        if (a === '--timeout') out.timeout = n;
        else out.wakeTimeout = n;
      } else if (a === '--space') {
        const v = take();
        const eq = v.indexOf('=');
        if (eq <= 0) return { error: '--space takes NAME=URL' };
        out.spaces[v.slice(0, eq)] = v.slice(eq + 1);
      } else if (a === '--endpoint') {
        const v = take();
        const eq = v.indexOf('=');
        const name = v.slice(0, eq);
        if (eq <= 0 || !/^[\w.-]+$/.test(name)) return { error: '--endpoint takes NAME=URL (a name of letters, digits, . _ -)' };
        try {
          const u = new URL(v.slice(eq + 1));
          if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error();
        } catch {
          return { error: `--endpoint ${name}: "${v.slice(eq + 1)}" is not an http:// or https:// URL` };
        }
        const i = out.endpoints.findIndex((e) => e.name === name);
        const e: EndpointSetting = { name, baseUrl: v.slice(eq + 1), ...(presetById(name) ? { preset: name } : {}) };
        if (i >= 0) out.endpoints[i] = e;
        else out.endpoints.push(e);
      } else if (a === '--api-key-env') {
        const v = take();
        const eq = v.indexOf('=');
        if (eq > 0) out.keyEnv[v.slice(0, eq)] = v.slice(eq + 1);
        else out.keyEnv[''] = v;
      } else if (a === '--fallback-order') {
        out.fallbackOrder = take().split(',').map((x) => x.trim()).filter(Boolean);
      } else if (a === '--no-fallback') out.fallback = false;
      else if (a === '--hub') {
        const v = take();
        out.hub = v === 'none' ? null : v;
      } else if (a === '--list-models') list = true;
      else if (a === '--quiet' || a === '-q') out.quiet = true;
      else if (a === '--') rest.push(...argv.slice(i + 1)), (i = argv.length);
      else if (a.startsWith('--')) return { error: `unknown option ${a}` };
      else rest.push(a);
    } catch (e) {
      return { error: (e as Error).message };
    }
  }
  if (list) return { list: true, endpoints: out.endpoints };
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
    case 'alive':
      return `Still waiting; the Space is alive (${s.waitedSeconds} s so far)...`;
    case 'space-starting':
      return `${s.space} is ${s.stage_}; waiting for it...`;
    case 'fallback':
      return `${s.reason}; trying ${s.to}...`;
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
  if ('list' in args) {
    for (const m of MODELS) {
      const s = spaceFor(m);
      process.stdout.write(`${m.padEnd(16)} ${s.shape.spaceId.padEnd(26)} ${s.url}\n`);
    }
    await listEndpointModels(args.endpoints);
    return 0;
  }
  if ('error' in args) {
    process.stderr.write(`qwen-chat: ${args.error}\n${USAGE}\n`);
    return 2;
  }
  const model = args.model ?? DEFAULT_MODEL;
  const endpoints = resolveEndpoints(args.endpoints);
  let chosen: ResolvedEndpoint | undefined;
  try {
    const ref = resolveModel(model, endpoints);
    if (ref.kind === 'endpoint') chosen = ref.endpoint;
    if (args.url && ref.kind !== 'space') throw new Error('--url names a Space; for an endpoint use --endpoint NAME=URL');
  } catch (err) {
    process.stderr.write(`qwen-chat: ${(err as Error).message}\n`);
    return 2;
  }
  const keyFor = (ep: ResolvedEndpoint) => {
    const name = args.keyEnv[ep.name] ?? (ep.name === chosen?.name ? args.keyEnv[''] : undefined) ?? keyEnvName(ep.name, ep.preset?.id);
    return process.env[name] || undefined;
  };
  const prompt = args.prompt === '-' ? await readStdin() : args.prompt;
  const messages: ChatMessage[] = [];
  if (args.system) messages.push({ role: 'system', content: args.system });
  messages.push({ role: 'user', content: prompt });
  const ac = new AbortController();
  const onSigint = () => ac.abort();
  process.once('SIGINT', onSigint);
  // The reader went away (`| head`): stop asking the Space, as Ctrl+C does, and end quietly.
  const onPipeClosed = (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') {
      piped = true;
      ac.abort();
    }
  };
  let piped = false;
  process.stdout.on('error', onPipeClosed);
  let lastStatus = '';
  const status = (line: string | undefined, always = false) => {
    if (!line || (line === lastStatus && !always)) return;
    if (!args.quiet || always) process.stderr.write(`${line}\n`);
    lastStatus = line;
  };
  const spaces = { ...args.spaces, ...(args.url ? { [model]: args.url } : {}) };
  let printed = '';
  let inSync = true;
  // Read through the one answer consumer: Ctrl+C and a closed pipe stop it like any Stop.
  const answer = new Answer((signal) =>
    routeStream(model, messages, {
      spaces,
      endpoints: args.endpoints,
      keyFor,
      ...(args.fallbackOrder ? { fallbackOrder: args.fallbackOrder } : {}),
      fallback: args.fallback,
      proxy: args.proxy,
      // The Hub's own convention; the provider sends it only to Hugging Face hosts over HTTPS.
      hfToken: process.env.HF_TOKEN || undefined,
      signal,
      idleTimeoutMs: args.timeout ? args.timeout * 1000 : undefined,
      wakeTimeoutMs: args.wakeTimeout !== undefined ? args.wakeTimeout * 1000 : undefined,
      ...(args.hub !== undefined ? { hubUrl: args.hub } : {}),
    }),
    { signal: ac.signal },
  );
  try {
    for await (const ev of answer) {
      switch (ev.type) {
        case 'status':
          status(statusLine(ev.status));
          break;
        case 'model':
          status(`Answered by ${ev.model} (${ev.model.includes('/') ? ev.where : `${ev.spaceId} at ${urlFor(ev.model, spaces)}`})${ev.fallbackReason ? `: ${ev.fallbackReason}` : ''}`, !!ev.fallbackReason);
          break;
        case 'text':
          if (inSync) {
            process.stdout.write(ev.delta);
            printed += ev.delta;
          }
          break;
        case 'rewrite':
          inSync = ev.text.startsWith(printed);
          if (inSync) {
            process.stdout.write(ev.text.slice(printed.length));
            printed = ev.text;
          }
          break;
        case 'done':
          // Whatever streamed, stdout must end with the Space's final answer.
          if (ev.text !== printed) {
            if (ev.text.startsWith(printed)) process.stdout.write(ev.text.slice(printed.length));
            else {
              process.stderr.write('\nqwen-chat: the Space rewrote its answer while it streamed; the final answer follows.\n');
              process.stdout.write(`\n${ev.text}`);
            }
            printed = ev.text;
          }
          break;
        case 'reasoning': // the reasoning never goes to stdout
        case 'tool-call':
        case 'usage':
          break;
      }
    }
    if (piped) return 0;
    if (answer.state === 'stopped') {
      process.stderr.write('\nqwen-chat: stopped; what came is above.\n');
      return 130;
    }
    if (answer.state === 'error') {
      const d = answer.described!;
      process.stderr.write(`\nqwen-chat: ${d.message}\n${d.hint}\n`);
      return 1;
    }
    process.stdout.write('\n');
    return 0;
  } finally {
    process.off('SIGINT', onSigint);
    process.stdout.off('error', onPipeClosed);
  }
}

/** The environment variable an endpoint's key is read from, by the ecosystem's own names. */
export function keyEnvName(name: string, preset?: string): string {
  const p = presetById(preset ?? name);
  if (p?.keyEnv) return p.keyEnv;
  return `${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_API_KEY`;
}

/**
 * Each endpoint's models: a declared endpoint (--endpoint) is asked for its /models, with its key;
 * a preset known by name shows its Qwen models without a request.
 */
async function listEndpointModels(settings: EndpointSetting[]): Promise<void> {
  for (const ep of resolveEndpoints(settings)) {
    const where = ep.preset ? `${ep.preset.label} (${ep.baseUrl})` : ep.baseUrl;
    let ids: string[] = [...ep.models];
    if (ep.declared) {
      try {
        const apiKey = process.env[keyEnvName(ep.name, ep.preset?.id)] || undefined;
        ids = (await endpointModels({ name: ep.name, baseUrl: ep.baseUrl, ...(ep.preset ? { preset: ep.preset.id } : {}), ...(apiKey ? { apiKey } : {}) }, { idleTimeoutMs: 10_000 })).map((m) => m.id);
      } catch (err) {
        process.stderr.write(`qwen-chat: ${ep.name}: ${describeError(err).message} Showing its known Qwen models.\n`);
      }
    }
    for (const id of ids) process.stdout.write(`${`${ep.name}/${id}`.padEnd(40)} ${where}\n`);
  }
}

if (require.main === module) {
  // A listing read by `| head` ends as quietly as a streamed answer (main() handles that one).
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
  });
  void main().then((code) => {
    process.exitCode = code;
  });
}
