/**
 * Model output to safe HTML, incrementally. markdown-it parses (raw HTML in the output is shown
 * as text, never run), highlight.js colours code, and DOMPurify sanitises what markdown-it
 * made before it touches the DOM. Images become a button: nothing is fetched without a click.
 *
 * StreamingMarkdown freezes each finished block (text up to a blank line outside a code
 * fence) into its own element and re-renders only the open tail, so a token at the end of a
 * very long answer costs what a token at its start does.
 */
import type { DOMPurify } from 'dompurify';
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
import MarkdownIt from 'markdown-it';

const LANGS = { bash, c, cpp, csharp, css, diff, go, java, javascript, json, kotlin, markdown: markdownLang, php, python, ruby, rust, shell, sql, swift, typescript, xml, yaml };
for (const [name, def] of Object.entries(LANGS)) if (!hljs.getLanguage(name)) hljs.registerLanguage(name, def);

/** Auto-detection is costly; skip it for big blocks and just escape. */
const AUTO_DETECT_LIMIT = 2_000;

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);
}

export function createMarkdown(): MarkdownIt {
  const md: MarkdownIt = new MarkdownIt({
    html: false,
    linkify: true,
    breaks: false,
    highlight: (code, lang) => {
      const language = lang.trim().split(/\s+/)[0]?.toLowerCase() ?? '';
      try {
        if (language && hljs.getLanguage(language)) return hljs.highlight(code, { language, ignoreIllegals: true }).value;
        if (!language && code.length <= AUTO_DETECT_LIMIT) return hljs.highlightAuto(code).value;
      } catch {
        /* fall through to plain text */
      }
      return escapeHtml(code);
    },
  });
  md.renderer.rules.image = (tokens, idx) => {
    const t = tokens[idx];
    const src = t.attrGet('src') ?? '';
    const alt = t.content || '';
    let host = '';
    try {
      host = new URL(src).host;
    } catch {
      /* relative or invalid: the click handler refuses it */
    }
    const label = `Show image${alt ? `: ${alt}` : ''}${host ? ` (from ${host})` : ''}`;
    return `<button type="button" class="md-image" data-src="${escapeHtml(src)}" data-alt="${escapeHtml(alt)}" title="${escapeHtml(src)}">${escapeHtml(label)}</button>`;
  };
  return md;
}

const SANITIZE = {
  FORBID_TAGS: ['style', 'img', 'iframe', 'form', 'input', 'textarea', 'select', 'object', 'embed', 'svg', 'math', 'script', 'link', 'meta'],
  FORBID_ATTR: ['style', 'id', 'name', 'srcset', 'formaction'],
  ALLOW_DATA_ATTR: true,
};

export type Render = (markdown: string) => string;

/** markdown -> sanitised HTML. `purify` is DOMPurify bound to the page's window (or a test DOM's). */
export function createRenderer(purify: DOMPurify): Render {
  const md = createMarkdown();
  return (src) => purify.sanitize(md.render(src), SANITIZE) as string;
}

/** Image sources a click may load: https and inline raster data only. */
export function isLoadableImage(src: string): boolean {
  if (/^data:image\/(png|jpe?g|gif|webp);base64,[a-z0-9+/=\s]+$/i.test(src)) return true;
  try {
    return new URL(src).protocol === 'https:';
  } catch {
    return false;
  }
}

const FENCE = /^ {0,3}(`{3,}|~{3,})(.*)$/;

export class StreamingMarkdown {
  private source = '';
  /** Characters of `source` rendered into frozen blocks. */
  private committed = 0;
  /** Characters of `source` scanned for block boundaries (complete lines only). */
  private scanned = 0;
  /** The latest position where a block may end. */
  private boundary = 0;
  private fence: string | null = null;
  private readonly tail: HTMLElement;
  /** Characters handed to the renderer by the last update: the per-token cost. */
  lastRenderedChars = 0;

  constructor(
    private readonly root: HTMLElement,
    private readonly render: Render,
    private readonly decorate: (el: HTMLElement) => void = () => {},
  ) {
    this.tail = root.ownerDocument.createElement('div');
    this.tail.className = 'md-tail';
    root.appendChild(this.tail);
  }

  get text(): string {
    return this.source;
  }

  /** Replaces everything (a rewrite, or a finished answer loaded from history). */
  set(text: string): void {
    for (const el of Array.from(this.root.querySelectorAll(':scope > .md-block'))) el.remove();
    this.source = '';
    this.committed = this.scanned = this.boundary = 0;
    this.fence = null;
    this.append(text);
  }

  append(delta: string): void {
    this.source += delta;
    this.scan();
    let rendered = 0;
    if (this.boundary > this.committed) {
      const block = this.root.ownerDocument.createElement('div');
      block.className = 'md-block';
      const chunk = this.source.slice(this.committed, this.boundary);
      block.innerHTML = this.render(chunk);
      rendered += chunk.length;
      this.decorate(block);
      this.root.insertBefore(block, this.tail);
      this.committed = this.boundary;
    }
    const open = this.source.slice(this.committed);
    this.tail.innerHTML = open ? this.render(open) : '';
    rendered += open.length;
    this.decorate(this.tail);
    this.lastRenderedChars = rendered;
  }

  private scan(): void {
    const s = this.source;
    for (;;) {
      const nl = s.indexOf('\n', this.scanned);
      if (nl < 0) return;
      const line = s.slice(this.scanned, nl);
      const end = nl + 1;
      const m = FENCE.exec(line);
      if (this.fence) {
        if (m && m[1][0] === this.fence[0] && m[1].length >= this.fence.length && m[2].trim() === '') {
          this.fence = null;
          this.boundary = end; // a closed fence ends a block
        }
      } else if (m) {
        this.fence = m[1];
      } else if (line.trim() === '') {
        this.boundary = end;
      }
      this.scanned = end;
    }
  }
}
