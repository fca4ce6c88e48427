/**
 * The chat view's real page and script under jsdom: the HTML the host serves (chatHtml) and the
 * webview bundle as esbuild builds it, with a stand-in for `acquireVsCodeApi` (the one thing a
 * webview gets from VS Code) that records what the view posts. Layout-free checks only: what the
 * view draws, labels, what it sends; sizes and colours are the e2e's.
 */
import { buildSync } from 'esbuild';
import { JSDOM } from 'jsdom';
import path from 'node:path';
import type { HostToWebview, TurnView, WebviewToHost } from '../../src/protocol';
import { chatHtml } from '../../src/extension/chatView/html';
import { waitFor } from '../support/wait';

const ROOT = path.resolve(__dirname, '../../..');
let bundle: string | undefined;

function webviewScript(): string {
  bundle ??= buildSync({ entryPoints: [path.join(ROOT, 'src/webview/main.ts')], bundle: true, write: false, format: 'iife', platform: 'browser', target: 'es2022', logLevel: 'silent' }).outputFiles[0].text;
  return bundle;
}

export class WebviewPage {
  readonly dom: JSDOM;
  readonly posted: WebviewToHost[] = [];
  state: unknown;

  constructor(o: { state?: unknown } = {}) {
    const html = chatHtml({ cspSource: 'https://webview.test', scriptUri: 'about:blank', styleUri: 'about:blank', nonce: 'n' }).replace(/<script[^>]*><\/script>/, '');
    this.dom = new JSDOM(html, { runScripts: 'outside-only', pretendToBeVisual: true, url: 'https://webview.test/' });
    this.state = o.state;
    const w = this.dom.window as unknown as Record<string, unknown>;
    w.acquireVsCodeApi = () => ({
      postMessage: (m: WebviewToHost) => this.posted.push(m),
      getState: () => this.state,
      setState: (s: unknown) => (this.state = s),
    });
    w.IntersectionObserver = class {
      observe(): void {}
      disconnect(): void {}
    };
    w.requestIdleCallback = (f: (d: { timeRemaining: () => number }) => void) => setTimeout(() => f({ timeRemaining: () => 50 }), 0);
    w.cancelIdleCallback = (id: number) => clearTimeout(id);
    this.dom.window.HTMLElement.prototype.scrollIntoView = () => undefined;
    this.dom.window.eval(webviewScript());
  }

  get document(): Document {
    return this.dom.window.document;
  }

  $(sel: string): HTMLElement | null {
    return this.document.querySelector<HTMLElement>(sel);
  }

  $$(sel: string): HTMLElement[] {
    return Array.from(this.document.querySelectorAll<HTMLElement>(sel));
  }

  /** A message from the host, as VS Code delivers it. */
  receive(m: HostToWebview): void {
    this.dom.window.dispatchEvent(new this.dom.window.MessageEvent('message', { data: m }));
  }

  /** An empty conversation (or the given turns), as the host sends when the view is ready. */
  init(turns: TurnView[] = [], o: { id?: string; title?: string; busy?: boolean } = {}): void {
    this.receive({ type: 'init', conversation: { id: o.id ?? 'c1', title: o.title ?? 'New conversation', turns }, history: [], trash: [], busy: o.busy ?? false });
  }

  /** Types into the chat input as a user does (the value, then an input event). */
  type(text: string): void {
    const input = this.$('#input') as HTMLTextAreaElement;
    input.focus();
    input.value = text;
    input.setSelectionRange(text.length, text.length);
    input.dispatchEvent(new this.dom.window.Event('input', { bubbles: true }));
  }

  key(key: string, target: Element = this.$('#input')!, o: { shiftKey?: boolean } = {}): void {
    target.dispatchEvent(new this.dom.window.KeyboardEvent('keydown', { key, bubbles: true, cancelable: true, ...o }));
  }

  click(el: Element): void {
    (el as HTMLElement).click();
  }

  sent<T extends WebviewToHost['type']>(type: T): Array<Extract<WebviewToHost, { type: T }>> {
    return this.posted.filter((m): m is Extract<WebviewToHost, { type: T }> => m.type === type);
  }

  /** Waits for the next animation frame's work (the view applies streamed text once per frame). */
  async frame(): Promise<void> {
    await new Promise<void>((r) => this.dom.window.requestAnimationFrame(() => r()));
  }

  async until<T>(what: string, fn: () => T | undefined | null | false): Promise<T> {
    return waitFor(what, fn, { timeoutMs: 5_000 });
  }

  close(): void {
    this.dom.window.close();
  }
}

export function answer(id: string, text: string, o: Partial<TurnView> = {}): TurnView {
  return { id, role: 'assistant', text, state: 'done', ...o };
}

export function question(id: string, text: string, o: Partial<TurnView> = {}): TurnView {
  return { id, role: 'user', text, state: 'done', ...o };
}
