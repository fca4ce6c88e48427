/**
 * The layout's rules, read from the code: the provider and the chat core never import VS Code,
 * and the chat core never imports the webview's protocol or the DOM (see docs/architecture.md).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const SRC = path.resolve(__dirname, '../../../src');

function files(dir: string): string[] {
  let out: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = path.join(dir, e);
    if (statSync(p).isDirectory()) out = out.concat(files(p));
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

/** Every module a file imports or requires, as written. */
function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm)].map((m) => m[1]);
}

describe('the layout holds its rules', () => {
  it('src/provider imports no vscode (it runs in the CLI and in tests as plain Node)', () => {
    const bad = files(path.join(SRC, 'provider')).flatMap((f) => (imports(f).includes('vscode') ? [path.relative(SRC, f)] : []));
    assert.ok(files(path.join(SRC, 'provider')).length > 10, 'the provider was found');
    assert.deepEqual(bad, []);
  });

  it('src/chat imports no vscode, no webview protocol and no DOM', () => {
    const offenders = files(path.join(SRC, 'chat')).flatMap((f) => {
      const text = readFileSync(f, 'utf8');
      const why = [
        ...imports(f).filter((m) => m === 'vscode' || /(^|\/)protocol$/.test(m) || /\/webview\//.test(m)),
        ...(/\b(document|window)\.\w/.test(text) ? ['the DOM'] : []),
      ];
      return why.length ? [`${path.relative(SRC, f)}: ${why.join(', ')}`] : [];
    });
    assert.deepEqual(offenders, []);
  });

  it('catches an offender: the check reads every import form', () => {
    const probe = path.join(__dirname, 'layout-probe.txt');
    require('node:fs').writeFileSync(probe, "import * as vscode from 'vscode';\nconst x = require('vscode');\nimport('../protocol');\n");
    try {
      assert.deepEqual(imports(probe), ['vscode', 'vscode', '../protocol']);
    } finally {
      require('node:fs').unlinkSync(probe);
    }
  });
});
