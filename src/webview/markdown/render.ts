/**
 * Model output to safe HTML: markdown-it parses (raw HTML in the output is shown as text, never
 * run), highlight.js colours code, and DOMPurify sanitises what markdown-it made before it
 * touches the DOM. Images become a button: nothing is fetched without a click.
 */
import type { DOMPurify } from 'dompurify';
import MarkdownIt from 'markdown-it';
import type { Token } from 'markdown-it';
import { escapeHtml, highlightCode, pickLanguage } from './highlight';
import { useMath } from './math';

/** An HTML tag as CommonMark reads one (open or closing tag, comment, declaration): shown as text. */
const HTML_TAG = /^<(?:[A-Za-z][A-Za-z0-9-]*(?:\s+[A-Za-z_:][A-Za-z0-9_.:-]*(?:\s*=\s*(?:[^"'=<>`\x00-\x20]+|'[^']*'|"[^"]*"))?)*\s*\/?>|\/[A-Za-z][A-Za-z0-9-]*\s*>|!---->|!--(?:-?[^>-])(?:-?[^-])*-->|![A-Za-z][^>]*>)/;

export interface MarkdownOptions {
  /** Raw HTML in answers (off in the product; on in a test build, to prove the sanitiser holds alone). */
  html?: boolean;
  /** A secret only this renderer knows, marking the image buttons it makes (see createRenderer). */
  imageMark?: string;
}

export function createMarkdown(o: MarkdownOptions = {}): MarkdownIt {
  const md: MarkdownIt = new MarkdownIt({
    html: o.html ?? false,
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
  // Raw HTML is shown as text; a URL inside such a tag is not a link the model wrote, so the tag
  // is taken as one piece of text before linkify could see the URL in it.
  if (!o.html) {
    md.inline.ruler.before('linkify', 'html_as_text', (state, silent) => {
      if (state.src.charCodeAt(state.pos) !== 0x3c /* < */) return false;
      const m = HTML_TAG.exec(state.src.slice(state.pos));
      if (!m) return false;
      // A token of its own: the core linkify rule only links plain text tokens.
      if (!silent) state.push('html_as_text', '', 0).content = m[0];
      state.pos += m[0].length;
      return true;
    });
    md.renderer.rules.html_as_text = (tokens, idx) => escapeHtml(tokens[idx].content);
  }
  // GFM task lists: "[ ] " or "[x] " opening a list item shows a read-only checkbox (no input
  // element: the sanitiser allows none), as GitHub renders them.
  md.core.ruler.push('task_lists', (state) => {
    const tokens = state.tokens;
    for (let i = 2; i < tokens.length; i++) {
      const t = tokens[i];
      if (t.type !== 'inline' || tokens[i - 1].type !== 'paragraph_open' || tokens[i - 2].type !== 'list_item_open') continue;
      const first = t.children?.[0];
      const m = first?.type === 'text' ? /^\[([ xX])\](?=\s|$)/.exec(first.content) : null;
      if (!m || !first) continue;
      const checked = m[1] !== ' ';
      first.content = first.content.slice(3).replace(/^\s/, '');
      const box = new state.Token('html_task', '', 0);
      box.meta = { checked };
      t.children!.unshift(box);
      tokens[i - 2].attrJoin('class', 'task-item');
    }
  });
  md.renderer.rules.html_task = (tokens, idx) => {
    const checked = (tokens[idx].meta as { checked: boolean }).checked;
    return `<span class="task-box" role="checkbox" aria-checked="${checked}" aria-readonly="true" aria-label="${checked ? 'done' : 'to do'}">${checked ? '☑' : '☐'}</span>`;
  };
  useMath(md, o.imageMark ?? '');
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
    const label = `Show image${alt ? `: ${alt}` : ''}${host ? ` (loads from ${host})` : src.startsWith('data:') ? ' (inline)' : ''}`;
    // The source rides in `value`, the alt text in `aria-description`; the mark says this renderer made it.
    return `<button type="button" class="md-image" data-qwen-image="${escapeHtml(o.imageMark ?? '')}" value="${escapeHtml(src)}" aria-description="${escapeHtml(alt)}" title="${escapeHtml(src)}">${escapeHtml(label)}</button>`;
  };
  return md;
}

export const SANITIZE = {
  /** Only the data attributes of this renderer's own image buttons and math (checked against its mark) survive. */
  ALLOW_DATA_ATTR: false,
  ADD_ATTR: ['data-qwen-image', 'data-qwen-math', 'aria-description'],
  FORBID_TAGS: [
    'style', 'img', 'iframe', 'frame', 'frameset', 'form', 'input', 'textarea', 'select', 'object', 'embed', 'svg', 'math',
    'script', 'link', 'meta', 'base', 'video', 'audio', 'source', 'track', 'picture', 'portal',
  ],
  FORBID_ATTR: ['style', 'id', 'name', 'srcset', 'formaction', 'action', 'poster', 'background', 'ping', 'tabindex', 'accesskey', 'autofocus'],
};

/**
 * markdown -> sanitised HTML; `.code(code, language)` -> the sanitised inside of a code element
 * (for a code block that streams in pieces), and whether the highlighter ended at top level.
 */
export type Render = ((markdown: string) => string) & {
  code: (code: string, language: string) => { html: string; atTop: boolean };
  /** The markdown-it instance behind it, for parsing a part of a text into block tokens. */
  md: MarkdownIt;
  /** The mark on the image buttons and math placeholders this renderer made. */
  imageMark: string;
  /** Block tokens to sanitised HTML, with `env` carrying the reference definitions in force. */
  tokens: (tokens: Token[], env: object) => string;
};

/**
 * `purify` is DOMPurify bound to the page's window (or a test DOM's). Every renderer has its
 * own random mark for the image buttons it makes: a `data-qwen-image` attribute without it
 * (markup in an answer, were raw HTML ever on) is removed by the sanitiser, so the view can
 * tell its own buttons from look-alikes.
 */
export function createRenderer(purify: DOMPurify, o: Omit<MarkdownOptions, 'imageMark'> = {}): Render {
  const mark = randomMark();
  const md = createMarkdown({ ...o, imageMark: mark });
  let marks = MARKS.get(purify);
  if (!marks) {
    const known = (marks = new Set<string>());
    MARKS.set(purify, known);
    purify.addHook('uponSanitizeAttribute', (_node, data) => {
      if ((data.attrName === 'data-qwen-image' || data.attrName === 'data-qwen-math') && !known.has(data.attrValue)) data.keepAttr = false;
    });
  }
  marks.add(mark);
  const render = (src: string) => purify.sanitize(md.render(src), SANITIZE) as string;
  return Object.assign(render, {
    md,
    imageMark: mark,
    tokens: (tokens: Token[], env: object) => purify.sanitize(md.renderer.render(tokens, md.options, env), SANITIZE) as string,
    code: (code: string, language: string) => {
      const h = highlightCode(code, language);
      return { html: purify.sanitize(h.value, SANITIZE) as string, atTop: h.atTop };
    },
  });
}

/** The marks of the renderers made with each DOMPurify (its hook is added once). */
const MARKS = new WeakMap<object, Set<string>>();

function randomMark(): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The largest inline (data:) image shown, in characters of its URL. */
export const MAX_DATA_IMAGE_CHARS = 512 * 1024;

/** Image sources a click may load: https (fetched by the host after the user agrees) and small inline raster data. */
export function isLoadableImage(src: string): boolean {
  if (src.length <= MAX_DATA_IMAGE_CHARS && /^data:image\/(png|jpe?g|gif|webp);base64,[a-z0-9+/=\s]+$/i.test(src)) return true;
  try {
    return new URL(src).protocol === 'https:';
  } catch {
    return false;
  }
}

