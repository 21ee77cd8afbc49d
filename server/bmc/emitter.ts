/**
 * A change notification a part of the BMC emits: its listeners (the persistence module,
 * a bus, another part) learn of the change after the part made it.
 */
export class Emitter<T> {
  private readonly listeners = new Set<(value: T) => void>();

  /** Adds a listener; the returned function removes it. */
  on(listener: (value: T) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /**
   * Calls every listener, in the order they were added. A listener that throws does not
   * keep the others from hearing of the change (it has happened); the first error is
   * thrown again once all of them ran.
   */
  emit(value: T): void {
    let failure: { error: unknown } | undefined;
    for (const listener of [...this.listeners]) {
      try {
        listener(value);
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure) throw failure.error;
  }
}
