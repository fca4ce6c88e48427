/**
 * The composer: the input and its draft (each conversation keeps its own, across the view being
 * hidden or reloaded), Send and Stop, the note under the input, the follow-ups queued above it,
 * and the model picker. The `#` and `/` lists are attachments.ts's and slash.ts's.
 */
import type { HostToWebview } from '../protocol';
import * as attachments from './attachments';
import { $, announce, iconButton, ownAction, post, servedBy, vscodeApi as vscode } from './controls';
import * as slash from './slash';
import type { Change, ChatState } from './state';

export class Composer {
  private readonly els = {
    input: $<HTMLTextAreaElement>('input'),
    form: $<HTMLFormElement>('composer'),
    send: $<HTMLButtonElement>('send'),
    stop: $<HTMLButtonElement>('stop'),
    note: $<HTMLElement>('composer-note'),
    queue: $<HTMLUListElement>('queue'),
    model: $<HTMLSelectElement>('model'),
  };
  /** What the view saved before it was last hidden or reloaded (`draft`: from before drafts had owners). */
  private readonly saved = (vscode.getState() ?? {}) as { draft?: string; drafts?: Record<string, string> };
  private readonly drafts: Record<string, string> = this.saved.drafts ?? {};

  constructor(private readonly state: ChatState) {
    const { els } = this;
    els.input.addEventListener('input', () => {
      this.saveDraft();
      // A refusal of an unknown /command goes once the text changes.
      if (els.note.dataset.kind === 'refusal') this.setNote('');
    });
    els.model.addEventListener('change', () => post({ type: 'pickModel', model: els.model.value }));
    els.form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.submit();
    });
    els.input.addEventListener('keydown', (e) => {
      if (attachments.handleKey(e) || slash.handleKey(e)) return; // the # and / lists' keys
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        this.submit();
      }
    });
    document.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && state.busy && !e.defaultPrevented) {
        e.preventDefault();
        post({ type: 'stop' });
      }
    });
    els.stop.addEventListener('click', () => {
      post({ type: 'stop' });
      els.input.focus(); // the Stop button goes away: focus must not fall to the page
    });
    els.queue.addEventListener('click', (e) => {
      const own = ownAction(e);
      if (own?.action === 'resume-queue') post({ type: 'resumeQueue' });
      if (own?.action !== 'cancel-queued') return;
      const id = own.b.closest<HTMLElement>('.queued')?.dataset.queueId;
      if (!id) return;
      this.addToInput(state.queue.find((q) => q.id === id)?.text ?? '');
      post({ type: 'cancelQueued', id });
      els.input.focus();
    });
    // Focusing the view (its focus command, or a click on its title) puts the cursor in the input.
    window.addEventListener('focus', () => {
      if (document.activeElement === document.body || document.activeElement === null) els.input.focus();
    });
  }

  /** Draws what the state says changed: the queue, the draft of the conversation opened, busy. */
  update(c: Change): void {
    switch (c.kind) {
      case 'conversation':
        this.renderQueue();
        this.switchDraft(c.from);
        return this.showBusy();
      case 'busy':
        // Held after Stop, the queue offers Send now.
        if (c.changed) this.renderQueue();
        return this.showBusy();
      case 'queue':
        return this.renderQueue();
    }
  }

  focus(): void {
    this.els.input.focus();
  }

  /** Puts text back into the input (after what is typed there) and keeps it as the draft: nothing typed is lost. */
  addToInput(text: string): void {
    const { input } = this.els;
    input.value = input.value.trim() ? `${input.value}\n\n${text}` : text;
    input.dispatchEvent(new Event('input')); // the draft and the budget follow
  }

  /** The models to pick from (friendly names, the default marked), and the one picked. */
  showModels(m: Extract<HostToWebview, { type: 'models' }>): void {
    const { model } = this.els;
    model.replaceChildren(
      ...m.models.map((x) => {
        const o = document.createElement('option');
        o.value = x.name;
        o.textContent = `${x.label ?? x.name}${x.isDefault ? ' · default' : ''}`;
        o.title = `${x.name}, ${servedBy(x.name, x.space)}`;
        return o;
      }),
    );
    model.value = m.current;
    model.dataset.current = m.current; // what the settings hold (tests wait on it)
  }

  /** Keeps the input's text as the draft of conversation `id` (the open one unless said). */
  private saveDraft(id = this.state.conversationId): void {
    if (id) {
      if (this.els.input.value) this.drafts[id] = this.els.input.value;
      else delete this.drafts[id];
    }
    vscode.setState({ drafts: this.drafts });
  }

  /** Another conversation opened: the input leaves its draft with the one left (`from`), and takes up this one's. */
  private switchDraft(from: string): void {
    const id = this.state.conversationId;
    if (id === from) return;
    const first = from === '';
    const { input } = this.els;
    this.saveDraft(from);
    // Text typed before the host answered stays; an older draft (one saved before drafts had owners) fills an empty input.
    if (first && input.value) return this.saveDraft();
    input.value = this.drafts[id] ?? (first ? this.saved.draft ?? '' : '');
    input.dispatchEvent(new Event('input'));
  }

  private setNote(text: string, kind = ''): void {
    this.els.note.textContent = text;
    this.els.note.dataset.kind = kind;
  }

  private submit(): void {
    const text = this.els.input.value;
    if (!text.trim()) {
      if (attachments.hasPending()) this.setNote('Say what to do with what you attached, then send.');
      return;
    }
    // An unknown /command is not sent: it stays in the input, and the view says which there are.
    const refused = slash.refusal(text);
    if (refused) {
      this.setNote(refused, 'refusal');
      announce(refused);
      return;
    }
    // While Qwen answers, the host queues it and sends it when the answer ends: the queue above
    // the input says so, the composer's row stays as it is.
    this.setNote('');
    post({ type: 'send', text });
    this.els.input.value = '';
    this.saveDraft();
  }

  private showBusy(): void {
    const { busy } = this.state;
    if (!busy) this.setNote('');
    this.els.input.placeholder = busy ? 'A follow-up is sent when this answer ends' : 'Ask Qwen… (/ for commands, # to attach)';
    this.els.stop.hidden = !busy;
    this.els.send.hidden = busy;
  }

  /** Follow-ups waiting for the answer to end, each with Cancel (its text comes back to the input). */
  private renderQueue(): void {
    const { queue } = this.els;
    queue.replaceChildren();
    for (const q of this.state.queue) {
      const li = document.createElement('li');
      li.className = 'queued';
      li.dataset.queueId = q.id;
      li.dataset.testid = 'queued';
      const t = document.createElement('span');
      t.className = 'queued-text';
      t.textContent = `Queued: ${q.text.length > 120 ? `${q.text.slice(0, 117)}…` : q.text}`;
      t.title = q.text;
      // Held after Stop: it waits for the user to send it (or the next message, which takes it along).
      if (!this.state.busy) li.append(iconButton('send', 'resume-queue', 'Send now'));
      const cancel = iconButton('close', 'cancel-queued', 'Cancel: take it back into the input');
      cancel.setAttribute('aria-label', `Cancel the queued message: ${q.text.slice(0, 60)}`);
      li.prepend(t);
      li.append(cancel);
      queue.append(li);
    }
    queue.hidden = this.state.queue.length === 0;
  }
}
