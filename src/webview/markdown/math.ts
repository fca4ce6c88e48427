/**
 * Math as VS Code's Markdown preview has it: `$…$` and `$$…$$` parsed by @vscode/markdown-it-katex.
 * The renderer writes a placeholder holding the TeX as text, marked as this renderer's (as its
 * image buttons are), so it passes the sanitiser as plain text; the view then typesets each
 * placeholder with KaTeX into MathML, which Chromium draws itself: no inline style for the CSP to
 * refuse, no fonts to load. KaTeX is large and most answers have no math: the view loads it
 * (dist/katex.js) the first time a placeholder shows.
 */
import markdownItKatex from '@vscode/markdown-it-katex';
import type MarkdownIt from 'markdown-it';
import { escapeHtml } from './highlight';

/** The class of a placeholder; `md-math-display` too for a block. */
export const MATH_CLASS = 'md-math';

export function useMath(md: MarkdownIt, mark: string): void {
  const placeholder = {
    renderToString: (latex: string, o?: { displayMode?: boolean }) =>
      `<span class="${MATH_CLASS}${o?.displayMode ? ` ${MATH_CLASS}-display` : ''}" data-qwen-math="${escapeHtml(mark)}">${escapeHtml(latex.trim())}</span>`,
  };
  // The plugin's own type names KaTeX's; only renderToString is called.
  md.use(markdownItKatex, { katex: placeholder as unknown as NonNullable<Parameters<typeof markdownItKatex>[1]>['katex'] });
}

interface Katex {
  render(tex: string, el: HTMLElement, o: { displayMode: boolean; output: 'mathml'; throwOnError: boolean; trust: false }): void;
}

/**
 * Typesets the placeholders under `root` that carry `mark`, with `katex` (or, while it is not
 * loaded, leaves them as TeX and returns true: the caller loads it and calls again).
 */
export function typeset(root: ParentNode, mark: string, katex: Katex | undefined): boolean {
  let waiting = false;
  for (const el of Array.from(root.querySelectorAll<HTMLElement>(`.${MATH_CLASS}[data-qwen-math]`))) {
    if (el.dataset.qwenMath !== mark) continue;
    if (!katex) {
      waiting = true;
      continue;
    }
    const tex = el.textContent ?? '';
    el.removeAttribute('data-qwen-math');
    el.title = tex;
    try {
      katex.render(tex, el, { displayMode: el.classList.contains(`${MATH_CLASS}-display`), output: 'mathml', throwOnError: true, trust: false });
    } catch {
      el.textContent = tex; // not TeX KaTeX knows: shown as written
      el.classList.add(`${MATH_CLASS}-error`);
    }
  }
  return waiting;
}
