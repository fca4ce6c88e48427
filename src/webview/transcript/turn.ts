/**
 * One turn of the conversation in the page, as VS Code's chat draws each part of a response
 * (IChatContentPart): it owns its element (`domNode`) and draws its view, as the state holds
 * it, when told what changed. Streamed text is buffered here and applied when the transcript's
 * frame flushes it.
 */
import type { TurnView } from '../../protocol';
import type { Content } from '../content';
import { el, iconButton, post, servedBy } from '../controls';
import { StreamingMarkdown } from '../markdown/stream';
import type { ChatState } from '../state';
import { answerMeta, editBox, errorBox, sentAttachments, versionSwitch } from './widgets';

export interface TurnContext {
  readonly state: ChatState;
  readonly content: Content;
}

export class TurnPart {
  readonly domNode: HTMLElement;
  private head!: HTMLElement;
  private reasoning!: HTMLDetailsElement;
  private body!: HTMLElement;
  private status!: HTMLElement;
  private footer!: HTMLElement;
  /** An answer's Markdown as it streams. */
  private md?: StreamingMarkdown;
  /** Text that arrived since the last frame. */
  private pending = '';
  /**
   * Far out of sight, a finished turn sleeps: its element holds only its text, as one text node
   * (so the webview's Find still finds it), at the height it was drawn at. A 500-turn chat kept
   * about 57 nodes a turn in the page; VS Code's Chat draws only the turns in sight (issue 27).
   */
  private sleeping = false;

  /**
   * `place` puts the element into the page; the body is drawn there (the Markdown stream checks
   * its tail is in the page). `asleep`: put in the page sleeping, not drawn (a reopened
   * conversation's older turns), until it comes near the view.
   */
  constructor(
    private turn: TurnView,
    private readonly ctx: TurnContext,
    place: (domNode: HTMLElement) => void,
    asleep = false,
  ) {
    const view = turn;
    const node = (this.domNode = document.createElement('article'));
    node.className = `turn ${view.role}`;
    node.dataset.turnId = view.id;
    node.dataset.testid = `turn-${view.role}`;
    node.setAttribute('aria-label', view.role === 'user' ? 'You said' : 'Qwen answered');
    if (asleep && view.state !== 'streaming') this.rest();
    else this.draw();
    place(node);
    if (!this.sleeping) this.drawText();
  }

  /** Makes the turn's parts (at first, and when it wakes); drawText() then fills them, once the element is in the page. */
  private draw(): void {
    const view = this.turn;
    const node = this.domNode;
    this.head = document.createElement('div');
    this.head.className = 'turn-head';
    this.head.textContent = view.role === 'user' ? (view.label ? `You · ${view.label}` : 'You') : 'Qwen';
    this.reasoning = document.createElement('details');
    this.reasoning.className = 'reasoning';
    this.reasoning.dataset.testid = 'reasoning';
    this.reasoning.hidden = true;
    const summary = document.createElement('summary');
    summary.textContent = 'Reasoning';
    const thoughts = document.createElement('div');
    thoughts.className = 'reasoning-text';
    this.reasoning.append(summary, thoughts);
    this.body = document.createElement('div');
    this.body.className = 'turn-body';
    this.status = document.createElement('div');
    this.status.className = 'turn-status';
    this.status.dataset.testid = 'status';
    this.status.setAttribute('aria-live', 'polite');
    this.footer = document.createElement('div');
    this.footer.className = 'turn-footer';
    node.append(this.head, this.reasoning, this.body, this.status, this.footer);
    this.showMeta();
  }

  /** The body and footer, drawn from the state (the Markdown stream checks its tail is in the page). */
  private drawText(): void {
    const view = this.turn;
    const { ctx } = this;
    if (view.role === 'assistant') {
      this.md = new StreamingMarkdown(this.body, ctx.content.render, ctx.content.decorate);
      if (view.text) this.md.set(view.text);
      if (view.state !== 'streaming') this.md.finish();
    } else {
      this.showUserText();
    }
    this.renderFooter();
  }

  /** The turn as the state holds it. */
  get view(): TurnView {
    return this.turn;
  }

  /**
   * Sleeps if nothing would be lost: a finished turn, with no focus, no edit box, no reasoning
   * opened, no image loaded (each of these the reader did and would see undone). `height` is what
   * it was drawn at, so the page around it does not move.
   */
  sleep(height: number): void {
    const node = this.domNode;
    if (this.sleeping || this.turn.state === 'streaming' || this.pending || node.contains(document.activeElement) || this.reasoning.open || node.querySelector('textarea, img')) return;
    this.rest();
    node.style.height = `${height}px`;
  }

  /** Asleep: the element holds the turn's text alone, as one text node. */
  private rest(): void {
    this.sleeping = true;
    this.md = undefined;
    this.domNode.classList.add('asleep');
    this.domNode.textContent = this.turn.text;
  }

