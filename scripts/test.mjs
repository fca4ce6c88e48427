#!/usr/bin/env node
// The whole test run, as `npm test` and CI run it: build, the unit suite, the install of the
// real VS Code (cached), packaging, and the end-to-end suite in code-server (with the tests
// inside its extension host). Every phase runs even when an earlier one failed, so one red test
// never hides the others. It prints where the time went, and last the total as
// "N passed, N failed, N skipped" on a line of its own.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const only = process.argv[2]; // "unit" or "e2e": one half

const phases = [
  { name: 'build', cmd: [npm, 'run', '-s', 'compile'], then: [npm, 'run', '-s', 'build'] },
  { name: 'unit', cmd: [npx, 'mocha'], tests: true, part: 'unit' },
  { name: 'install VS Code', cmd: ['bash', 'scripts/install-vscode.sh'], part: 'e2e' },
  { name: 'package', cmd: [npm, 'run', '-s', 'package'], part: 'e2e' },
  { name: 'e2e + host', cmd: [npx, 'mocha', '--config', '.mocharc.e2e.json'], tests: true, part: 'e2e' },
];

function run(cmd) {
  return new Promise((resolve) => {
    let out = '';
    const child = spawn(cmd[0], cmd.slice(1), { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.on('data', (d) => {
      process.stdout.write(d);
      out += d.toString();
      if (out.length > 1_000_000) out = out.slice(-200_000);
    });
    child.on('close', (code) => resolve({ code: code ?? 1, out }));
  });
}

const totals = { passed: 0, failed: 0, skipped: 0 };
const times = [];
let failedPhase = false;
for (const p of phases) {
  if (only && p.part && p.part !== only) continue;
  const t0 = Date.now();
  process.stdout.write(`\n=== ${p.name}\n`);
  let r = await run(p.cmd);
  if (r.code === 0 && p.then) r = await run(p.then);
  const secs = Math.round((Date.now() - t0) / 1000);
  times.push(`${p.name.padEnd(16)} ${String(secs).padStart(5)} s${r.code ? '  (failed)' : ''}`);
  if (p.tests) {
    const lines = [...r.out.matchAll(/^(\d+) passed, (\d+) failed, (\d+) skipped$/gm)];
    const last = lines[lines.length - 1];
    if (last) {
      totals.passed += Number(last[1]);
      totals.failed += Number(last[2]);
      totals.skipped += Number(last[3]);
    } else totals.failed += 1; // the runner died before it could count
  } else if (r.code !== 0) {
    failedPhase = true;
    process.stdout.write(`\n${p.name} failed (exit ${r.code})\n`);
    if (p.name === 'build') break; // nothing can run without a build
  }
}
process.stdout.write(`\nWhere the time went:\n${times.map((t) => `  ${t}`).join('\n')}\n`);
if (failedPhase) totals.failed += 1;
process.stdout.write(`\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped\n`);
process.exitCode = totals.failed > 0 ? 1 : 0;
