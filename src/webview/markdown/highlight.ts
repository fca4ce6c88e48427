/** Colouring code with highlight.js: the languages bundled, the language to use, and whether a piece ended at top level. */
import hljs from 'highlight.js/lib/core';
import bash from 'highlight.js/lib/languages/bash';
import c from 'highlight.js/lib/languages/c';
import cpp from 'highlight.js/lib/languages/cpp';
import csharp from 'highlight.js/lib/languages/csharp';
import css from 'highlight.js/lib/languages/css';
import diff from 'highlight.js/lib/languages/diff';
import go from 'highlight.js/lib/languages/go';
import java from 'highlight.js/lib/languages/java';
import javascript from 'highlight.js/lib/languages/javascript';
import json from 'highlight.js/lib/languages/json';
import kotlin from 'highlight.js/lib/languages/kotlin';
import markdownLang from 'highlight.js/lib/languages/markdown';
import php from 'highlight.js/lib/languages/php';
import python from 'highlight.js/lib/languages/python';
import ruby from 'highlight.js/lib/languages/ruby';
import rust from 'highlight.js/lib/languages/rust';
import shell from 'highlight.js/lib/languages/shell';
import sql from 'highlight.js/lib/languages/sql';
import swift from 'highlight.js/lib/languages/swift';
import typescript from 'highlight.js/lib/languages/typescript';
import xml from 'highlight.js/lib/languages/xml';
import yaml from 'highlight.js/lib/languages/yaml';

const LANGS = { bash, c, cpp, csharp, css, diff, go, java, javascript, json, kotlin, markdown: markdownLang, php, python, ruby, rust, shell, sql, swift, typescript, xml, yaml };
for (const [name, def] of Object.entries(LANGS)) if (!hljs.getLanguage(name)) hljs.registerLanguage(name, def);

/** Auto-detection is costly: it reads at most this many characters of a block. */
export const AUTO_DETECT_LIMIT = 2_000;

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);
}

/**
 * The language to colour a block in: the fence's own if highlight.js knows it, else (no
 * language given) the best guess from the block's first AUTO_DETECT_LIMIT characters, so a
 * block streamed in pieces and the finished block are coloured alike. '' means plain text.
 */
export function pickLanguage(info: string, code: string): string {
  const language = info.trim().split(/\s+/)[0]?.toLowerCase() ?? '';
  if (language) return hljs.getLanguage(language) ? language : '';
  try {
    return hljs.highlightAuto(code.slice(0, AUTO_DETECT_LIMIT)).language ?? '';
  } catch {
    return '';
  }
}

/**
 * Code to highlighted (not yet sanitised) HTML in `language` ('' for plain). `atTop` says the
 * highlighter ended outside any construct (comment, string…) that could run on past the end,
 * so the next piece of code can be coloured on its own with the same result as the whole.
 */
export function highlightCode(code: string, language: string): { value: string; atTop: boolean } {
  try {
    if (language) {
      const r = hljs.highlight(code, { language, ignoreIllegals: true });
      // `_top` (the mode the highlighter ended in) is not public; without it, assume not at top.
      const top = (r as { _top?: unknown })._top;
      return { value: r.value, atTop: top !== undefined && top === hljs.getLanguage(language) };
    }
  } catch {
    /* fall through to plain text */
  }
  return { value: escapeHtml(code), atTop: true };
}

