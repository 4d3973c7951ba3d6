/** A binary min-heap of tasks by priority, with O(log n) removal of any member (queued tasks). */
import type { Priority } from "./task-state.js";

/** What the heap needs of its items: a priority and a slot for its own index. */
export interface HeapItem {
  readonly priority: Priority;
  heapIndex: number;
}

/** Lexicographic comparison of priorities: negative when a runs before b. */
export function comparePriority(a: Priority, b: Priority): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/** Min-heap keyed by priority; items remember their index so they can be removed in O(log n). */
export class PriorityHeap<T extends HeapItem> {
  private readonly items: T[] = [];

  /** Number of items. */
  get size(): number {
    return this.items.length;
  }

  /** The item that runs first, without removing it. */
  peek(): T | undefined {
    return this.items[0];
  }

  /** True when the item is in this heap. */
  has(item: T): boolean {
    return item.heapIndex >= 0 && this.items[item.heapIndex] === item;
  }

  /** Adds an item (must not be in the heap already). */
  push(item: T): void {
    item.heapIndex = this.items.length;
    this.items.push(item);
    this.up(item.heapIndex);
  }

  /** Removes and returns the item that runs first. */
  pop(): T | undefined {
    const top = this.items[0];
    if (top !== undefined) this.remove(top);
    return top;
  }

  /** Removes an item; no-op when it is not in the heap. */
  remove(item: T): void {
    if (!this.has(item)) return;
    const i = item.heapIndex;
    const last = this.items.pop()!;
    item.heapIndex = -1;
    if (last === item) return;
    this.items[i] = last;
    last.heapIndex = i;
    this.down(i);
    this.up(last.heapIndex);
  }

  /** The items in heap (not priority) order; for validation and display. */
  values(): readonly T[] {
    return this.items;
  }

  private up(i: number): void {
    const items = this.items;
    const item = items[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = items[p]!;
      if (comparePriority(item.priority, parent.priority) >= 0) break;
      items[i] = parent;
      parent.heapIndex = i;
      i = p;
    }
    items[i] = item;
    item.heapIndex = i;
  }

  private down(i: number): void {
    const items = this.items;
    const n = items.length;
    const item = items[i]!;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && comparePriority(items[c + 1]!.priority, items[c]!.priority) < 0) c++;
      const child = items[c]!;
      if (comparePriority(child.priority, item.priority) >= 0) break;
      items[i] = child;
      child.heapIndex = i;
      i = c;
    }
    items[i] = item;
    item.heapIndex = i;
  }
}
