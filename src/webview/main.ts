/**
 * The chat UI inside the webview. It knows only the message protocol: it renders what the host
 * sends and posts what the user does. Streaming text is applied once per animation frame.
 */
import DOMPurify from 'dompurify';
import { assertNever, type ErrorView, type HostToWebview, type TurnView } from '../protocol';
import * as attachments from './attachments';
import { $, announce, button, count, el, flashIcon, iconButton, ownControls, post, vscodeApi as vscode } from './controls';
import * as history from './history';
import * as slash from './slash';
import { typeset } from './markdown/math';
import { createRenderer, isLoadableImage } from './markdown/render';
import { StreamingMarkdown } from './markdown/stream';
import { spoken } from './spoken';

const render = createRenderer(DOMPurify);

// ---- math: KaTeX comes from dist/katex.js, loaded the first time an answer holds math ------------
/** This script's nonce: the CSP lets a script with it run, so KaTeX's script carries it too. */
const scriptNonce = (document.currentScript as HTMLScriptElement | null)?.nonce ?? '';
const katexSrc = $<HTMLElement>('app').dataset.katex ?? '';
type KatexLike = Parameters<typeof typeset>[2];
const loadedKatex = (): KatexLike => (globalThis as { qwenKatex?: KatexLike }).qwenKatex;
let katexRequested = false;
function needKatex(): void {
  if (katexRequested || !katexSrc) return;
  katexRequested = true;
  const s = document.createElement('script');
  s.nonce = scriptNonce;
  s.src = katexSrc;
  document.head.append(s);
}
// Once it is here: the math shown so far is typeset where it stands.
window.addEventListener('qwen-katex', () => typeset(document, render.imageMark, loadedKatex()));

const els = {
  messages: $<HTMLElement>('messages'),
  empty: $<HTMLElement>('empty'),
  input: $<HTMLTextAreaElement>('input'),
  form: $<HTMLFormElement>('composer'),
  send: $<HTMLButtonElement>('send'),
  stop: $<HTMLButtonElement>('stop'),
  title: $<HTMLElement>('title'),
  jump: $<HTMLButtonElement>('jump'),
  announcer: $<HTMLElement>('announcer'),
  composerNote: $<HTMLElement>('composer-note'),
  queue: $<HTMLUListElement>('queue'),
  model: $<HTMLSelectElement>('model'),
};

interface TurnUi {
  view: TurnView;
  el: HTMLElement;
  head: HTMLElement;
  reasoning: HTMLDetailsElement;
  body: HTMLElement;
  status: HTMLElement;
  footer: HTMLElement;
  md?: StreamingMarkdown;
  pending: string;
}

const turns = new Map<string, TurnUi>();
let order: string[] = [];
let busy = false;
let follow = true;
/** Where the view last put itself while following: scrolling above it is the user's doing. */
let autoTop = 0;
let frame = 0;

// ---- drafts: each conversation keeps its own, across the view being hidden or reloaded ------
const saved = (vscode.getState() ?? {}) as { draft?: string; drafts?: Record<string, string> };
const drafts: Record<string, string> = saved.drafts ?? {};
/** The open conversation; '' until the host says which. */
let conversationId = '';

function saveDraft(): void {
  if (conversationId) {
    if (els.input.value) drafts[conversationId] = els.input.value;
    else delete drafts[conversationId];
  }
  vscode.setState({ drafts });
}

/** Another conversation opened: the input leaves its draft with the one left, and takes up this one's. */
function switchDraft(id: string): void {
  if (id === conversationId) return;
  const first = conversationId === '';
  saveDraft();
  conversationId = id;
  // Text typed before the host answered stays; an older draft (one saved before drafts had owners) fills an empty input.
  if (first && els.input.value) return saveDraft();
  els.input.value = drafts[id] ?? (first ? saved.draft ?? '' : '');
  els.input.dispatchEvent(new Event('input'));
}
els.input.addEventListener('input', () => {
  saveDraft();
  // A refusal of an unknown /command goes once the text changes.
  if (els.composerNote.dataset.kind === 'refusal') setNote('');
});

