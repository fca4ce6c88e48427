#!/usr/bin/env node
// Runs before `npm start` and `npm test`, so each works as the first command in a fresh clone:
// installs the dependencies (`npm ci`) when node_modules is missing or older than
// package-lock.json, and does nothing otherwise (so CI's own `npm ci` just before `npm test` is
// not repeated). "Older" is read from what is installed, not from file times (a checkout touches
// the lockfile without changing it): npm writes node_modules/.package-lock.json at the end of
// every install, listing each package it put there, and every package the lockfile names must
// be there in its version. A node_modules that is a link to another checkout's is never
// reinstalled: `npm ci` would empty the folder it points to.
import { spawnSync } from 'node:child_process';
import { lstatSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const read = (p) => {
  try {
    return JSON.parse(readFileSync(path.join(root, p), 'utf8'));
  } catch {
    return undefined;
  }
};

/** Why node_modules needs an install, or undefined when it holds what the lockfile says. */
function outOfDate() {
  const lock = read('package-lock.json')?.packages;
  const installed = read('node_modules/.package-lock.json')?.packages;
  if (!installed) return 'node_modules is missing';
  if (!lock) return undefined; // no lockfile to compare with: leave it
  for (const [name, want] of Object.entries(lock)) {
    if (!name.startsWith('node_modules/')) continue; // the project itself
    const have = installed[name];
    if (!have && want.optional) continue; // another platform's binary
    if (!have || have.version !== want.version) return `package-lock.json is newer than node_modules (${name.slice('node_modules/'.length)} ${have ? `${have.version} installed, ${want.version} locked` : 'missing'})`;
  }
  return undefined;
}

const why = outOfDate();
if (why) {
  let linked = false;
  try {
    linked = lstatSync(path.join(root, 'node_modules')).isSymbolicLink();
  } catch {
    /* missing */
  }
  if (linked) {
    process.stderr.write(`${why}, but node_modules is a link to another checkout's: install there (npm ci) and run again.\n`);
    process.exit(1);
  }
  process.stdout.write(`Installing the dependencies (npm ci, about 30 s): ${why}\n`);
  const t0 = Date.now();
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(npm, ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    process.stderr.write(`npm ci failed (exit ${r.status ?? r.signal}): see above\n`);
    process.exit(r.status || 1);
  }
  process.stdout.write(`Dependencies installed in ${Math.round((Date.now() - t0) / 1000)} s\n`);
}
if (process.argv[2] === 'start') process.stdout.write('Building and packaging the extension (about 20 s)\n');
