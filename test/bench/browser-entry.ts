/** Bundled by bench.ts and run in Chromium: the webview's renderer with the browser's DOMPurify. */
import DOMPurify from 'dompurify';
import { createRenderer } from '../../src/webview/markdown';
import { codeAnswer, measureStreaming, proseAnswer } from './render-measure';

const render = createRenderer(DOMPurify);
(window as unknown as { measure: unknown }).measure = (kind: 'prose' | 'code', size: number, perFrame: number) =>
  measureStreaming(document, render, kind === 'prose' ? proseAnswer(size) : codeAnswer(size), perFrame, () => new Promise((r) => setTimeout(r, 0)));
