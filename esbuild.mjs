// Builds the bundles: dist/extension.js (Node, CommonJS, `vscode` external), dist/webview.js
// (browser), and dist/cli.js (the provider's command line). `--watch` rebuilds on change;
// `--production` minifies.
import * as esbuild from 'esbuild';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const common = { bundle: true, sourcemap: !production, minify: production, logLevel: 'warning', legalComments: 'linked' };

const builds = [
  { ...common, entryPoints: ['src/provider/cli.ts'], outfile: 'dist/cli.js', platform: 'node', format: 'cjs', target: 'node20', banner: { js: '#!/usr/bin/env node' } },
];
/**
 * The extension loads undici (most of its code) only at its first request: it is its own file,
 * dist/undici.js, required from dist/extension.js when the provider first sends something, so
 * VS Code's "load code" time at activation covers only the extension itself.
 */
const undiciApart = {
  name: 'undici-apart',
  setup(b) {
    b.onResolve({ filter: /^undici$/ }, () => ({ path: './undici.js', external: true }));
  },
};
if (existsSync('src/extension/extension.ts')) {
  builds.push({ ...common, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', platform: 'node', format: 'cjs', target: 'node20', external: ['vscode'], plugins: [undiciApart] });
  builds.push({ ...common, entryPoints: ['node_modules/undici/index.js'], outfile: 'dist/undici.js', platform: 'node', format: 'cjs', target: 'node20' });
}
/** The view's bundle leaves KaTeX out: math is typeset by dist/katex.js, loaded when an answer holds some. */
const katexApart = {
  name: 'katex-apart',
  setup(b) {
    b.onResolve({ filter: /^katex$/ }, () => ({ path: new URL('./src/webview/markdown/katex-absent.ts', import.meta.url).pathname }));
  },
};
if (existsSync('src/webview/main.ts')) {
  builds.push({ ...common, entryPoints: ['src/webview/main.ts'], outfile: 'dist/webview.js', platform: 'browser', format: 'iife', target: 'es2022', plugins: [katexApart] });
  builds.push({ ...common, entryPoints: ['src/webview/katex-entry.ts'], outfile: 'dist/katex.js', platform: 'browser', format: 'iife', target: 'es2022' });
}

// VS Code's own icon font for the view's buttons, served from dist/ under the view's CSP
// (font-src and style-src are the webview's own origin).
mkdirSync('dist/codicons', { recursive: true });
for (const f of ['codicon.css', 'codicon.ttf']) copyFileSync(`node_modules/@vscode/codicons/dist/${f}`, `dist/codicons/${f}`);

if (watch) {
  const ctxs = await Promise.all(builds.map((b) => esbuild.context(b)));
  await Promise.all(ctxs.map((c) => c.watch()));
  console.log('esbuild: watching');
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