function setNote(text: string, kind = ''): void {
  els.composerNote.textContent = text;
  els.composerNote.dataset.kind = kind;
}
els.model.addEventListener('change', () => post({ type: 'pickModel', model: els.model.value }));

// ---- rendering ---------------------------------------------------------------------------------

/** Links the model wrote, with where they go (the anchors lose their href: see decorate). */
const linkTargets = new WeakMap<Element, string>();
/** Image buttons this view's renderer made, with their source and alt text. */
const images = new WeakMap<Element, { src: string; alt: string }>();

/**
 * Makes rendered answer content safe to click: each link the model wrote loses its href (the
 * webview's own link handling would open it at once, beside ours) and becomes a link-role
 * element that the host opens through VS Code's trusted-domain flow, once. Image buttons count
 * only when this renderer marked them. Then adds Copy / Insert / Replace selection to code.
 */
function decorate(root: HTMLElement): void {
  if (typeset(root, render.imageMark, loadedKatex())) needKatex();
  for (const a of Array.from(root.querySelectorAll('a[href]'))) {
    const href = a.getAttribute('href') ?? '';
    a.removeAttribute('href');
    linkTargets.set(a, href);
    a.setAttribute('role', 'link');
    a.setAttribute('tabindex', '0');
    a.setAttribute('title', href);
    a.classList.add('md-link');
  }
  for (const b of Array.from(root.querySelectorAll<HTMLButtonElement>('button.md-image'))) {
    if (b.dataset.qwenImage !== render.imageMark || images.has(b)) continue;
    images.set(b, { src: b.value, alt: b.getAttribute('aria-description') ?? '' });
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
}

/**
 * Reopening a long conversation puts only its last turns into the page at once. Earlier turns
 * are added above them, newest first, when the view scrolls near the top and in idle time, so
 * the end of a 1,000-message conversation shows after one short task and the rest follows
 * without a long one (npm run bench measures both). Scroll anchoring keeps the view still.
 */
const EAGER_TURNS = 6;
/** Turns of the open conversation not in the page yet, oldest first. */
let unmounted: TurnView[] = [];
const earlier = document.createElement('div');
earlier.className = 'earlier note';
earlier.dataset.testid = 'earlier';
earlier.textContent = 'Loading earlier messages…';
earlier.hidden = true;
els.empty.after(earlier); // turns go after it, new ones at the end: one run of siblings
let nearTop = false;
new IntersectionObserver(
  (entries) => {
    nearTop = entries.some((e) => e.isIntersecting);
    if (nearTop) requestAnimationFrame(mountWhileNearTop);
  },
  { root: els.messages, rootMargin: '1500px 0px 0px 0px' },
).observe(earlier);
let idle = 0;

/** Adds the newest unmounted turn above the others; false when there is none left. */
function mountOne(): boolean {
  const view = unmounted.pop();
  if (view) ensureTurn(view, true);
  earlier.hidden = unmounted.length === 0;
  return view !== undefined;
}

function mountWhileNearTop(): void {
  const t0 = performance.now();
  while (nearTop && performance.now() - t0 < 12 && mountOne());
  if (follow) toBottom();
  if (nearTop && unmounted.length) requestAnimationFrame(mountWhileNearTop);
}

function fillIn(deadline: IdleDeadline): void {
  idle = 0;
  let any = false;
  while (deadline.timeRemaining() > 3 && mountOne()) any = true;
  // At the bottom, stay there (scroll anchoring keeps a reader's place when they are not).
  if (any && follow) toBottom();
  if (unmounted.length) idle = requestIdleCallback(fillIn);
}

/** The turn's element, made and rendered if new; `earlierTurn` puts it above the others (a reopened conversation's older turns). */
function ensureTurn(view: TurnView, earlierTurn = false): TurnUi {
  let ui = turns.get(view.id);
  if (ui) {
    ui.view = view;
    return ui;
  }
  const el = document.createElement('article');
  el.className = `turn ${view.role}`;
  el.dataset.turnId = view.id;
  el.dataset.testid = `turn-${view.role}`;
  el.setAttribute('aria-label', view.role === 'user' ? 'You said' : 'Qwen answered');
  const head = document.createElement('div');
  head.className = 'turn-head';
  head.textContent = view.role === 'user' ? (view.label ? `You · ${view.label}` : 'You') : 'Qwen';
  const reasoning = document.createElement('details');
  reasoning.className = 'reasoning';
  reasoning.dataset.testid = 'reasoning';
  reasoning.hidden = true;
  const summary = document.createElement('summary');
  summary.textContent = 'Reasoning';
  const thoughts = document.createElement('div');
  thoughts.className = 'reasoning-text';
  reasoning.append(summary, thoughts);
  const body = document.createElement('div');
  body.className = 'turn-body';
  const status = document.createElement('div');
  status.className = 'turn-status';
  status.dataset.testid = 'status';
  status.setAttribute('aria-live', 'polite');
  const footer = document.createElement('div');
  footer.className = 'turn-footer';
  el.append(head, reasoning, body, status, footer);
  ui = { view, el, head, reasoning, body, status, footer, pending: '' };
  showMeta(ui);
  turns.set(view.id, ui);
  if (earlierTurn) earlier.after(el);
  else {
    order.push(view.id);
    els.messages.append(el);
  }
  els.empty.hidden = true;
  if (view.role === 'assistant') {
    ui.md = new StreamingMarkdown(body, render, decorate);
    if (view.text) ui.md.set(view.text);
    if (view.state !== 'streaming') ui.md.finish();
  } else {
    showUserText(ui);
  }
  renderFooter(ui);
  return ui;
}

/** The model that answered (and why not the first choice), and the reasoning, folded. */
function showMeta(ui: TurnUi): void {
  const v = ui.view;
  if (v.role !== 'assistant') return;
  ui.head.textContent = v.model ? `Qwen · ${v.model}` : 'Qwen';
  ui.head.dataset.testid = 'answer-model';
  ui.head.title = [v.model && v.space ? `${v.model}, ${servedBy(v.model, v.space)}` : '', v.fallbackReason ?? ''].filter(Boolean).join('\n');
  const note = ui.el.querySelector<HTMLElement>(':scope > .fallback-note') ?? document.createElement('div');
  if (v.fallbackReason) {
    note.className = 'note fallback-note';
    note.dataset.testid = 'fallback-note';
    note.textContent = v.fallbackReason;
    if (!note.isConnected) ui.head.after(note);
  } else note.remove();
  ui.reasoning.hidden = !v.reasoning;
  ui.reasoning.lastElementChild!.textContent = v.reasoning ?? '';
}

/** The user's Markdown is rendered too (Explain Selection sends a fenced block); raw HTML stays text. */
function showUserText(ui: TurnUi): void {
  ui.body.replaceChildren();
  const md = new StreamingMarkdown(ui.body, render, decorate);
  md.set(ui.view.text);
  md.finish();
  if (ui.view.context?.length) ui.body.append(sentAttachments(ui.view.context));
}

/** What was attached to a sent message: each opens in the editor (or, when gone, what was sent). */
function sentAttachments(context: NonNullable<TurnView['context']>): HTMLElement {
  const ul = el('ul', 'chip-list sent');
  ul.setAttribute('aria-label', 'Attached');
  context.forEach((c, i) => {
    const li = el('li', `chip ${c.kind}`);
    const b = button(c.label, 'open-attachment', `Open ${c.detail} (${count(c.chars)} characters sent)`);
    b.dataset.index = String(i);
    b.dataset.testid = 'sent-attachment';
    b.setAttribute('aria-label', `Open the attached ${c.kind === 'selection' ? 'selection' : 'file'} ${c.detail}, ${count(c.chars)} characters`);
    li.append(b);
    ul.append(li);
  });
  return ul;
}

function renderFooter(ui: TurnUi): void {
  const f = ui.footer;
  f.replaceChildren();
  const v = ui.view;
  ui.el.classList.toggle('streaming', v.state === 'streaming');
  ui.el.classList.toggle('stopped', v.state === 'stopped');
  ui.el.classList.toggle('failed', v.state === 'error');
  if (v.version) f.append(versionSwitch(v.version));
  if (v.role === 'user') {
    if (!busy) f.append(iconButton('edit', 'edit', 'Edit and send again'));
    return;
  }
  if (v.note) {
    const n = document.createElement('span');
    n.className = 'note turn-note';
    n.dataset.testid = 'turn-note';
    n.textContent = v.note;
    f.append(n);
  }
  if (v.state === 'streaming') return;
  if (v.state === 'error' && v.error) f.append(errorBox(v.error));
  if (v.state === 'stopped') {
    const s = document.createElement('span');
    s.className = 'note';
    s.textContent = v.interrupted ? 'Interrupted: the window closed or reloaded before the answer finished.' : 'Stopped.';
    f.append(s);
  }
  // The answer's tools (shown on hover or focus, always on the last answer), then its one meta line.
  const tools = el('span', 'turn-tools');
  tools.setAttribute('role', 'toolbar');
  tools.setAttribute('aria-label', 'Answer');
  if (order[order.length - 1] === v.id && !busy && v.state !== 'error') tools.append(iconButton('refresh', 'regenerate', 'Regenerate (this answer stays as a version)'));
  if (v.text) tools.append(iconButton('copy', 'copy-answer', 'Copy answer as Markdown'));
  const versions = f.querySelector('.versions');
  if (versions) tools.append(versions);
  if (tools.childElementCount) f.append(tools);
  const meta = answerMeta(v);
  if (meta) {
    const m = el('span', 'note answer-meta', meta);
    m.dataset.testid = 'answer-meta';
    if (v.space) m.title = `${servedBy(v.model ?? '', v.space)[0].toUpperCase()}${servedBy(v.model ?? '', v.space).slice(1)}`;
    f.append(m);
  }
}

/** "‹ 2/3 ›": which version of a turn is shown, and the way to the others. */
function versionSwitch(ver: { index: number; count: number }): HTMLElement {
  const box = document.createElement('span');
  box.className = 'versions';
  box.setAttribute('role', 'group');
  box.setAttribute('aria-label', `Version ${ver.index + 1} of ${ver.count}`);
  const prev = iconButton('chevron-left', 'version-prev', 'Previous version');
  prev.disabled = busy || ver.index === 0;
  const label = document.createElement('span');
  label.className = 'version-label';
  label.dataset.testid = 'version-label';
  label.textContent = `${ver.index + 1}/${ver.count}`;
  const next = iconButton('chevron-right', 'version-next', 'Next version');
  next.disabled = busy || ver.index === ver.count - 1;
  box.append(prev, label, next);
  return box;
}

/** When, how long the answer is and how long it took: "14:03 · 1,234 characters · 8.2 s" (the Space that answered is its tooltip). */
function answerMeta(v: TurnView): string {
  if (v.role !== 'assistant' || v.state === 'streaming' || !v.startedAt || !v.endedAt) return '';
  const d = new Date(v.startedAt);
  const today = new Date().toDateString() === d.toDateString();
  const when = today ? d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : d.toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' });
  const secs = (v.endedAt - v.startedAt) / 1000;
  return `${when} · ${count(v.text.length)} characters · ${secs < 10 ? secs.toFixed(1) : Math.round(secs)} s`;
}

function errorBox(e: ErrorView): HTMLElement {
  const box = el('div', 'error');
  box.setAttribute('role', 'alert');
  box.dataset.testid = 'error';
  box.append(el('p', 'error-message', e.message));
  // When every Space failed, the way out comes first.
  if (e.hint) e.details ? box.prepend(el('p', 'error-hint first', e.hint)) : box.append(el('p', 'error-hint', e.hint));
  const actions = el('div', 'error-actions');
  if (e.retryable) actions.append(button('Retry', 'retry', 'Try again'));
  if (e.setting) {
    const open = button('Open setting', 'open-setting', `Open the setting ${e.setting}`);
    open.dataset.setting = e.setting;
    actions.append(open);
  }
  if (e.otherModel) actions.append(button('Pick another model', 'choose-model', 'Choose the model to ask, then Retry'));
  if (e.addEndpoint) actions.append(button('Add your own endpoint', 'add-endpoint', 'Qwen with your own key, on your machine or your cluster: Qwen: Add Model Endpoint…'));
  if (actions.childElementCount) box.append(actions);
  if (e.details) {
    const more = el('details', 'error-details');
    more.append(el('summary', '', 'Details'), el('pre', 'error-details-text', e.details));
    box.append(more);
  }
  return box;
}

function scheduleFlush(): void {
  if (!frame) frame = requestAnimationFrame(flush);
}

/** Applies the text that arrived since the last frame, then follows the stream if the user is at the bottom. */
function flush(): void {
  frame = 0;
  for (const ui of turns.values()) {
    if (ui.pending && ui.md) {
      ui.md.append(ui.pending);
      ui.pending = '';
    }
  }
  if (follow) toBottom();
}

function toBottom(): void {
  els.messages.scrollTop = els.messages.scrollHeight;
  autoTop = els.messages.scrollTop;
}

/** Goes to the end now and follows from there (a new question, Jump to latest, another conversation). */
function followNow(): void {
  follow = true;
  toBottom();
  els.jump.hidden = true;
}

function resetConversation(turnViews: TurnView[], title: string): void {
  for (const ui of turns.values()) ui.el.remove();
  turns.clear();
  order = [];
  els.empty.hidden = turnViews.length > 0;
  unmounted = turnViews.slice(0, Math.max(0, turnViews.length - EAGER_TURNS));
  order = turnViews.map((t) => t.id);
  // Each goes right under the "earlier" line: newest first, so they end in order.
  for (const t of turnViews.slice(unmounted.length).reverse()) ensureTurn(t, true);
  earlier.hidden = unmounted.length === 0;
  if (unmounted.length && !idle) idle = requestIdleCallback(fillIn);
  els.title.textContent = history.plainTitle(title);
  followNow();
}

function setBusy(b: boolean): void {
  const was = busy;
  busy = b;
  if (was !== b) renderQueue(lastQueue);
  if (!b) setNote('');
  els.input.placeholder = b ? 'A follow-up is sent when this answer ends' : 'Ask Qwen… (/ for commands, # to attach)';
  els.stop.hidden = !b;
  els.send.hidden = b;
  for (const ui of turns.values()) renderFooter(ui);
  if (follow) toBottom();
}

/** Puts text back into the input (after what is typed there) and keeps it as the draft: nothing typed is lost. */
function addToInput(text: string): void {
  els.input.value = els.input.value.trim() ? `${els.input.value}\n\n${text}` : text;
  els.input.dispatchEvent(new Event('input')); // the draft and the budget follow
}

/** Follow-ups waiting for the answer to end, each with Cancel (its text comes back to the input). */
const queuedTexts = new Map<string, string>();
let lastQueue: Array<{ id: string; text: string }> = [];
function renderQueue(items: Array<{ id: string; text: string }>): void {
  lastQueue = items;
  queuedTexts.clear();
  els.queue.replaceChildren();
  for (const q of items) {
    queuedTexts.set(q.id, q.text);
    const li = document.createElement('li');
    li.className = 'queued';
    li.dataset.queueId = q.id;
    li.dataset.testid = 'queued';
    const t = document.createElement('span');
    t.className = 'queued-text';
    t.textContent = `Queued: ${q.text.length > 120 ? `${q.text.slice(0, 117)}…` : q.text}`;
    t.title = q.text;
    // Held after Stop: it waits for the user to send it (or the next message, which takes it along).
    if (!busy) li.append(iconButton('send', 'resume-queue', 'Send now'));
    const cancel = iconButton('close', 'cancel-queued', 'Cancel: take it back into the input');
    cancel.setAttribute('aria-label', `Cancel the queued message: ${q.text.slice(0, 60)}`);
    li.prepend(t);
    li.append(cancel);
    els.queue.append(li);
  }
  els.queue.hidden = items.length === 0;
}

/** A version switch rebuilds the view: the focus goes back to the same control of the same turn. */
let refocus: { at: number; action: string } | undefined;
function restoreFocus(): void {
  const r = refocus;
  refocus = undefined;
  const ui = r ? turns.get(order[r.at]) : undefined;
  if (!r || !ui) return;
  const want = ui.footer.querySelector<HTMLButtonElement>(`button[data-action="${r.action}"]`);
  const other = ui.footer.querySelector<HTMLButtonElement>(`button[data-action="${r.action === 'version-prev' ? 'version-next' : 'version-prev'}"]`);
  (want && !want.disabled ? want : other)?.focus();
  const label = ui.footer.querySelector('.versions')?.getAttribute('aria-label');
  if (label) announce(label);
}

// ---- messages from the host -----------------------------------------------------------------

window.addEventListener('message', (event: MessageEvent<HostToWebview>) => {
  const m = event.data;
  switch (m.type) {
    case 'queue':
      renderQueue(m.items);
      return;
    case 'historyMatches':
      history.showMatches(m.query, m.ids, m.snippets);
      return;
    case 'context':
      attachments.showPending(m.items, m.budget);
      return;
    case 'contextOptions':
      attachments.setOptions(m.options);
      return;
    case 'draft':
      addToInput(m.text);
      return;
    case 'init':
      renderQueue(m.queue ?? []);
      switchDraft(m.conversation.id);
      history.setCurrent(m.conversation.id);
      resetConversation(m.conversation.turns, m.conversation.title);
      history.render(m.history, m.trash);
      history.restoreFocus();
      setBusy(m.busy);
      restoreFocus();
      document.body.dataset.ready = 'true';
      return;
    case 'turn':
      ensureTurn(m.turn);
      // At once, not at the next frame: a layout shift in between would read as the user scrolling away.
      if (m.turn.role === 'user') followNow();
      scheduleFlush();
      return;
    case 'delta': {
      const ui = turns.get(m.turnId);
      if (ui) {
        ui.view.text += m.delta;
        ui.pending += m.delta;
        scheduleFlush();
      }
      return;
    }
    case 'rewrite': {
      const ui = turns.get(m.turnId);
      if (ui?.md) {
        ui.view.text = m.text;
        ui.pending = '';
        ui.md.set(m.text);
        scheduleFlush();
      }
      return;
    }
    case 'turnMeta': {
      const ui = turns.get(m.turnId);
      if (!ui) return;
      if (m.model !== undefined) ui.view.model = m.model;
      if (m.fallbackReason !== undefined) ui.view.fallbackReason = m.fallbackReason;
      if (m.space !== undefined) ui.view.space = m.space;
      if (m.reasoning !== undefined) ui.view.reasoning = m.reasoning;
      showMeta(ui);
      return;
    }
    case 'image': {
      const b = pendingImages.get(m.id);
      pendingImages.delete(m.id);
      if (!b) return;
      const meta = images.get(b);
      if (m.dataUrl && meta) showImage(b, m.dataUrl, meta.alt);
      else {
        b.textContent = m.error ?? 'The image was not loaded.';
        b.disabled = false;
      }
      return;
    }
    case 'models': {
      els.model.replaceChildren(
        ...m.models.map((x) => {
          const o = document.createElement('option');
          o.value = x.name;
          o.textContent = `${x.label ?? x.name}${x.isDefault ? ' · default' : ''}`;
          o.title = `${x.name}, ${servedBy(x.name, x.space)}`;
          return o;
        }),
      );
      els.model.value = m.current;
      els.model.dataset.current = m.current; // what the settings hold (tests wait on it)
      return;
    }
    case 'status': {
      const ui = turns.get(m.turnId);
      if (ui) {
        ui.status.textContent = m.text ?? '';
        // While a Space wakes, the next model can answer at once: the user decides.
        if (m.skipTo && m.text) {
          const skip = document.createElement('button');
          skip.type = 'button';
          skip.className = 'link-button';
          skip.dataset.testid = 'skip-wait';
          skip.textContent = `Answer with ${m.skipTo} now`;
          skip.title = `Stop waiting and ask ${m.skipTo} instead`;
          skip.addEventListener('click', () => {
            skip.disabled = true;
            post({ type: 'skipWait' });
          });
          ui.status.append(' ', skip);
        }
      }
      if (follow) toBottom();
      return;
    }
    case 'turnEnd': {
      const ui = turns.get(m.turnId);
      if (!ui) return;
      flush();
      ui.md?.finish();
      ui.view.state = m.state;
      ui.view.error = m.error;
      if (m.endedAt) ui.view.endedAt = m.endedAt;
      ui.status.textContent = '';
      renderFooter(ui);
      if (follow) toBottom(); // the footer's buttons too
      if (m.state === 'done') announce(`Qwen answered: ${spoken(ui.view.text).slice(0, 400)}`);
      else if (m.state === 'error' && m.error) announce(`Error: ${m.error.message}`);
      else announce('Stopped.');
      return;
    }
    case 'history':
      history.render(m.items, m.trash);
      history.restoreFocus();
      return;
    case 'busy':
      setBusy(m.busy);
      return;
    case 'focusInput':
      els.input.focus();
      return;
    default:
      assertNever(m);
  }
});

// ---- what the user does -------------------------------------------------------------------

function submit(): void {
  const text = els.input.value;
  if (!text.trim()) {
    if (attachments.hasPending()) setNote('Say what to do with what you attached, then send.');
    return;
  }
  // An unknown /command is not sent: it stays in the input, and the view says which there are.
  const refused = slash.refusal(text);
  if (refused) {
    setNote(refused, 'refusal');
    announce(refused);
    return;
  }
  // While Qwen answers, the host queues it and sends it when the answer ends: the queue above
  // the input says so, the composer's row stays as it is.
  setNote('');
  post({ type: 'send', text });
  els.input.value = '';
  saveDraft();
}

els.form.addEventListener('submit', (e) => {
  e.preventDefault();
  submit();
});
els.input.addEventListener('keydown', (e) => {
  if (attachments.handleKey(e) || slash.handleKey(e)) return; // the # and / lists' keys
  if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
    e.preventDefault();
    submit();
  }
});
document.addEventListener('keydown', (e) => {
  if (e.key === 'Escape' && busy && !e.defaultPrevented) {
    e.preventDefault();
    post({ type: 'stop' });
  }
});
els.stop.addEventListener('click', () => {
  post({ type: 'stop' });
  els.input.focus(); // the Stop button goes away: focus must not fall to the page
});
els.jump.addEventListener('click', followNow);
// Scroll events also come from layout (text arriving, buttons coming and going, scroll anchoring):
// only a move up from where the view put itself stops following, and reaching the end resumes it.
els.messages.addEventListener('scroll', () => {
  const m = els.messages;
  if (m.scrollHeight - m.scrollTop - m.clientHeight < 24) {
    follow = true;
    autoTop = m.scrollTop;
  } else if (m.scrollTop < autoTop - 2) {
    follow = false;
  }
  els.jump.hidden = follow;
});

