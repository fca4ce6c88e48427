/**
 * The conversation in the page: one TurnPart per turn, in order; the earlier turns of a long
 * conversation mounted lazily; following the stream (and the user scrolling away from it); and
 * the one animation frame that applies the text streamed since the last, for every turn at once.
 */
import type { TurnView } from '../../protocol';
import type { Content } from '../content';
import { $, announce, flashIcon, ownAction, post } from '../controls';
import { plainTitle } from '../history';
import { spoken } from '../spoken';
import type { Change, ChatState } from '../state';
import { type TurnContext, TurnPart } from './turn';

/**
 * Reopening a long conversation puts only its last turns into the page at once. Earlier turns
 * are added above them, newest first, when the view scrolls near the top and in idle time, so
 * the end of a 1,000-message conversation shows after one short task and the rest follows
 * without a long one (npm run bench measures both). Scroll anchoring keeps the view still.
 */
const EAGER_TURNS = 6;

/**
 * A finished turn further than this from the visible part of the list sleeps (TurnPart.sleep):
 * its element keeps only its text. It wakes, drawn again, when it comes this near.
 */
const AWAKE_MARGIN = '300%';

/** What one frame may spend putting earlier turns into the page or drawing turns that wake. */
const FRAME_BUDGET_MS = 12;

/**
 * At most one animation frame pending, as VS Code's chat renders a stream
 * (chatIncrementalRendering.ts): running it early or disposing of it cancels the frame.
 */
class Frame {
  private handle = 0;
  private readonly tick = (): void => {
    this.handle = 0;
    this.run();
  };

  constructor(private readonly run: () => void) {}

  schedule(): void {
    if (!this.handle) this.handle = requestAnimationFrame(this.tick);
  }

  /** Runs the frame's work now, not at the next frame. */
  now(): void {
    this.dispose();
    this.run();
  }

  dispose(): void {
    if (this.handle) cancelAnimationFrame(this.handle);
    this.handle = 0;
  }
}

export class Transcript {
  private readonly els = {
    messages: $<HTMLElement>('messages'),
    empty: $<HTMLElement>('empty'),
    title: $<HTMLElement>('title'),
    jump: $<HTMLButtonElement>('jump'),
  };
  private readonly ctx: TurnContext;
  private readonly parts = new Map<string, TurnPart>();
  /** Parts holding streamed text for the next frame. */
  private readonly dirty = new Set<TurnPart>();
  private readonly frame = new Frame(() => this.flush());
  private follow = true;
  /** Where the view last put itself while following: scrolling above it is the user's doing. */
  private autoTop = 0;
  /** Turns of the open conversation not in the page yet, oldest first. */
  private unmounted: string[] = [];
  private readonly earlier = document.createElement('div');
  private nearTop = false;
  private idle = 0;
  /** A version switch rebuilds the view: the focus goes back to the same control of the same turn. */
  private refocusAt: { at: number; action: string } | undefined;
  /** Turns come near the view, to be drawn: a few each frame (FRAME_BUDGET_MS), so scrolling to the top of a long chat has no long task. */
  private readonly toWake = new Set<TurnPart>();
  private readonly wakeFrame = new Frame(() => this.wakeSome());
  /** Puts turns far out of sight to sleep and wakes them as they come near (none where the page has no IntersectionObserver). */
  private readonly sleeper?: IntersectionObserver;

