/**
 * The bench's targets: each check as a row of bench-results/latest.json, printed as ✓/✗, and
 * the file itself, written whole by `npm run bench` or with one part's figures merged in by a
 * part run alone (side-by-side.js, long-chat.js, bench.js --provider-only).
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';

export interface CheckRow {
  what: string;
  value: string;
  target: string;
  ok: boolean | null;
  reproduce?: string;
}

/** Records a target: `value` null means not measured (then neither met nor missed). */
export type Check = (what: string, value: number | null, target: string, ok: boolean | null, unit?: string, reproduce?: string) => void;

/** An empty list of checks and the `check` that adds to it. */
export function checkList(): { checks: CheckRow[]; check: Check } {
  const checks: CheckRow[] = [];
  const check: Check = (what, value, target, ok, unit = 'ms', reproduce) =>
    void checks.push({ what, value: value === null ? 'not measured' : `${+value.toFixed(2)} ${unit}`, target, ok: value === null ? null : ok, ...(reproduce ? { reproduce } : {}) });
  return { checks, check };
}

export function printChecks(checks: readonly CheckRow[], log: (line: string) => void = console.log): void {
  for (const c of checks) log(`  ${c.ok === null ? '-' : c.ok ? '✓' : '✗'} ${c.what.padEnd(56)} ${c.value.padStart(14)}   target ${c.target}`);
}

export const LATEST = path.join(__dirname, '../../../bench-results/latest.json');

/** Writes every figure and check: a whole run's. */
export async function writeLatest(results: Record<string, unknown>, checks: readonly CheckRow[]): Promise<void> {
  await fsp.mkdir(path.dirname(LATEST), { recursive: true });
  await fsp.writeFile(LATEST, JSON.stringify({ ...results, checks, when: new Date().toISOString() }, null, 2) + '\n');
}

/**
 * One part's figures (under `key`) and its checks into latest.json, the rest kept: checks of the
 * same name are replaced, and those `stale` says this part no longer makes (renamed) are dropped.
 */
export async function mergeIntoLatest(key: string, figures: unknown, checks: readonly CheckRow[], stale: (what: string) => boolean = () => false): Promise<void> {
  const old = JSON.parse(await fsp.readFile(LATEST, 'utf8').catch(() => '{}')) as { checks?: CheckRow[] } & Record<string, unknown>;
  const mine = new Set(checks.map((c) => c.what));
  const kept = (old.checks ?? []).filter((c) => !mine.has(c.what) && !stale(c.what));
  await fsp.mkdir(path.dirname(LATEST), { recursive: true });
  await fsp.writeFile(LATEST, JSON.stringify({ ...old, [key]: figures, checks: [...kept, ...checks] }, null, 2) + '\n');
}
