/**
 * Identical concurrent work done once: the first caller of a key starts it, callers arriving before it settles
 * join it. Nothing is kept after it settles — this merges requests in flight, it is not a cache.
 */
export class InFlight<T> {
  private readonly running = new Map<string, { promise: Promise<T>; joiners: string[] }>();

  /**
   * Runs `work` for `key` unless the same key is already running. `onSettled` sees everyone who shared the
   * result (the starter first), so merges stay traceable per request.
   */
  run(key: string, who: string, work: () => Promise<T>, onSettled?: (callers: string[]) => void): Promise<T> {
    const current = this.running.get(key);
    if (current) {
      current.joiners.push(who);
      return current.promise;
    }
    const entry = { joiners: [who], promise: undefined as unknown as Promise<T> };
    entry.promise = work().finally(() => {
      this.running.delete(key);
      onSettled?.(entry.joiners);
    });
    this.running.set(key, entry);
    return entry.promise;
  }

  has(key: string): boolean {
    return this.running.has(key);
  }
}