function startEdit(ui: TurnUi): void {
  const area = document.createElement('textarea');
  area.className = 'edit-input';
  area.value = ui.view.text;
  area.rows = Math.min(12, ui.view.text.split('\n').length + 1);
  area.setAttribute('aria-label', 'Edit your message');
  area.dataset.testid = 'edit-input';
  const save = button('Send', 'edit-send', 'Send the edited message (Enter)');
  const cancel = button('Cancel', 'edit-cancel', 'Keep the message as it was (Escape)');
  const restore = () => {
    showUserText(ui);
    renderFooter(ui);
  };
  const send = () => {
    if (area.value.trim()) post({ type: 'edit', turnId: ui.view.id, text: area.value });
  };
  area.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      send();
    } else if (e.key === 'Escape') {
      e.stopPropagation();
      restore();
    }
  });
  save.addEventListener('click', send);
  cancel.addEventListener('click', restore);
  ui.body.replaceChildren(area);
  ui.footer.replaceChildren(save, cancel);
  area.focus();
}

document.addEventListener('click', (e) => {
  const target = e.target as HTMLElement;
  const link = target.closest('a');
  if (link) {
    e.preventDefault();
    const href = linkTargets.get(link);
    if (href) post({ type: 'openLink', href });
    return;
  }
  const img = target.closest<HTMLButtonElement>('button.md-image');
  if (img) {
    const meta = images.get(img);
    if (!meta || !isLoadableImage(meta.src)) {
      img.textContent = meta ? 'This image cannot be shown (only https images, and small inline ones, load).' : 'This is not an image the answer holds.';
      img.disabled = true;
      return;
    }
    if (meta.src.startsWith('data:')) return showImage(img, meta.src, meta.alt);
    // The host asks first, naming the host it will contact, then fetches it: the view itself
    // loads nothing from the network (its CSP allows only data: images).
    const id = String(++imageRequests);
    pendingImages.set(id, img);
    img.disabled = true;
    img.textContent = `Asking to load the image from ${hostOf(meta.src)}…`;
    post({ type: 'loadImage', id, src: meta.src });
    return;
  }
  const b = target.closest<HTMLButtonElement>('button[data-action]');
  if (!b || !ownControls.has(b)) return;
  const turnEl = b.closest<HTMLElement>('.turn');
  const ui = turnEl ? turns.get(turnEl.dataset.turnId ?? '') : undefined;
  // markdown-it ends every code block with a newline that is not part of the code
  const code = () => (b.closest('.code-block')?.querySelector('code')?.textContent ?? '').replace(/\n$/, '');
  switch (b.dataset.action) {
    case 'copy-code':
      post({ type: 'copy', text: code() });
      flashIcon(b, 'check', 'Copied');
      return;
    case 'insert-code':
      post({ type: 'insertCode', code: code() });
      return;
    case 'replace-selection':
      post({ type: 'replaceSelection', code: code() });
      return;
    case 'copy-answer':
      if (ui) post({ type: 'copy', text: ui.view.text });
      flashIcon(b, 'check', 'Copied');
      return;
    case 'regenerate':
      post({ type: 'regenerate' });
      els.input.focus(); // the button is replaced by the new answer
      return;
    case 'retry':
      post({ type: 'retry' });
      return;
    case 'open-setting':
      post({ type: 'openSetting', setting: b.dataset.setting ?? '' });
      return;
    case 'choose-model':
      post({ type: 'chooseModel' });
      return;
    case 'add-endpoint':
      post({ type: 'addEndpoint' });
      return;
    case 'edit':
      if (ui) startEdit(ui);
      return;
    case 'version-prev':
    case 'version-next': {
      const ver = ui?.view.version;
      if (!ui || !ver) return;
      // The view is rebuilt with the other version: keep the focus on this control.
      refocus = { at: order.indexOf(ui.view.id), action: b.dataset.action };
      post({ type: 'switchVersion', turnId: ui.view.id, index: ver.index + (b.dataset.action === 'version-prev' ? -1 : 1) });
      return;
    }
    case 'resume-queue':
      post({ type: 'resumeQueue' });
      return;
    case 'cancel-queued': {
      const id = b.closest<HTMLElement>('.queued')?.dataset.queueId;
      if (!id) return;
      addToInput(queuedTexts.get(id) ?? '');
      post({ type: 'cancelQueued', id });
      els.input.focus();
      return;
    }
    case 'open-attachment':
      if (ui) post({ type: 'openAttachment', turnId: ui.view.id, index: Number(b.dataset.index) });
      return;
  }
});

let imageRequests = 0;
const pendingImages = new Map<string, HTMLButtonElement>();

function hostOf(src: string): string {
  try {
    return new URL(src).host;
  } catch {
    return 'an unknown host';
  }
}

function showImage(button: HTMLButtonElement, src: string, alt: string): void {
  const el = document.createElement('img');
  el.src = src;
  el.alt = alt;
  el.className = 'md-img';
  button.replaceWith(el);
}

// Links open from the keyboard too.
document.addEventListener('keydown', (e) => {
  const t = e.target as HTMLElement;
  if ((e.key === 'Enter' || e.key === ' ') && linkTargets.has(t)) {
    e.preventDefault();
    post({ type: 'openLink', href: linkTargets.get(t)! });
  }
});

// Focusing the view (its focus command, or a click on its title) puts the cursor in the input.
window.addEventListener('focus', () => {
  if (document.activeElement === document.body || document.activeElement === null) els.input.focus();
});

post({ type: 'ready' });

/** Where a model runs, in words: a Space's models are served by their Space; `ENDPOINT/MODEL` by your endpoint. */
function servedBy(model: string, where: string): string {
  return model.includes('/') ? `served by your endpoint, ${where}` : `served by the Space ${where}`;
}
