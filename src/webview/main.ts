/**
 * The chat UI inside the webview. It knows only the message protocol: it renders what the host
 * sends and posts what the user does. Here it only starts: the state, the parts that draw it, and
 * the way each message from the host goes (docs/webview.md).
 */
import { assertNever, type HostToWebview } from '../protocol';
import * as attachments from './attachments';
import { Composer } from './composer';
import { Content } from './content';
import { post } from './controls';
import * as history from './history';
import { ChatState } from './state';
import { Transcript } from './transcript/list';

const state = new ChatState();
const content = new Content();
const composer = new Composer(state);
const transcript = new Transcript(state, content, () => composer.focus());

window.addEventListener('message', (event: MessageEvent<HostToWebview>) => {
  const m = event.data;
  const change = state.apply(m);
  switch (m.type) {
    case 'init':
      composer.update(change);
      history.setCurrent(m.conversation.id);
      transcript.update(change);
      history.render(m.history, m.trash);
      history.restoreFocus();
      transcript.restoreFocus();
      document.body.dataset.ready = 'true';
      return;
    case 'turn':
    case 'delta':
    case 'rewrite':
    case 'turnMeta':
    case 'status':
    case 'turnEnd':
      return transcript.update(change);
    case 'busy':
      composer.update(change);
      return transcript.update(change);
    case 'queue':
      return composer.update(change);
    case 'draft':
      return composer.addToInput(m.text);
    case 'focusInput':
      return composer.focus();
    case 'models':
      return composer.showModels(m);
    case 'image':
      return content.imageLoaded(m);
    case 'history':
      history.render(m.items, m.trash);
      return history.restoreFocus();
    case 'historyMatches':
      return history.showMatches(m.query, m.ids, m.snippets);
    case 'context':
      return attachments.showPending(m.items, m.budget);
    case 'contextOptions':
      return attachments.setOptions(m.options);
    default:
      assertNever(m);
  }
});

post({ type: 'ready' });
