/**
 * What the view does to rendered content (answers and the user's own Markdown): the renderer,
 * math typeset by KaTeX once it is loaded, links that open through the host, images that load
 * only after a click and the user's consent, and Copy / Insert / Replace selection on code.
 */
import DOMPurify from 'dompurify';
import type { HostToWebview } from '../protocol';
import { $, el, flashIcon, iconButton, ownAction, post } from './controls';
import { typeset } from './markdown/math';
import { createRenderer, isLoadableImage, type Render } from './markdown/render';

type KatexLike = Parameters<typeof typeset>[2];
const loadedKatex = (): KatexLike => (globalThis as { qwenKatex?: KatexLike }).qwenKatex;

export class Content {
  readonly render: Render = createRenderer(DOMPurify);
  /** Links the model wrote, with where they go (the anchors lose their href: see decorate). */
  private readonly linkTargets = new WeakMap<Element, string>();
  /** Image buttons this view's renderer made, with their source and alt text. */
  private readonly images = new WeakMap<Element, { src: string; alt: string }>();
  private imageRequests = 0;
  /** Images the host was asked for, by request id. */
  private readonly pendingImages = new Map<string, HTMLButtonElement>();

  // ---- math: KaTeX comes from dist/katex.js, loaded the first time an answer holds math ----------
  /** This script's nonce: the CSP lets a script with it run, so KaTeX's script carries it too. */
  private readonly scriptNonce = (document.currentScript as HTMLScriptElement | null)?.nonce ?? '';
  private readonly katexSrc = $<HTMLElement>('app').dataset.katex ?? '';
  private katexRequested = false;

  constructor() {
    // Once it is here: the math shown so far is typeset where it stands.
    window.addEventListener('qwen-katex', () => typeset(document, this.render.imageMark, loadedKatex()));
    document.addEventListener('click', (e) => this.onClick(e));
    // Links open from the keyboard too.
    document.addEventListener('keydown', (e) => {
      const t = e.target as HTMLElement;
      if ((e.key === 'Enter' || e.key === ' ') && this.linkTargets.has(t)) {
        e.preventDefault();
        post({ type: 'openLink', href: this.linkTargets.get(t)! });
      }
    });
  }

  private needKatex(): void {
    if (this.katexRequested || !this.katexSrc) return;
    this.katexRequested = true;
    const s = document.createElement('script');
    s.nonce = this.scriptNonce;
    s.src = this.katexSrc;
    document.head.append(s);
  }

  /**
   * Makes rendered answer content safe to click: each link the model wrote loses its href (the
   * webview's own link handling would open it at once, beside ours) and becomes a link-role
   * element that the host opens through VS Code's trusted-domain flow, once. Image buttons count
   * only when this renderer marked them. Then adds Copy / Insert / Replace selection to code.
   */
  readonly decorate = (root: HTMLElement): void => {
    if (typeset(root, this.render.imageMark, loadedKatex())) this.needKatex();
    for (const a of Array.from(root.querySelectorAll('a[href]'))) {
      const href = a.getAttribute('href') ?? '';
      a.removeAttribute('href');
      this.linkTargets.set(a, href);
      a.setAttribute('role', 'link');
      a.setAttribute('tabindex', '0');
      a.setAttribute('title', href);
      a.classList.add('md-link');
    }
    for (const b of Array.from(root.querySelectorAll<HTMLButtonElement>('button.md-image'))) {
      if (b.dataset.qwenImage !== this.render.imageMark || this.images.has(b)) continue;
      this.images.set(b, { src: b.value, alt: b.getAttribute('aria-description') ?? '' });
      b.removeAttribute('data-qwen-image');
    }
    for (const pre of Array.from(root.querySelectorAll('pre'))) {
      if (pre.parentElement?.classList.contains('code-block')) continue;
      const wrap = document.createElement('div');
      wrap.className = 'code-block';
      const bar = document.createElement('div');
      bar.className = 'code-actions';
      bar.setAttribute('role', 'toolbar');
      const lang = /language-([\w+#-]+)/.exec(pre.querySelector('code')?.className ?? '')?.[1];
      if (lang) {
        const l = document.createElement('span');
        l.className = 'code-lang';
        l.textContent = lang;
        bar.append(l);
      }
      bar.setAttribute('aria-label', lang ? `${lang} code` : 'Code');
      const tools = el('span', 'code-tools');
      tools.append(
        iconButton('copy', 'copy-code', 'Copy code'),
        iconButton('insert', 'insert-code', 'Insert at the cursor'),
        iconButton('replace', 'replace-selection', 'Replace the editor selection'),
      );
      bar.append(tools);
      pre.replaceWith(wrap);
      wrap.append(bar, pre);
    }
  };

  /** The host's answer to a loadImage: the image, or why not. */
  imageLoaded(m: Extract<HostToWebview, { type: 'image' }>): void {
    const b = this.pendingImages.get(m.id);
    this.pendingImages.delete(m.id);
    if (!b) return;
    const meta = this.images.get(b);
    if (m.dataUrl && meta) showImage(b, m.dataUrl, meta.alt);
    else {
      b.textContent = m.error ?? 'The image was not loaded.';
      b.disabled = false;
    }
  }

  private onClick(e: MouseEvent): void {
    const target = e.target as HTMLElement;
    const link = target.closest('a');
    if (link) {
      e.preventDefault();
      const href = this.linkTargets.get(link);
      if (href) post({ type: 'openLink', href });
      return;
    }
    const img = target.closest<HTMLButtonElement>('button.md-image');
    if (img) return this.askForImage(img);
    const own = ownAction(e);
    // markdown-it ends every code block with a newline that is not part of the code
    const code = () => (own?.b.closest('.code-block')?.querySelector('code')?.textContent ?? '').replace(/\n$/, '');
    switch (own?.action) {
      case 'copy-code':
        post({ type: 'copy', text: code() });
        flashIcon(own.b, 'check', 'Copied');
        return;
      case 'insert-code':
        post({ type: 'insertCode', code: code() });
        return;
      case 'replace-selection':
        post({ type: 'replaceSelection', code: code() });
        return;
    }
  }

  private askForImage(img: HTMLButtonElement): void {
    const meta = this.images.get(img);
    if (!meta || !isLoadableImage(meta.src)) {
      img.textContent = meta ? 'This image cannot be shown (only https images, and small inline ones, load).' : 'This is not an image the answer holds.';
      img.disabled = true;
      return;
    }
    if (meta.src.startsWith('data:')) return showImage(img, meta.src, meta.alt);
    // The host asks first, naming the host it will contact, then fetches it: the view itself
    // loads nothing from the network (its CSP allows only data: images).
    const id = String(++this.imageRequests);
    this.pendingImages.set(id, img);
    img.disabled = true;
    img.textContent = `Asking to load the image from ${hostOf(meta.src)}…`;
    post({ type: 'loadImage', id, src: meta.src });
  }
}

function hostOf(src: string): string {
  try {
    return new URL(src).host;
  } catch {
    return 'an unknown host';
  }
}

function showImage(button: HTMLButtonElement, src: string, alt: string): void {
  const img = document.createElement('img');
  img.src = src;
  img.alt = alt;
  img.className = 'md-img';
  button.replaceWith(img);
}
