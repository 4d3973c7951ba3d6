/**
 * Bounded logs of the scheduler: transitions (stored column-wise so that recording one costs no
 * allocation) and other events (a plain ring of objects).
 */
import type { TaskStateName } from "./task-state.js";

/** One executed transition. */
export interface TransitionRecord {
  key: string;
  start: TaskStateName;
  finish: TaskStateName;
  stimulus: string;
  time: number;
}

const STATE_NAMES: readonly TaskStateName[] = [
  "released",
  "waiting",
  "queued",
  "no-worker",
  "processing",
  "memory",
  "erred",
  "forgotten",
];
const STATE_CODES = new Map<TaskStateName, number>(STATE_NAMES.map((s, i) => [s, i]));

/** Ring buffer of transitions; the oldest records are overwritten once `capacity` is reached. */
export class TransitionLog {
  private readonly keys: string[] = [];
  private readonly stimuli: string[] = [];
  private readonly starts: Uint8Array;
  private readonly finishes: Uint8Array;
  private readonly times: Float64Array;
  /** Index of the next write. */
  private head = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`transitionLogLength must be a positive integer; got ${capacity}`);
    }
    this.starts = new Uint8Array(capacity);
    this.finishes = new Uint8Array(capacity);
    this.times = new Float64Array(capacity);
  }

  /** Number of records held. */
  get size(): number {
    return this.count;
  }

  /** Appends one record. */
  record(key: string, start: TaskStateName, finish: TaskStateName, stimulus: string, time: number): void {
    const i = this.head;
    this.keys[i] = key;
    this.stimuli[i] = stimulus;
    this.starts[i] = STATE_CODES.get(start)!;
    this.finishes[i] = STATE_CODES.get(finish)!;
    this.times[i] = time;
    this.head = i + 1 === this.capacity ? 0 : i + 1;
    if (this.count < this.capacity) this.count++;
  }

  /** All records, oldest first, optionally only those of one key. */
  toArray(key?: string): TransitionRecord[] {
    const out: TransitionRecord[] = [];
    const first = this.count < this.capacity ? 0 : this.head;
    for (let n = 0; n < this.count; n++) {
      const i = (first + n) % this.capacity;
      const k = this.keys[i]!;
      if (key !== undefined && k !== key) continue;
      out.push({
        key: k,
        start: STATE_NAMES[this.starts[i]!]!,
        finish: STATE_NAMES[this.finishes[i]!]!,
        stimulus: this.stimuli[i]!,
        time: this.times[i]!,
      });
    }
    return out;
  }
}

/** A bounded ring of arbitrary items, oldest first. */
export class RingBuffer<T> {
  private readonly items: T[] = [];
  private head = 0;

  constructor(readonly capacity: number) {}

  /** Appends an item, dropping the oldest when full. */
  push(item: T): void {
    if (this.items.length < this.capacity) {
      this.items.push(item);
      return;
    }
    this.items[this.head] = item;
    this.head = (this.head + 1) % this.capacity;
  }

  /** The items, oldest first. */
  toArray(): T[] {
    return this.items.slice(this.head).concat(this.items.slice(0, this.head));
  }
}
