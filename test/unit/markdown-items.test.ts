import assert from 'node:assert/strict';
import createDOMPurify from 'dompurify';
import { JSDOM } from 'jsdom';
import { createRenderer } from '../../src/webview/markdown/render';
import { StreamingMarkdown } from '../../src/webview/markdown/stream';
import { wholeHtml } from './markdown-feeds';

const dom = new JSDOM('<!doctype html><body></body>');
const render = createRenderer(createDOMPurify(dom.window as unknown as Window & typeof globalThis));
/** markdown-it's own output, unsanitised: four times faster under jsdom, for the long corpora. */
const plain = createRenderer({ sanitize: (html: string) => html, addHook: () => undefined } as unknown as Parameters<typeof createRenderer>[0]);
const doc = dom.window.document;

/** What a reader sees now: the root's HTML with the open tail's wrapper taken away. */
function shownHtml(root: HTMLElement): string {
  const copy = root.cloneNode(true) as HTMLElement;
  const tail = copy.querySelector(':scope > .md-tail');
  tail?.replaceWith(...Array.from(tail.childNodes));
  return copy.innerHTML;
}

/** A small seeded generator (mulberry32), so every run streams the same pieces. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Streams `text` in seeded pieces of 1-`most` characters, yielding now and then (jsdom frees
 * DOMPurify's documents between jobs); `each` sees the text sent so far after every update.
 */
async function stream(sm: StreamingMarkdown, text: string, seed: number, most: number, each?: (sent: string) => void): Promise<void> {
  const r = rng(seed);
  let sent = '';
  for (let i = 0, n = 0; i < text.length; n++) {
    const piece = text.slice(i, i + 1 + Math.floor(r() * most));
    i += piece.length;
    sent += piece;
    sm.append(piece);
    each?.(sent);
    if (n % 20 === 19) await new Promise(setImmediate);
  }
}

/** Lists with the shapes that make items hard to tell apart: lazy lines, blank lines, nesting, code, odd indents and markers. */
function awkwardList(seed: number, items: number): string {
  const r = rng(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)];
  const ordered = r() < 0.5;
  const mark = ordered ? pick(['.', ')']) : pick(['-', '*', '+']);
  const out: string[] = [];
  if (r() < 0.5) out.push('Intro paragraph.', '');
  for (let i = 0; i < items; i++) {
    const m = ordered ? `${i + (r() < 0.1 ? 7 : 1)}${mark}` : mark;
    const ind = ' '.repeat(pick([0, 0, 0, 1, 2, 3]));
    const sp = ' '.repeat(pick([1, 1, 1, 2, 4]));
    const pad = ' '.repeat(ind.length + m.length + sp.length);
    const kind = r();
    if (kind < 0.35) out.push(`${ind}${m}${sp}item ${i} with **bold** and [link][r${i % 3}]`);
    else if (kind < 0.45) out.push(`${ind}${m}${sp}lazy ${i}`, `continued lazily ${i}`);
    else if (kind < 0.55) out.push(`${ind}${m}${sp}para ${i}`, '', `${pad}second para ${i}`);
    else if (kind < 0.63) out.push(`${ind}${m}${sp}\`\`\`js`, `${pad}let a${i} = 1;`, '', `${pad}\`\`\``);
    else if (kind < 0.7) out.push(`${ind}${m}${sp}nested ${i}`, `${pad}- sub a`, `${pad}- sub b`, '');
    else if (kind < 0.75) out.push(`${ind}${m}`);
    else if (kind < 0.8) out.push(`${ind}${m}${sp}[ ] task ${i}`);
    else if (kind < 0.84) out.push(`${ind}${m}${sp}a | b`, `${pad}|---|---|`, `${pad}| 1 | 2 |`);
    else if (kind < 0.87) out.push(`${ind}${m}${sp}[r${i % 3}]: https://example.com/${i}`);
    else if (kind < 0.9) out.push(`${ind}${m}${sp}> quoted ${i}`, `> more ${i}`);
    else if (kind < 0.93) out.push(`${ind}${m}${sp}heading`, `${pad}---`);
    else out.push(`${ind}${m}${sp}plain ${i}`);
    if (r() < 0.06) out.push('');
    if (r() < 0.02) out.push('  ');
  }
  if (r() < 0.5) out.push('', 'After the list.');
  if (r() < 0.3) out.push('', '[r1]: https://example.com/late');
  return out.join('\n') + (r() < 0.7 ? '\n' : '');
}

