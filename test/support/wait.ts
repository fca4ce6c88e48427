/**
 * The one way tests wait: on a condition, polled, with a bound that only turns a hang into a
 * clear failure (it never decides a result). Used by the unit, host and e2e suites alike.
 */
export async function waitFor<T>(
  what: string,
  cond: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  opts: { timeoutMs?: number; everyMs?: number } = {},
): Promise<T> {
  const timeout = opts.timeoutMs ?? 30_000;
  const every = opts.everyMs ?? 20;
  const t0 = Date.now();
  let lastError: unknown;
  for (;;) {
    try {
      const v = await cond();
      if (v) return v;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() - t0 > timeout) {
      throw new Error(`timed out after ${timeout} ms waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}`);
    }
    await new Promise((r) => setTimeout(r, every));
  }
}

/** Resolves with the first value `subscribe` hands its listener that passes `test`. */
export function nextEvent<T>(subscribe: (listener: (v: T) => void) => { dispose(): void }, test: (v: T) => boolean = () => true): Promise<T> {
  return new Promise((resolve) => {
    const sub = subscribe((v) => {
      if (!test(v)) return;
      sub.dispose();
      resolve(v);
    });
  });
}
