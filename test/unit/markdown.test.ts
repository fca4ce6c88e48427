import assert from 'node:assert/strict';
import createDOMPurify from 'dompurify';
import { JSDOM } from 'jsdom';
import { createRenderer, isLoadableImage, StreamingMarkdown } from '../../src/webview/markdown';

const dom = new JSDOM('<!doctype html><body></body>');
const render = createRenderer(createDOMPurify(dom.window as unknown as Window & typeof globalThis));
const doc = dom.window.document;

/** The number a reader sees in front of the list item with this text. */
function shownNumber(root: Element, text: string): number | undefined {
  const li = Array.from(root.querySelectorAll('ol > li')).find((x) => x.textContent!.trim() === text);
  if (!li) return undefined;
  const ol = li.parentElement!;
  return Number(ol.getAttribute('start') ?? 1) + Array.from(ol.children).indexOf(li);
}

function streamed(text: string, chunk: number) {
  const root = doc.createElement('div');
  const sm = new StreamingMarkdown(root, render);
  for (let i = 0; i < text.length; i += chunk) sm.append(text.slice(i, i + chunk));
  return { root, sm };
}

describe('markdown rendering of model output', () => {
  it('highlights fenced code with the language\'s classes', () => {
    const html = render('```python\ndef f(x):\n    return "s"\n```');
    const el = doc.createElement('div');
    el.innerHTML = html;
    assert.ok(el.querySelector('pre > code.language-python'));
    assert.ok(el.querySelector('.hljs-keyword'), 'keywords are marked for theme colours');
    assert.ok(el.querySelector('.hljs-string'));
  });

  it('shows raw HTML in the output as text and never runs it', () => {
    const el = doc.createElement('div');
    el.innerHTML = render('Hi <script>alert(1)</script> <img src=x onerror=alert(1)> <b onclick="x()">b</b>');
    assert.equal(el.querySelector('script, img, b, [onerror], [onclick]'), null);
    assert.match(el.textContent!, /<script>alert\(1\)<\/script>/);
  });

  it('drops javascript: and other unsafe links but keeps web links', () => {
    const el = doc.createElement('div');
    el.innerHTML = render('[a](javascript:alert(1)) [b](https://example.com) [c](vbscript:x) [d](file:///etc/passwd)');
    const hrefs = Array.from(el.querySelectorAll('a')).map((a) => a.getAttribute('href'));
    assert.deepEqual(hrefs, ['https://example.com']);
  });

  it('turns images into a button, so nothing loads without a click', () => {
    const el = doc.createElement('div');
    el.innerHTML = render('![a cat](https://example.com/cat.png)');
    assert.equal(el.querySelector('img'), null);
    const b = el.querySelector('button.md-image') as HTMLButtonElement;
    assert.equal(b.dataset.src, 'https://example.com/cat.png');
    assert.match(b.textContent!, /Show image: a cat \(from example\.com\)/);
    assert.equal(isLoadableImage('https://example.com/cat.png'), true);
    assert.equal(isLoadableImage('http://example.com/cat.png'), false);
    assert.equal(isLoadableImage('data:image/svg+xml;base64,PHN2Zz4='), false);
    assert.equal(isLoadableImage('javascript:alert(1)'), false);
  });

  const answer = [
    '# Title', '', 'Some **bold** text and `code`.', '', '1. one', '2. two', '', '3. three', '',
    '```js', 'const a = 1;', '', 'const b = 2;', '```', 'After the fence.', '', '| a | b |', '|---|---|', '| 1 | 2 |', '',
    '> quoted', '', '- x', '- y', '',
  ].join('\n');

  it('renders the same text streamed token by token as all at once', () => {
    const whole = doc.createElement('div');
    whole.innerHTML = render(answer);
    for (const chunk of [1, 3, 17]) {
      const { root } = streamed(answer, chunk);
      assert.equal(root.textContent!.replace(/\s+/g, ' ').trim(), whole.textContent!.replace(/\s+/g, ' ').trim(), `chunk ${chunk}`);
      assert.equal(root.querySelectorAll('pre code').length, 1, 'a blank line inside a fence must not split the code block');
      assert.equal(shownNumber(root, 'three'), 3, 'a list split across blocks keeps its numbering');
      assert.ok(root.querySelector('table'));
    }
  });

  it('costs the same per token at the end of a long answer as at its start', () => {
    const para = 'word '.repeat(40).trim();
    const root = doc.createElement('div');
    const sm = new StreamingMarkdown(root, render);
    const costs: number[] = [];
    for (let i = 0; i < 150; i++) {
      for (const w of `${para}\n\n`.match(/\S+\s*/g)!) sm.append(w);
      costs.push(sm.lastRenderedChars);
    }
    // The work per token is bounded by one paragraph, not by the answer (30,000+ characters).
    assert.ok(sm.text.length > 30_000);
    assert.ok(Math.max(...costs) <= para.length + 2, `max per-token render ${Math.max(...costs)}`);
    assert.equal(root.querySelectorAll('.md-block').length, 150);
  });

  it('set() replaces everything on a rewrite', () => {
    const { root, sm } = streamed('first\n\nsecond\n\n', 2);
    sm.set('REWRITTEN');
    assert.equal(root.textContent!.trim(), 'REWRITTEN');
  });
});
