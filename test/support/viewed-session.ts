/**
 * A chat session with the sidebar's presenter attached, for the tests that check what the view
 * is sent: `post` gets the webview's messages exactly as the real view would.
 */
import { ChatSession, type SessionDeps } from '../../src/chat/session';
import { ChatPresenter } from '../../src/extension/chatView/presenter';
import type { HostToWebview } from '../../src/protocol';

const presenters = new WeakMap<ChatSession, ChatPresenter>();

export function viewedSession(deps: SessionDeps & { post: (m: HostToWebview) => void }): ChatSession {
  const { post, ...rest } = deps;
  const session = new ChatSession(rest);
  presenters.set(session, new ChatPresenter(session, post));
  return session;
}

/** The presenter of a session made by viewedSession. */
export function presenterOf(session: ChatSession): ChatPresenter {
  const p = presenters.get(session);
  if (!p) throw new Error('not a viewed session');
  return p;
}
