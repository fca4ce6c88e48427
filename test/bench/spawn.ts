/** A local server in its own process (so only the client's CPU is counted), started and read its URL from. */
import { type ChildProcess, spawn } from 'node:child_process';

/** Runs `node script ...args` and resolves with the URL it prints as "listening on URL". */
export async function startListening(script: string, args: string[], what: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      const m = /listening on (\S+)/.exec(d.toString());
      if (m) resolve(m[1]);
    });
    child.on('exit', (c) => reject(new Error(`${what} exited (${c})`)));
  });
  return { url, child };
}
