/**
 * Model output to safe HTML: markdown-it parses (raw HTML in the output is shown as text, never
 * run), highlight.js colours code, and DOMPurify sanitises what markdown-it made before it
 * touches the DOM. Images become a button: nothing is fetched without a click.
 */
import type { DOMPurify } from 'dompurify';
import MarkdownIt from 'markdown-it';
import type { Token } from 'markdown-it';
import { escapeHtml, highlightCode, pickLanguage } from './highlight';

export function createMarkdown(): MarkdownIt {
  const md: MarkdownIt = new MarkdownIt({
    html: false,
    linkify: true,
    breaks: false,
    highlight: (code, lang) => highlightCode(code, pickLanguage(lang, code)).value,
  });
  // Column alignment as a class: a style attribute would be refused by the webview's CSP (and
  // reported as a violation for every cell) before the sanitiser could drop it.
  md.core.ruler.push('align_classes', (state) => {
    for (const t of state.tokens) {
      if (t.type !== 'th_open' && t.type !== 'td_open') continue;
      const align = /text-align:\s*(left|right|center)/.exec(t.attrGet('style') ?? '')?.[1];
      if (!align) continue;
      t.attrs = (t.attrs ?? []).filter(([name]) => name !== 'style');
      t.attrJoin('class', `md-align-${align}`);
    }
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

export const SANITIZE = {
  FORBID_TAGS: [
    'style', 'img', 'iframe', 'frame', 'frameset', 'form', 'input', 'textarea', 'select', 'object', 'embed', 'svg', 'math',
    'script', 'link', 'meta', 'base', 'video', 'audio', 'source', 'track', 'picture', 'portal',
  ],
  FORBID_ATTR: ['style', 'id', 'name', 'srcset', 'formaction', 'action', 'poster', 'background', 'ping'],
  ALLOW_DATA_ATTR: true,
};

/**
 * markdown -> sanitised HTML; `.code(code, language)` -> the sanitised inside of a code element
 * (for a code block that streams in pieces), and whether the highlighter ended at top level.
 */
export type Render = ((markdown: string) => string) & {
  code: (code: string, language: string) => { html: string; atTop: boolean };
  /** The markdown-it instance behind it, for parsing a part of a text into block tokens. */
  md: MarkdownIt;
  /** Block tokens to sanitised HTML, with `env` carrying the reference definitions in force. */
  tokens: (tokens: Token[], env: object) => string;
};

/** `purify` is DOMPurify bound to the page's window (or a test DOM's). */
export function createRenderer(purify: DOMPurify): Render {
  const md = createMarkdown();
  const render = (src: string) => purify.sanitize(md.render(src), SANITIZE) as string;
  return Object.assign(render, {
    md,
    tokens: (tokens: Token[], env: object) => purify.sanitize(md.renderer.render(tokens, md.options, env), SANITIZE) as string,
    code: (code: string, language: string) => {
      const h = highlightCode(code, language);
      return { html: purify.sanitize(h.value, SANITIZE) as string, atTop: h.atTop };
    },
  });
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