  /** Comes near the view again: drawn from the state, as when it was made. */
  wake(): void {
    if (!this.sleeping) return;
    this.sleeping = false;
    const node = this.domNode;
    node.classList.remove('asleep');
    node.style.removeProperty('height');
    node.replaceChildren();
    this.draw();
    this.drawText();
  }

  /** The view the state holds now (sent again whole): nothing is drawn until a change says what. */
  update(view: TurnView): void {
    this.turn = view;
  }

  /** Keeps streamed text for the next frame; false when this turn shows no stream (a user's message). */
  buffer(delta: string): boolean {
    this.wake();
    if (!this.md) return false;
    this.pending += delta;
    return true;
  }

  /** Applies the text buffered since the last frame. */
  flush(): void {
    if (this.pending && this.md) {
      this.md.append(this.pending);
      this.pending = '';
    }
  }

  /** The answer's text was replaced whole. */
  rewrite(): void {
    this.wake();
    if (!this.md) return;
    this.pending = '';
    this.md.set(this.view.text);
  }

  /** The model that answered (and why not the first choice), and the reasoning, folded. */
  showMeta(): void {
    const v = this.view;
    if (v.role !== 'assistant' || this.sleeping) return;
    this.head.textContent = v.model ? `Qwen · ${v.model}` : 'Qwen';
    this.head.dataset.testid = 'answer-model';
    this.head.title = [v.model && v.space ? `${v.model}, ${servedBy(v.model, v.space)}` : '', v.fallbackReason ?? ''].filter(Boolean).join('\n');
    const note = this.domNode.querySelector<HTMLElement>(':scope > .fallback-note') ?? document.createElement('div');
    if (v.fallbackReason) {
      note.className = 'note fallback-note';
      note.dataset.testid = 'fallback-note';
      note.textContent = v.fallbackReason;
      if (!note.isConnected) this.head.after(note);
    } else note.remove();
    this.reasoning.hidden = !v.reasoning;
    this.reasoning.lastElementChild!.textContent = v.reasoning ?? '';
  }

  /** The status line, as the state holds it; while a Space wakes, the next model can answer at once: the user decides. */
  showStatus(): void {
    this.wake();
    const s = this.ctx.state.status.get(this.view.id);
    this.status.textContent = s?.text ?? '';
    if (!s?.skipTo) return;
    const skip = document.createElement('button');
    skip.type = 'button';
    skip.className = 'link-button';
    skip.dataset.testid = 'skip-wait';
    skip.textContent = `Answer with ${s.skipTo} now`;
    skip.title = `Stop waiting and ask ${s.skipTo} instead`;
    skip.addEventListener('click', () => {
      skip.disabled = true;
      post({ type: 'skipWait' });
    });
    this.status.append(' ', skip);
  }

  /** The answer ended (the transcript flushed its text first): the Markdown is finished, the status goes, the footer follows. */
  end(): void {
    this.wake();
    this.md?.finish();
    this.status.textContent = '';
    this.renderFooter();
  }

  /** The user's Markdown is rendered too (Explain Selection sends a fenced block); raw HTML stays text. */
  private showUserText(): void {
    this.body.replaceChildren();
    const md = new StreamingMarkdown(this.body, this.ctx.content.render, this.ctx.content.decorate);
    md.set(this.view.text);
    md.finish();
    if (this.view.context?.length) this.body.append(sentAttachments(this.view.context));
  }

  renderFooter(): void {
    if (this.sleeping) return;
    const f = this.footer;
    f.replaceChildren();
    const v = this.view;
    const { busy } = this.ctx.state;
    this.domNode.classList.toggle('streaming', v.state === 'streaming');
    this.domNode.classList.toggle('stopped', v.state === 'stopped');
    this.domNode.classList.toggle('failed', v.state === 'error');
    if (v.version) f.append(versionSwitch(v.version, busy));
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
    if (this.ctx.state.isLast(v.id) && !busy && v.state !== 'error') tools.append(iconButton('refresh', 'regenerate', 'Regenerate (this answer stays as a version)'));
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

  /** Edit & resend: the message in a box in place of its text; Cancel draws it back as it was. */
  edit(): void {
    this.wake();
    const restore = () => {
      this.showUserText();
      this.renderFooter();
    };
    const { area, buttons } = editBox(this.view.text, (text) => post({ type: 'edit', turnId: this.view.id, text }), restore);
    this.body.replaceChildren(area);
    this.footer.replaceChildren(...buttons);
    area.focus();
  }

  /** After the view was rebuilt: the focus on `action` of this turn's version switch (or its other arrow, when that one is disabled). */
  refocus(action: string): string | undefined {
    this.wake();
    const want = this.footer.querySelector<HTMLButtonElement>(`button[data-action="${action}"]`);
    const other = this.footer.querySelector<HTMLButtonElement>(`button[data-action="${action === 'version-prev' ? 'version-next' : 'version-prev'}"]`);
    (want && !want.disabled ? want : other)?.focus();
    return this.footer.querySelector('.versions')?.getAttribute('aria-label') ?? undefined;
  }

  dispose(): void {
    this.domNode.remove();
    this.md = undefined;
    this.pending = '';
  }
}