/** Tables with rows short of cells or over, escaped pipes, no outer pipes, and the blocks that end them. */
function awkwardTable(seed: number, rows: number): string {
  const r = rng(seed);
  const cols = 1 + Math.floor(r() * 4);
  const out: string[] = [];
  if (r() < 0.5) out.push('Before:', '');
  out.push(`| ${Array.from({ length: cols }, (_, i) => `h${i}`).join(' | ')} |`);
  out.push(`|${Array.from({ length: cols }, () => ['---', ':--', '--:', ':-:'][Math.floor(r() * 4)]).join('|')}|`);
  for (let i = 0; i < rows; i++) {
    const n = Math.max(0, cols + (r() < 0.1 ? -1 : r() < 0.1 ? 1 : 0));
    const cells = Array.from({ length: n }, (_, k) => (r() < 0.1 ? `\`a\\|b\` ${k}` : r() < 0.1 ? `**${i}** [x][r]` : `c${i}.${k}`));
    out.push(`${' '.repeat(Math.floor(r() * 3))}${r() < 0.2 ? '' : '| '}${cells.join(' | ')}${r() < 0.2 ? '' : ' |'}`);
  }
  const end = r();
  if (end < 0.3) out.push('', 'After.');
  else if (end < 0.5) out.push('> quote ends it');
  else if (end < 0.6) out.push('- a list ends it');
  if (r() < 0.3) out.push('', '[r]: https://example.com/r');
  return out.join('\n') + (r() < 0.7 ? '\n' : '');
}

