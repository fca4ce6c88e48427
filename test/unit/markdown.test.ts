import assert from 'node:assert/strict';
import createDOMPurify from 'dompurify';
import { JSDOM } from 'jsdom';
import { CODE_PIECE_CHARS, createRenderer, isLoadableImage, StreamingMarkdown } from '../../src/webview/markdown';

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

  describe('a long list with no blank lines, as models write them', () => {
    /** Each list item a reader sees: its number (or bullet) and its text. */
    const items = (root: Element) =>
      Array.from(root.querySelectorAll('li')).map((li) => {
        const list = li.parentElement!;
        const n = list.tagName === 'OL' ? Number(list.getAttribute('start') ?? 1) + Array.from(list.children).indexOf(li) : '•';
        const depth = (() => {
          let d = 0;
          for (let p = list.parentElement; p; p = p.parentElement) if (p.tagName === 'LI') d++;
          return d;
        })();
        return `${'  '.repeat(depth)}${n} ${Array.from(li.childNodes).filter((c) => !['UL', 'OL'].includes((c as Element).tagName)).map((c) => c.textContent).join('').trim()}`;
      });
    const whole = (markdown: string) => {
      const el = doc.createElement('div');
      el.innerHTML = render(markdown);
      return el;
    };

    it('freezes an item at a time: the cost per token stays that of one item', async () => {
      for (const marker of ['-', '1.']) {
        const list = `Steps:\n${Array.from({ length: 600 }, (_, i) => `${marker === '-' ? '-' : `${i + 1}.`} Do **thing** ${i} with \`code\` and a few more words`).join('\n')}\n`;
        const root = doc.createElement('div');
        const sm = new StreamingMarkdown(root, render);
        const costs: number[] = [];
        await streamedInFrames(list, 7, sm, () => costs.push(sm.lastRenderedChars));
        sm.finish();
        assert.ok(list.length > 30_000);
        const worst = Math.max(...costs.slice(50));
        assert.ok(worst < 120, `${marker}: at most ${worst} characters rendered per update`);
        assert.deepEqual(items(root), items(whole(list)), `${marker}: the items and their numbers are the whole list's`);
      }
    });

    it('numbers every block as the whole list does, even when the model numbers them all 1.', async () => {
      const list = `${Array.from({ length: 40 }, (_, i) => `1. item ${i}`).join('\n')}\n`;
      for (const chunk of [1, 5, 64]) {
        const root = doc.createElement('div');
        await streamedInFrames(list, chunk, new StreamingMarkdown(root, render));
        assert.deepEqual(items(root), items(whole(list)), `chunk ${chunk}`);
        assert.equal(items(root).at(-1), '40 item 39');
      }
    });

    it('keeps items with nested lists, code and lazy lines in their place, streamed or whole', async () => {
      const cases = [
        '1. first\n   - nested a\n   - nested b\n2. second\n   lazy and indented\n3. third\n',
        '1. setup\n   ```sh\n   npm ci\n   ```\n2. run\n   ```sh\n   npm test\n   ```\n3. done\n',
        '1. setup\n   ```sh\n   npm ci\n   ```\n   and more about setup\n2. run\n',
        'Some text\n2. is not a list\n3. nor this\n',
        '1. a\n  - not nested: two spaces are too few under "1."\n2. lazy text, not an item\n',
        '- a\n- b\n\n- loose c\n- d\n\nAfter.\n\n- new list\n- e\n',
        '* a\n- other bullet, other list\n- b\n',
        '1) a\n2) b\n1. other delimiter\n2. c\n',
        '- a\n- - -\n- b\n',
        '3. starts at three\n4. four\n5. five\n',
        '1. **Step one**\n\n   More about step one.\n\n2. **Step two**\n\n   More about two.\n\nAfter the list.\n',
        '- a\n\n  b\n\n- c\n\n## Heading after\n',
        '1. a\n\n- another list after a blank\n\n   x\n',
      ];
      for (const text of cases) {
        for (const chunk of [1, 4, 1000]) {
          const root = doc.createElement('div');
          const sm = new StreamingMarkdown(root, render);
          await streamedInFrames(text, chunk, sm);
          sm.finish();
          assert.deepEqual(items(root), items(whole(text)), `${JSON.stringify(text)} by ${chunk}`);
          assert.equal(root.textContent!.replace(/\s+/g, ' ').trim(), whole(text).textContent!.replace(/\s+/g, ' ').trim());
        }
      }
    });

    it('marks a block that continues a list, so no gap shows between its parts', () => {
      const { root } = streamed('- a\n- b\n- c\n\nText.\n\n', 3);
      const blocks = Array.from(root.querySelectorAll('.md-block'));
      assert.deepEqual(blocks.slice(0, 3).map((b) => b.classList.contains('md-cont')), [false, true, true]);
      assert.deepEqual(blocks.slice(0, 3).map((b) => b.querySelector('li')?.textContent), ['a', 'b', 'c']);
    });
  });

  describe('a long table while it streams', () => {
    /** Each table's rows as a reader sees them: header cells, then body cells. */
    const tables = (root: Element) =>
      Array.from(root.querySelectorAll('table')).map((t) => Array.from(t.querySelectorAll('tr')).map((tr) => Array.from(tr.children).map((c) => c.textContent!.trim()).join(' | ')));
    const whole = (markdown: string) => {
      const el = doc.createElement('div');
      el.innerHTML = render(markdown);
      return el;
    };
    const flat = (el: Element) => el.textContent!.replace(/\s+/g, ' ').trim();

    it('freezes it a row at a time into one table: the cost per token stays that of one row', async () => {
      const table = `| name | value | note |\n|:-----|------:|------|\n${Array.from({ length: 400 }, (_, i) => `| row ${i} | **${i * 2}** | \`x${i}\` |`).join('\n')}\n\nAfter the table.\n`;
      const root = doc.createElement('div');
      const sm = new StreamingMarkdown(root, render);
      const costs: number[] = [];
      let liveRowsSeen = 0;
      await streamedInFrames(table, 5, sm, (sent) => {
        costs.push(sm.lastRenderedChars);
        if (!sent.includes('After') && root.querySelectorAll('table').length === 1) liveRowsSeen = Math.max(liveRowsSeen, root.querySelectorAll('tbody tr').length);
      });
      sm.finish();
      assert.ok(table.length > 10_000);
      const worst = Math.max(...costs.slice(40));
      assert.ok(worst < 200, `at most ${worst} characters rendered per update`);
      assert.deepEqual(tables(root), tables(whole(table)), 'one table, its header once, every row in order');
      assert.ok(liveRowsSeen > 390, 'the rows showed in the table while it streamed');
      assert.equal(flat(root), flat(whole(table)));
    });

    it('ends or keeps the table where markdown-it does, streamed or whole', async () => {
      const head = '| a | b |\n|---|---|\n| 1 | 2 |\n';
      const cases = [
        `${head}| 3 | 4 |\ntext without pipes is a row\n| 5 | 6 |\n`,
        `${head}| 3 | 4 |\n- a list ends it\n- b\n`,
        `${head}| 3 | 4 |\n# A heading ends it\n`,
        `${head}| 3 | 4 |\n2. so does an ordered item\n`,
        `${head}| 3 \\| still 3 | 4 |\n    indented code ends it\n`,
        `${head}| 3 | 4 |\n\`\`\`\ncode\n\`\`\`\n`,
        'Text before\n| a | b |\n|---|---|\n| 1 | 2 |\n| 3 | 4 |\n',
        '| a | b | c |\n|---|---|\n| 1 | 2 |\n| 3 | 4 |\n',
        '- item\n| a | b |\n|---|---|\n| 1 | 2 |\n| 3 | 4 |\n',
        `${head}| 3 | 4 |\n\n| x | y |\n|---|---|\n| 7 | 8 |\n| 9 | 0 |\n`,
      ];
      for (const text of cases) {
        for (const chunk of [1, 3, 1000]) {
          const root = doc.createElement('div');
          const sm = new StreamingMarkdown(root, render);
          await streamedInFrames(text, chunk, sm);
          sm.finish();
          assert.deepEqual(tables(root), tables(whole(text)), `${JSON.stringify(text)} by ${chunk}`);
          assert.equal(flat(root), flat(whole(text)), `${JSON.stringify(text)} by ${chunk}`);
        }
      }
    });
  });

  describe('a very long code block while it streams', () => {
    const lines = Array.from({ length: 160 }, (_, i) => `export function f${i}(x: number): string { return "v" + (x * ${i}).toString(); }`);
    const code = `${lines.join('\n')}\n`;
    const block = `Here it is:\n\`\`\`ts\n${code}\`\`\`\n`;
    const longestLine = Math.max(...lines.map((l) => l.length));

    /** The code text a reader sees in each code element. */
    const shownCode = (root: Element) => Array.from(root.querySelectorAll('pre code')).map((c) => c.textContent);
    /** The code elements' HTML, as rendering `markdown` all at once makes it. */
    const wholeCodeHtml = (markdown: string) => {
      const el = doc.createElement('div');
      el.innerHTML = render(markdown);
      return Array.from(el.querySelectorAll('pre code')).map((c) => c.innerHTML);
    };
    const codeHtml = (root: Element) => Array.from(root.querySelectorAll('pre code')).map((c) => c.innerHTML);

    it('costs the same per update at its end as at its start, and shows one coloured block throughout', async () => {
      assert.ok(code.length > 6 * CODE_PIECE_CHARS, `${code.length} characters`);
      const root = doc.createElement('div');
      const sm = new StreamingMarkdown(root, render);
      const costs: number[] = [];
      await streamedInFrames(block, 37, sm, (sent) => {
        costs.push(sm.lastRenderedChars);
        if (sent.includes('```ts\n') && !sent.endsWith('```\n')) {
          const shown = shownCode(root);
          assert.equal(shown.length, 1, 'one code block, not one per piece');
          assert.equal(shown[0], sent.slice(sent.indexOf('```ts\n') + 6), 'all the code so far, in order');
        }
      });
      assert.ok(root.querySelectorAll('.md-open-code').length === 0 && root.querySelectorAll('.md-live').length === 0, 'settled when closed');
      // Every update, the closing one too, renders at most about two pieces, however long the block.
      assert.ok(Math.max(...costs) <= 2 * CODE_PIECE_CHARS + 2 * longestLine, `max render per update ${Math.max(...costs)}`);
      // ...and the result is exactly what rendering it all at once gives.
      assert.deepEqual(shownCode(root), [code]);
      assert.deepEqual(codeHtml(root), wholeCodeHtml(block));
    });

    it('colours it exactly when a comment or a string runs across pieces', async () => {
      const comment = ['/*', ...Array.from({ length: 60 }, (_, i) => ` * note ${i}: function return const "quoted" ${'x'.repeat(20)}`), ' */'];
      const mixed = [...lines.slice(0, 20), ...comment, ...lines.slice(20, 60), 'const t = `', ...lines.slice(60, 100), '`;', ...lines.slice(100)];
      const md = `\`\`\`ts\n${mixed.join('\n')}\n\`\`\`\n`;
      const root = doc.createElement('div');
      const sm = new StreamingMarkdown(root, render);
      const costs: number[] = [];
      await streamedInFrames(md, 41, sm, () => costs.push(sm.lastRenderedChars));
      assert.deepEqual(codeHtml(root), wholeCodeHtml(md));
      assert.ok(Math.max(...costs) <= 2 * 4 * CODE_PIECE_CHARS + 2 * longestLine, `max render per update ${Math.max(...costs)}`);
    });

    it('stays bounded when a comment never ends, and renders the block whole once closed', async () => {
      const md = `\`\`\`ts\n/* never closed\n${code}\`\`\`\n`;
      const root = doc.createElement('div');
      const sm = new StreamingMarkdown(root, render);
      const costs: number[] = [];
      await streamedInFrames(md, 43, sm, () => costs.push(sm.lastRenderedChars));
      const closing = costs.pop()!;
      assert.ok(Math.max(...costs) <= 2 * 4 * CODE_PIECE_CHARS + 2 * longestLine, `max render per update ${Math.max(...costs)}`);
      assert.ok(closing > code.length, 'closed: rendered whole, once');
      assert.deepEqual(codeHtml(root), wholeCodeHtml(md));
      assert.equal(root.querySelectorAll('.md-open-code').length, 0);
    });

    it('colours every piece while it streams', async () => {
      const root = doc.createElement('div');
      const sm = new StreamingMarkdown(root, render);
      await streamedInFrames(block.slice(0, -4), 53, sm);
      assert.equal(root.querySelectorAll('.md-open-code').length, 1, 'shown piece by piece');
      assert.ok(root.querySelectorAll('pre .hljs-keyword').length >= 2 * lines.length, 'every line is coloured');
    });

    for (const [name, cut] of [
      ['left open by Stop', block.slice(0, block.length - 1000)],
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
        });
        await streamedInFrames(cut, 61, sm);
        assert.equal(root.querySelectorAll('.code-block').length, 1, 'the open block has its toolbar too');
        sm.finish();
        assert.equal(root.querySelectorAll('.md-open-code, .md-live').length, 0);
        assert.equal(root.querySelectorAll('.code-block').length, 1);
        assert.deepEqual(codeHtml(root), wholeCodeHtml(cut));
        assert.equal(root.querySelector('pre code')!.textContent!.includes('```'), false, 'the fence is not shown as code');
        assert.match(root.textContent!, /^Here it is:/);
      });
    }

    it('colours a long block with no language alike while streaming and when done', async () => {
      const plain = `\`\`\`\n${code}\`\`\`\n`;
      const root = doc.createElement('div');
      const sm = new StreamingMarkdown(root, render);
      await streamedInFrames(plain.slice(0, -4), 59, sm);
      const streaming = root.querySelectorAll('pre .hljs-keyword').length;
      assert.ok(streaming >= 2 * lines.length, `${streaming} keywords coloured while streaming`);
      sm.append('```\n');
      assert.deepEqual(codeHtml(root), wholeCodeHtml(plain));
    });

    it('set() during a pieced block starts over cleanly', async () => {
      const root = doc.createElement('div');
      const sm = new StreamingMarkdown(root, render);
      await streamedInFrames(block.slice(0, 8_000), 71, sm);
      assert.equal(root.querySelectorAll('.md-open-code').length, 1);
      sm.set('REWRITTEN');
      assert.equal(root.textContent!.trim(), 'REWRITTEN');
      assert.equal(root.querySelectorAll('pre').length, 0);
    });
  });
});
