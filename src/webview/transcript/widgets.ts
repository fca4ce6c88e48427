/**
 * The small pieces a turn is drawn from, each made from what it shows and nothing else: what
 * was attached to a message, the version switch, an answer's meta line, an error with its way
 * out, and the box that edits a sent message.
 */
import type { ErrorView, TurnView } from '../../protocol';
import { button, count, el, iconButton } from '../controls';

/** What was attached to a sent message: each opens in the editor (or, when gone, what was sent). */
export function sentAttachments(context: NonNullable<TurnView['context']>): HTMLElement {
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

/** "‹ 2/3 ›": which version of a turn is shown, and the way to the others (not while an answer streams). */
export function versionSwitch(ver: { index: number; count: number }, busy: boolean): HTMLElement {
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
export function answerMeta(v: TurnView): string {
  if (v.role !== 'assistant' || v.state === 'streaming' || !v.startedAt || !v.endedAt) return '';
  const d = new Date(v.startedAt);
  const today = new Date().toDateString() === d.toDateString();
  const when = today ? d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : d.toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' });
  const secs = (v.endedAt - v.startedAt) / 1000;
  return `${when} · ${count(v.text.length)} characters · ${secs < 10 ? secs.toFixed(1) : Math.round(secs)} s`;
}

export function errorBox(e: ErrorView): HTMLElement {
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

/** Editing a sent message: its text in a box, Send (Enter) and Cancel (Escape). */
export function editBox(text: string, send: (text: string) => void, cancel: () => void): { area: HTMLTextAreaElement; buttons: HTMLButtonElement[] } {
  const area = document.createElement('textarea');
  area.className = 'edit-input';
  area.value = text;
  area.rows = Math.min(12, text.split('\n').length + 1);
  area.setAttribute('aria-label', 'Edit your message');
  area.dataset.testid = 'edit-input';
  const save = button('Send', 'edit-send', 'Send the edited message (Enter)');
  const stop = button('Cancel', 'edit-cancel', 'Keep the message as it was (Escape)');
  const go = () => {
    if (area.value.trim()) send(area.value);
  };
  area.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      go();
    } else if (e.key === 'Escape') {
      e.stopPropagation();
      cancel();
    }
  });
  save.addEventListener('click', go);
  stop.addEventListener('click', cancel);
  return { area, buttons: [save, stop] };
}
