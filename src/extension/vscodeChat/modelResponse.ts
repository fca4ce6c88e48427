/**
 * The language model provider's way from the Space's events to VS Code's response parts, without
 * vscode: text and reasoning paced by the TextBatcher, tool calls parsed out of the paced text
 * (so a call comes in order with the text around it), reasoning as thinking parts where VS Code
 * has them (closed with a done marker when the answer starts, as Copilot's own providers do) and
 * dropped where it does not. languageModels.ts turns these parts into VS Code's classes.
 */
import { type ToolCall, ToolCallParser, type ToolStreamPart } from '../../provider/toolCalls';
import type { ProviderEvent } from '../../provider/types';
import { type BatcherOptions, TextBatcher } from '../../chat/textBatcher';

export type ResponsePart =
  | { kind: 'text'; text: string }
  /** Reasoning; `done` closes the thinking block (its text is empty). */
  | { kind: 'thinking'; text: string; done?: true }
  /** A tool call; `id` where the endpoint gave one (native tool calling). */
  | { kind: 'call'; call: ToolCall; id?: string };

export interface ModelResponseOptions extends BatcherOptions {
  /** Tools were offered: `<tool_call>` blocks in the answer become calls. */
  tools: boolean;
  /** VS Code takes thinking parts; without them reasoning is dropped. */
  thinking: boolean;
}

export class ModelResponse {
  private parser: ToolCallParser | undefined;
  private readonly batcher: TextBatcher;
  private thinkingOpen = false;

  constructor(
    private readonly report: (part: ResponsePart) => void,
    o: ModelResponseOptions,
  ) {
    this.parser = o.tools ? new ToolCallParser() : undefined;
    this.batcher = new TextBatcher(
      {
        text: (t) => this.text(t),
        ...(o.thinking
          ? {
              thinking: (t: string) => {
                this.thinkingOpen = true;
                this.report({ kind: 'thinking', text: t });
              },
            }
          : {}),
        restart: (note) => {
          this.endParser();
          this.parser = o.tools ? new ToolCallParser() : undefined;
          this.text(note);
        },
      },
      o,
    );
  }

  get batches(): number {
    return this.batcher.updates;
  }

  event(ev: ProviderEvent): void {
    if (ev.type === 'text') this.batcher.text(ev.delta);
    else if (ev.type === 'rewrite') this.batcher.rewrite(ev.text);
    else if (ev.type === 'reasoning') this.batcher.thinking(ev.delta);
    else if (ev.type === 'tool-call') {
      // A native call: the text before it goes out first, so the parts stay in order.
      this.batcher.flush();
      this.closeThinking();
      this.report({ kind: 'call', call: { name: ev.call.name, arguments: ev.call.arguments }, id: ev.call.id });
    }
  }

  /** Lets out what waits (Stop): nothing is held back. */
  flush(): void {
    this.batcher.flush();
  }

  /** The end of the answer: everything out, a call left open parsed if it can be. */
  end(): void {
    this.batcher.end();
    this.endParser();
    this.closeThinking();
  }

  private text(t: string): void {
    this.closeThinking();
    this.parts(this.parser ? this.parser.push(t) : [{ type: 'text', text: t }]);
  }

  private endParser(): void {
    if (this.parser) this.parts(this.parser.end());
  }

  private closeThinking(): void {
    if (!this.thinkingOpen) return;
    this.thinkingOpen = false;
    this.report({ kind: 'thinking', text: '', done: true });
  }

  private parts(parts: ToolStreamPart[]): void {
    for (const p of parts) {
      if (p.type === 'call') this.report({ kind: 'call', call: p.call });
      else if (p.text) this.report({ kind: 'text', text: p.text });
    }
  }
}