  constructor(
    private readonly state: ChatState,
    content: Content,
    private readonly focusInput: () => void,
  ) {
    this.ctx = { state, content };
    const { earlier, els } = this;
    earlier.className = 'earlier note';
    earlier.dataset.testid = 'earlier';
    earlier.textContent = 'Loading earlier messages…';
    earlier.hidden = true;
    els.empty.after(earlier); // turns go after it, new ones at the end: one run of siblings
    new IntersectionObserver(
      (entries) => {
        this.nearTop = entries.some((e) => e.isIntersecting);
        if (this.nearTop) requestAnimationFrame(this.mountWhileNearTop);
      },
      { root: els.messages, rootMargin: '1500px 0px 0px 0px' },
    ).observe(earlier);
    if (typeof IntersectionObserver === 'function') {
      this.sleeper = new IntersectionObserver(
        (entries) => {
          for (const e of entries) {
            const part = this.parts.get((e.target as HTMLElement).dataset.turnId ?? '');
            if (!part) continue;
            if (e.isIntersecting) this.toWake.add(part);
            else if (e.boundingClientRect.height > 0) {
              this.toWake.delete(part);
              part.sleep(e.boundingClientRect.height);
            }
          }
          this.wakeFrame.now();
        },
        { root: els.messages, rootMargin: `${AWAKE_MARGIN} 0px ${AWAKE_MARGIN} 0px` },
      );
    }
    els.jump.addEventListener('click', () => this.followNow());
    // Scroll events also come from layout (text arriving, buttons coming and going, scroll anchoring):
    // only a move up from where the view put itself stops following, and reaching the end resumes it.
    els.messages.addEventListener('scroll', () => {
      const m = els.messages;
      if (m.scrollHeight - m.scrollTop - m.clientHeight < 24) {
        this.follow = true;
        this.autoTop = m.scrollTop;
      } else if (m.scrollTop < this.autoTop - 2) {
        this.follow = false;
      }
      els.jump.hidden = this.follow;
    });
    els.messages.addEventListener('click', (e) => this.onClick(e));
  }

  /** Draws what the state says changed. */
  update(c: Change): void {
    switch (c.kind) {
      case 'conversation':
        return this.reset();
      case 'turn': {
        const view = this.state.turns.get(c.id)!;
        this.mount(view);
        // At once, not at the next frame: a layout shift in between would read as the user scrolling away.
        if (view.role === 'user') this.followNow();
        return this.frame.schedule();
      }
      case 'text': {
        const part = this.parts.get(c.id);
        if (part?.buffer(c.delta)) {
          this.dirty.add(part);
          this.frame.schedule();
        }
        return;
      }
      case 'rewrite': {
        const part = this.parts.get(c.id);
        if (!part) return;
        part.rewrite();
        return this.frame.schedule();
      }
      case 'meta':
        return this.parts.get(c.id)?.showMeta();
      case 'status':
        this.parts.get(c.id)?.showStatus();
        if (this.follow) this.toBottom();
        return;
      case 'end':
        return this.end(c.id);
      case 'busy':
        for (const part of this.parts.values()) part.renderFooter();
        if (this.follow) this.toBottom();
        return;
      case 'queue':
      case 'none':
        return;
    }
  }

  /** After the view was rebuilt for a version switch: the focus back on the switch it was on. */
  restoreFocus(): void {
    const r = this.refocusAt;
    this.refocusAt = undefined;
    const part = r ? this.parts.get(this.state.order[r.at]) : undefined;
    if (!r || !part) return;
    const label = part.refocus(r.action);
    if (label) announce(label);
  }

  /** Applies the text that arrived since the last frame, then follows the stream if the user is at the bottom. */
  private flush(): void {
    for (const part of this.dirty) part.flush();
    this.dirty.clear();
    if (this.follow) this.toBottom();
  }

  private end(id: string): void {
    const part = this.parts.get(id);
    if (!part) return;
    this.frame.now();
    part.end();
    if (this.follow) this.toBottom(); // the footer's buttons too
    const v = part.view;
    if (v.state === 'done') announce(`Qwen answered: ${spoken(v.text).slice(0, 400)}`);
    else if (v.state === 'error' && v.error) announce(`Error: ${v.error.message}`);
    else announce('Stopped.');
  }

  private reset(): void {
    this.sleeper?.disconnect();
    this.toWake.clear();
    this.wakeFrame.dispose();
    for (const part of this.parts.values()) part.dispose();
    this.parts.clear();
    this.dirty.clear();
    this.frame.dispose();
    const views = this.state.views();
    this.els.empty.hidden = views.length > 0;
    this.unmounted = this.state.order.slice(0, Math.max(0, views.length - EAGER_TURNS));
    // Each goes right under the "earlier" line: newest first, so they end in order.
    for (const t of views.slice(this.unmounted.length).reverse()) this.mount(t, true);
    this.earlier.hidden = this.unmounted.length === 0;
    if (this.unmounted.length && !this.idle) this.idle = requestIdleCallback(this.fillIn);
    this.els.title.textContent = plainTitle(this.state.title);
    this.followNow();
  }