const stepList = (n: number) => `Steps:\n\n${Array.from({ length: n }, (_, i) => `${i + 1}. Do the **thing** number ${i} with \`code\``).join('\n')}\n`;
const bigTable = (n: number) => `| name | value |\n|:-----|------:|\n${Array.from({ length: n }, (_, i) => `| row ${i} | **${i * 2}** |`).join('\n')}\n`;

describe('long lists and tables stream item by item', () => {
  for (const [what, text, itemSel, longest] of [
    ['a 200-item list', stepList(200), 'ol > li', 50],
    ['a 200-row table', bigTable(200), 'tbody > tr', 30],
  ] as const) {
    it(`${what}: a finished item's node is never replaced, each update renders about one item at the end as at the start, and it ends as the whole render`, async () => {
      const root = doc.createElement('div');
      const sm = new StreamingMarkdown(root, render);
      /** The first item's node, taken as soon as it is finished. */
      let firstItem: Element | null = null;
      let frozen = 0;
      const costs: number[] = [];
      await stream(sm, text, 7, 12, () => {
        frozen += sm.lastUpdate.frozenItems;
        costs.push(sm.lastUpdate.renderedChars);
        const items = root.querySelectorAll(itemSel);
        if (!firstItem && frozen > 0) firstItem = items[0];
        if (firstItem) assert.equal(items[0], firstItem, 'the first item is the same node throughout');
      });
      assert.ok(firstItem, 'items were frozen');
      const count = Number(/(\d+)-/.exec(what)![1]);
      assert.ok(frozen >= count - 1, `each finished item is frozen once: ${frozen}`);
      const tenth = Math.floor(costs.length / 10);
      const max = (xs: number[]) => Math.max(...xs);
      // The header, the item still open and the one just finished: never the list so far.
      assert.ok(max(costs.slice(-tenth)) <= 4 * longest + 40, `at the end ${max(costs.slice(-tenth))} characters an update`);
      assert.ok(max(costs.slice(-tenth)) <= max(costs.slice(tenth, 2 * tenth)) + 2 * longest, 'the end costs what the start does');
      sm.finish();
      assert.equal(root.querySelectorAll(itemSel)[0], firstItem, 'still the same node once the answer ends');
      assert.equal(root.innerHTML, wholeHtml(render, text, doc));
    });
  }

  it('keeps the list element when the list ends and the answer goes on', async () => {
    const text = `${stepList(30)}\nThat is all.\n\n| a | b |\n|---|---|\n${'| 1 | 2 |\n'.repeat(20)}\nDone.`;
    const root = doc.createElement('div');
    const sm = new StreamingMarkdown(root, render);
    let list: Element | null = null;
    let table: Element | null = null;
    await stream(sm, text, 3, 9, () => {
      // From the first frozen item on (before it, the list is short and rendered whole).
      const frozen = sm.lastUpdate.frozenItems > 0;
      list ??= frozen ? root.querySelector('ol') : null;
      table ??= frozen && list && root.querySelector('table') ? root.querySelector('table') : null;
      if (list) assert.equal(root.querySelector('ol'), list);
      if (table) assert.equal(root.querySelector('table'), table);
    });
    sm.finish();
    assert.ok(list && table);
    assert.equal(root.querySelector('ol'), list);
    assert.equal(root.querySelector('table'), table);
    assert.equal(root.innerHTML, wholeHtml(render, text, doc));
  });

  it('shows the finished items with their paragraphs once a blank line makes a long list loose', async () => {
    const text = `${Array.from({ length: 40 }, (_, i) => `- tight ${i}`).join('\n')}\n\n- now loose\n- and more\n`;
    const root = doc.createElement('div');
    const sm = new StreamingMarkdown(root, render);
    let rerendered = 0;
    await stream(sm, text, 5, 7, (sent) => {
      rerendered += sm.lastUpdate.rerenderedBlocks;
      const firstHasP = root.querySelector('ul > li > p') !== null;
      assert.equal(firstHasP, /\n\n- n/.test(sent), `loose exactly when the whole text is: ${JSON.stringify(sent.slice(-20))}`);
    });
    // The items finished by then are shown again once (those finished in that update are rendered loose at once).
    assert.ok(rerendered > 30 && rerendered <= 40, `${rerendered} items shown again`);
    sm.finish();
    assert.equal(root.innerHTML, wholeHtml(render, text, doc));
  });

  it('links a finished item when its reference definition arrives in a later item', async () => {
    const text = `${Array.from({ length: 20 }, (_, i) => `- see [the docs][d] ${i}`).join('\n')}\n- [d]: https://example.com/docs\n- last\n`;
    const root = doc.createElement('div');
    const sm = new StreamingMarkdown(root, render);
    await stream(sm, text, 11, 8);
    assert.equal(root.querySelectorAll('li a').length, 20, 'every finished item links, while it still streams');
    sm.finish();
    assert.equal(root.innerHTML, wholeHtml(render, text, doc));
  });

  describe('streamed equals whole, on seeded awkward lists and tables', () => {
    for (const [what, make] of [['lists', awkwardList], ['tables', awkwardTable]] as const) {
      // At every update (what a reader sees while it streams): a whole render per update, so fewer.
      for (const [how, r, seeds] of [['markdown-it output', plain, 12], ['sanitised', render, 3]] as const) {
        it(`${what} (${how}): at every update (${seeds})`, async function () {
          this.timeout(180_000);
          const failures: string[] = [];
          for (let seed = 1; seed <= seeds; seed++) {
            const text = make(seed, 16 + (seed % 12));
            const root = doc.createElement('div');
            const sm = new StreamingMarkdown(root, r);
            let first = '';
            await stream(sm, text, seed, 6, (sent) => {
              if (!first && shownHtml(root) !== wholeHtml(r, sent, doc)) first = `seed ${seed}, after ${JSON.stringify(sent.slice(-80))}`;
            });
            sm.finish();
            if (first) failures.push(first);
            else if (root.innerHTML !== wholeHtml(r, text, doc)) failures.push(`seed ${seed}, at the end`);
          }
          assert.deepEqual(failures.slice(0, 5), []);
        });
      }
      it(`${what} (markdown-it output): once the answer ends, fed in two ways (40)`, async function () {
        this.timeout(180_000);
        const failures: string[] = [];
        for (let seed = 100; seed < 140; seed++) {
          const text = make(seed, 30 + (seed % 30));
          const want = wholeHtml(plain, text, doc);
          for (const most of [2, 30]) {
            const root = doc.createElement('div');
            const sm = new StreamingMarkdown(root, plain);
            await stream(sm, text, seed, most);
            sm.finish();
            if (root.innerHTML !== want) failures.push(`seed ${seed}, pieces of 1-${most}`);
          }
        }
        assert.deepEqual(failures.slice(0, 5), []);
      });
    }
  });

  it('ends a table where markdown-it does once its rows leave out 65,536 cells (rows parsed apart could not count them)', () => {
    const cols = 1000;
    const text = `|${' h |'.repeat(cols)}\n|${'---|'.repeat(cols)}\n${'| x\n'.repeat(70)}`;
    const root = doc.createElement('div');
    const sm = new StreamingMarkdown(root, plain);
    const lines = text.match(/[^\n]*\n/g)!;
    for (let i = 0; i < lines.length; i += 30) sm.append(lines.slice(i, i + 30).join(''));
    sm.finish();
    assert.equal(root.innerHTML, wholeHtml(plain, text, doc));
  });
});
