/** A binary min-heap of task indices ordered by a priority array (lower first). */
export class PriorityQueue {
  private heap: number[] = [];
  constructor(private readonly priority: Int32Array) {}

  get size(): number {
    return this.heap.length;
  }

  push(i: number): void {
    const h = this.heap;
    const p = this.priority;
    let c = h.length;
    h.push(i);
    while (c > 0) {
      const parent = (c - 1) >> 1;
      if (p[h[parent]!]! <= p[i]!) break;
      h[c] = h[parent]!;
      c = parent;
    }
    h[c] = i;
  }

  /** The index with the lowest priority value, without removing it; -1 when empty. */
  peek(): number {
    return this.heap.length ? this.heap[0]! : -1;
  }

  pop(): number {
    const h = this.heap;
    const p = this.priority;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length) {
      let c = 0;
      const n = h.length;
      for (;;) {
        let m = 2 * c + 1;
        if (m >= n) break;
        if (m + 1 < n && p[h[m + 1]!]! < p[h[m]!]!) m++;
        if (p[h[m]!]! >= p[last]!) break;
        h[c] = h[m]!;
        c = m;
      }
      h[c] = last;
    }
    return top;
  }
}
