/**
 * A long conversation in the chat view itself (its production bundle, CSS and CSP, in the
 * Chromium the e2e suite installs): turns far out of sight sleep (their element keeps only their
 * text), so the page holds a few nodes a turn, not about 57; Find still finds a sleeping turn's
 * words; a turn scrolled near is drawn again, exactly as before; and the view stays where the
 * reader is. No VS Code needed: the view is loaded as the bench loads it.
 */
import assert from 'node:assert/strict';
import { type Browser, chromium, type Page } from 'playwright-core';
import { loadChatView } from '../bench/sidebar-jank';
import { ensureInstalled } from './harness';

const TURNS = 300;

/** Turn i's text: each answer has a code block, a list and a word no other turn has. */
function turns(): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (let i = 0; i < TURNS / 2; i++) {
    out.push({ id: `u${i}`, role: 'user', text: `Question ${i}: how do I sort item${i}?`, state: 'done' });
    out.push({
      id: `a${i}`, role: 'assistant', state: 'done', model: 'Qwen 2.5',
      text: `Answer ${i}: use **sorted** with a key, word${i}zq.\n\n\`\`\`python\nitems_${i} = sorted(items, key=len)\nprint(items_${i})\n\`\`\`\n\n- first ${i}\n- second ${i}\n`,
    });
  }
  return out;
}

const nodesIn = (page: Page) =>
  page.evaluate(() => {
    const w = document.createTreeWalker(document.querySelector('[data-testid="messages"]')!, NodeFilter.SHOW_ALL);
    let n = 0;
    while (w.nextNode()) n++;
    return n;
  });

describe('a long conversation in the chat view (Chromium)', function () {
  this.timeout(120_000);
  let browser: Browser;
  let page: Page;

  before(async () => {
    browser = await chromium.launch({ executablePath: ensureInstalled().CHROMIUM, args: ['--no-sandbox'] });
    page = await loadChatView(browser);
    await page.evaluate((ts) => window.postMessage({ type: 'init', conversation: { id: 'c1', title: 'Long', turns: ts }, history: [], busy: false }, '*'), turns());
    await page.waitForSelector('[data-testid="earlier"][hidden]', { state: 'attached', timeout: 60_000 });
  });

  after(async () => {
    await browser?.close();
  });

  it('keeps only the turns near the view drawn: the others hold their text alone', async () => {
    assert.equal(await page.$$eval('.turn', (els) => els.length), TURNS, 'every turn is in the page');
    await page.waitForFunction((n) => document.querySelectorAll('.turn.asleep').length > n, TURNS - 60, { timeout: 20_000 });
    const nodes = await nodesIn(page);
    assert.ok(nodes < TURNS * 6, `${nodes} nodes for ${TURNS} turns (drawn, a turn of these takes about 50)`);
    // The end is drawn, and the view is at the end.
    assert.ok(await page.$('.turn[data-turn-id="a149"]:not(.asleep) .code-block pre code .hljs-built_in'), 'the last answer is drawn, its code coloured');
    assert.ok(await page.$eval('[data-testid="messages"]', (m) => m.scrollHeight - m.scrollTop - m.clientHeight < 30), 'the view is at the end');
    // A sleeping turn holds its text, as one text node.
    const first = await page.$eval('.turn[data-turn-id="a0"]', (e) => ({ asleep: e.classList.contains('asleep'), nodes: e.childNodes.length, text: e.textContent }));
    assert.deepEqual(first, { asleep: true, nodes: 1, text: turns()[1].text });
  });

  it("finds a sleeping turn's words with the page's Find", async () => {
    const found = await page.evaluate(() => {
      getSelection()?.removeAllRanges();
      return (window as unknown as { find: (s: string) => boolean }).find('word3zq');
    });
    assert.equal(found, true);
  });

  it('draws a turn again as the reader scrolls to it, as it was, without moving the view', async () => {
    // Drawn before they come into sight: scroll to a sleeping turn near the top.
    const before = await page.$eval('.turn[data-turn-id="a2"]', (e) => e.classList.contains('asleep'));
    assert.equal(before, true);
    await page.$eval('[data-testid="messages"]', (m) => (m.scrollTop = 0));
    await page.waitForSelector('.turn[data-turn-id="a2"]:not(.asleep) .turn-body strong', { timeout: 10_000 });
    const drawn = await page.$eval('.turn[data-turn-id="a2"]', (e) => ({
      strong: e.querySelector('.turn-body strong')?.textContent,
      code: e.querySelector('pre code')?.textContent,
      items: Array.from(e.querySelectorAll('.turn-body li'), (li) => li.textContent),
      copy: !!e.querySelector('[data-testid="copy-answer"]'),
    }));
    assert.deepEqual(drawn, { strong: 'sorted', code: 'items_2 = sorted(items, key=len)\nprint(items_2)\n', items: ['first 2', 'second 2'], copy: true });
    assert.equal(await page.$eval('[data-testid="messages"]', (m) => m.scrollTop), 0, 'the view stays at the top');
    // ...and the end, out of sight now, sleeps.
    await page.waitForSelector('.turn[data-turn-id="a149"].asleep', { state: 'attached', timeout: 10_000 });
    // Back to the end: drawn again.
    await page.$eval('[data-testid="messages"]', (m) => (m.scrollTop = m.scrollHeight));
    await page.waitForSelector('.turn[data-turn-id="a149"]:not(.asleep) .code-block', { timeout: 10_000 });
  });

  it('keeps a turn with the focus in it drawn', async () => {
    await page.focus('.turn[data-turn-id="a149"] [data-testid="copy-answer"]');
    await page.$eval('[data-testid="messages"]', (m) => (m.scrollTop = 0));
    await page.waitForSelector('.turn[data-turn-id="a148"].asleep', { state: 'attached', timeout: 10_000 });
    assert.equal(await page.$eval('.turn[data-turn-id="a149"]', (e) => e.classList.contains('asleep')), false, 'the focused turn stays drawn');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'copy-answer');
  });
});
