/** Reference counts per key, with releases batched per event-loop turn (Dask's Client refcount / _dec_ref). */

/** Counts the Futures (and internal holders) of each key; calls `release` with the keys whose count reached zero. */
export class KeyRefs {
  private readonly counts = new Map<string, number>();
  private readonly releasing = new Set<string>();
  private scheduled = false;

  constructor(private readonly release: (keys: string[]) => void) {}

  /** One more holder of `key`. A release not yet sent is withdrawn (it would otherwise arrive after the new want). */
  incref(key: string): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    this.releasing.delete(key);
  }

  /** One holder fewer; at zero the key is released at the end of this event-loop turn. */
  decref(key: string): void {
    const n = (this.counts.get(key) ?? 0) - 1;
    if (n > 0) {
      this.counts.set(key, n);
      return;
    }
    this.counts.delete(key);
    this.releasing.add(key);
    if (!this.scheduled) {
      this.scheduled = true;
      // Releases of one turn (a dropped list of 1,000 futures) leave as one message.
      setImmediate(() => this.flush());
    }
  }

  /** True while some holder of `key` remains. */
  has(key: string): boolean {
    return this.counts.has(key);
  }

  private flush(): void {
    this.scheduled = false;
    const keys = [...this.releasing].filter((k) => !this.counts.has(k));
    this.releasing.clear();
    if (keys.length) this.release(keys);
  }
}