  /** The turn's part, made and drawn if new; `above` puts it above the others (a reopened conversation's older turns). */
  private mount(view: TurnView, above = false, asleep = false): TurnPart {
    let part = this.parts.get(view.id);
    if (part) {
      part.update(view);
      return part;
    }
    part = new TurnPart(
      view,
      this.ctx,
      (node) => {
        if (above) this.earlier.after(node);
        else this.els.messages.append(node);
        this.els.empty.hidden = true;
      },
      asleep && !!this.sleeper,
    );
    this.parts.set(view.id, part);
    this.sleeper?.observe(part.domNode);
    return part;
  }

  /** Adds the newest unmounted turn above the others; false when there is none left. */
  private mountOne(): boolean {
    const id = this.unmounted.pop();
    const view = id === undefined ? undefined : this.state.turns.get(id);
    // Asleep: it is drawn when it comes near the view (at once, if it is near already).
    if (view) this.mount(view, true, true);
    this.earlier.hidden = this.unmounted.length === 0;
    return id !== undefined;
  }

  private wakeSome(): void {
    const t0 = performance.now();
    for (const part of this.toWake) {
      if (performance.now() - t0 > FRAME_BUDGET_MS) break;
      this.toWake.delete(part);
      if (this.parts.get(part.view.id) === part) part.wake();
    }
    if (this.follow) this.toBottom();
    if (this.toWake.size) this.wakeFrame.schedule();
  }

  private readonly mountWhileNearTop = (): void => {
    const t0 = performance.now();
    while (this.nearTop && performance.now() - t0 < FRAME_BUDGET_MS && this.mountOne());
    if (this.follow) this.toBottom();
    if (this.nearTop && this.unmounted.length) requestAnimationFrame(this.mountWhileNearTop);
  };

  private readonly fillIn = (deadline: IdleDeadline): void => {
    this.idle = 0;
    let any = false;
    while (deadline.timeRemaining() > 3 && this.mountOne()) any = true;
    // At the bottom, stay there (scroll anchoring keeps a reader's place when they are not).
    if (any && this.follow) this.toBottom();
    if (this.unmounted.length) this.idle = requestIdleCallback(this.fillIn);
  };

  private toBottom(): void {
    this.els.messages.scrollTop = this.els.messages.scrollHeight;
    this.autoTop = this.els.messages.scrollTop;
  }

  /** Goes to the end now and follows from there (a new question, Jump to latest, another conversation). */
  private followNow(): void {
    this.follow = true;
    this.toBottom();
    this.els.jump.hidden = true;
  }

  /** The turns' own buttons: an answer's tools, an error's way out, Edit, the version switch, what was attached. */
  private onClick(e: MouseEvent): void {
    const own = ownAction(e);
    if (!own) return;
    const { b, action } = own;
    const part = this.parts.get(b.closest<HTMLElement>('.turn')?.dataset.turnId ?? '');
    const view = part?.view;
    switch (action) {
      case 'copy-answer':
        if (view) post({ type: 'copy', text: view.text });
        flashIcon(b, 'check', 'Copied');
        return;
      case 'regenerate':
        post({ type: 'regenerate' });
        this.focusInput(); // the button is replaced by the new answer
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
        part?.edit();
        return;
      case 'version-prev':
      case 'version-next': {
        const ver = view?.version;
        if (!view || !ver) return;
        // The view is rebuilt with the other version: keep the focus on this control.
        this.refocusAt = { at: this.state.order.indexOf(view.id), action };
        post({ type: 'switchVersion', turnId: view.id, index: ver.index + (action === 'version-prev' ? -1 : 1) });
        return;
      }
      case 'open-attachment':
        if (view) post({ type: 'openAttachment', turnId: view.id, index: Number(b.dataset.index) });
        return;
    }
  }
}
