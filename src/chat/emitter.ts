/**
 * A typed event of the chat core, in VS Code's shape (`onDidX(listener) -> { dispose }`) without
 * VS Code. Kept by hand: Node's EventEmitter is untyped per event and its listeners outlive a dispose.
 */
export interface Disposable {
  dispose(): void;
}

export type Event<T> = (listener: (e: T) => void) => Disposable;

export class Emitter<T> {
  private readonly listeners = new Set<(e: T) => void>();

  readonly event: Event<T> = (listener) => {
    this.listeners.add(listener);
    return { dispose: () => void this.listeners.delete(listener) };
  };

  fire(e: T): void {
    for (const l of [...this.listeners]) l(e);
  }
}
