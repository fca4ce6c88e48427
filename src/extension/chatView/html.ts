/**
 * The chat view's HTML: a strict Content-Security-Policy with a fresh nonce per load, no inline
 * script or style, scripts and styles only from the extension's own dist/ and media/, images
 * only after the user asks (https: and data: are allowed for that click, nothing else). KaTeX
 * (dist/katex.js) is loaded by the view's own script when an answer holds math, with its nonce.
 */
import { randomBytes } from 'node:crypto';
import { TRASH_DAYS } from '../../protocol';

export function nonce(): string {
  return randomBytes(18).toString('base64').replace(/[^A-Za-z0-9]/g, '');
}

/** `codiconUri`: VS Code's icon font's stylesheet (dist/codicons/codicon.css), loaded before the view's own. */
export function chatHtml(o: { cspSource: string; scriptUri: string; styleUri: string; codiconUri?: string; katexUri?: string; nonce: string }): string {
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${o.nonce}'`,
    `style-src ${o.cspSource}`,
    `font-src ${o.cspSource}`,
    `img-src ${o.cspSource} data:`,
    "connect-src 'none'",
    "frame-src 'none'",
    "form-action 'none'",
    "base-uri 'none'",
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
${o.codiconUri ? `<link rel="stylesheet" href="${o.codiconUri}">\n` : ''}<link rel="stylesheet" href="${o.styleUri}">
<title>Qwen Chat</title>
</head>
<body>
<div id="app" class="app"${o.katexUri ? ` data-katex="${o.katexUri}"` : ''}>
  <div class="toolbar" role="toolbar" aria-label="Conversation">
    <button id="toggle-history" class="icon" type="button" data-testid="toggle-history" aria-expanded="false" aria-controls="history" aria-label="History" title="History: past conversations"><span class="codicon codicon-history" aria-hidden="true"></span></button>
    <span id="title" class="title" data-testid="conversation-title"></span>
  </div>
  <section id="history" class="history" data-testid="history" hidden aria-label="Past conversations">
    <div id="history-bar" class="history-bar">
      <label for="history-search" class="visually-hidden">Search conversations</label>
      <input id="history-search" class="history-search" data-testid="history-search" type="search" placeholder="Search titles and messages…">
    </div>
    <ul id="history-list" class="history-list"></ul>
    <details id="trash" class="trash" data-testid="trash" hidden>
      <summary id="trash-summary" data-testid="trash-summary">Trash</summary>
      <p class="note trash-note">Deleted conversations stay here for ${TRASH_DAYS} days.</p>
      <ul id="trash-list" class="history-list" aria-label="Deleted conversations"></ul>
    </details>
  </section>
  <main id="messages" class="messages" data-testid="messages" tabindex="0" aria-label="Conversation messages">
    <div id="empty" class="empty">Ask Qwen anything. Enter sends, Shift+Enter adds a line, Escape stops.</div>
  </main>
  <button id="jump" type="button" class="jump" data-testid="jump-to-latest" title="Jump to latest" hidden><span class="codicon codicon-arrow-down" aria-hidden="true"></span> Jump to latest</button>
  <ul id="queue" class="queue" data-testid="queue" aria-label="Queued messages, sent when the answer ends" hidden></ul>
  <form id="composer" class="composer" data-testid="composer">
    <ul id="context-options" class="context-options" role="listbox" aria-label="Attach to your message" data-testid="context-options" hidden></ul>
    <ul id="slash-options" class="context-options" role="listbox" aria-label="Commands" data-testid="slash-options" hidden></ul>
    <div class="composer-box">
      <div id="chips" class="chips" data-testid="chips" hidden>
        <ul id="chip-list" class="chip-list" aria-label="Attached to your next message"></ul>
        <span id="budget" class="budget" data-testid="budget"></span>
      </div>
      <label for="input" class="visually-hidden">Message to Qwen</label>
      <textarea id="input" data-testid="chat-input" rows="2" placeholder="Ask Qwen… (/ for commands, # to attach)" aria-describedby="composer-help" aria-autocomplete="list" aria-controls="context-options"></textarea>
      <span id="composer-help" class="visually-hidden">Enter sends. Shift+Enter adds a new line. Type / for a command about the editor selection, # to attach the selection or a file. Escape stops an answer.</span>
      <div class="composer-buttons">
        <button id="attach" class="icon" type="button" data-testid="attach" aria-label="Attach context" title="Attach the selection, an open file or any workspace file (or type # in your message)"><span class="codicon codicon-attach" aria-hidden="true"></span></button>
        <label for="model" class="visually-hidden">Model</label>
        <select id="model" class="model-picker" data-testid="model-picker" title="The model to ask"></select>
        <span class="composer-spacer"></span>
        <button id="send" class="icon primary" type="submit" data-testid="send" aria-label="Send" title="Send (Enter)"><span class="codicon codicon-send" aria-hidden="true"></span></button>
        <button id="stop" class="icon" type="button" data-testid="stop" aria-label="Stop" title="Stop (Escape)" hidden><span class="codicon codicon-debug-stop" aria-hidden="true"></span></button>
      </div>
    </div>
    <span id="composer-note" class="composer-note" role="status" data-testid="composer-note"></span>
  </form>
  <div id="announcer" class="visually-hidden" role="status" aria-live="polite" aria-atomic="true" data-testid="announcer"></div>
</div>
<script nonce="${o.nonce}" src="${o.scriptUri}"></script>
</body>
</html>`;
}
