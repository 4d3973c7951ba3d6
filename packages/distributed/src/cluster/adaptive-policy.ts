/** The decision half of adaptive scaling (Dask's AdaptiveCore.safe_target and recommendations), pure. */

/** What to do this round: nothing, grow to `n` workers, or retire these workers. */
export type Recommendation = { status: "same" } | { status: "up"; n: number } | { status: "down"; workers: string[] };

/** Clamps a target to [minimum, maximum] (Dask's safe_target). */
export function clampTarget(target: number, minimum: number, maximum: number): number {
  return Math.max(minimum, Math.min(maximum, target));
}

/**
 * Turns targets into recommendations with hysteresis: growing happens at once, but a worker is only
 * retired once it was chosen for closing `waitCount` rounds in a row (any round that does not choose it, or
 * that wants as many or more workers, starts its count over).
 */
export class ScalingPolicy {
  private readonly closeCounts = new Map<string, number>();

  constructor(readonly waitCount: number) {
    if (!Number.isInteger(waitCount) || waitCount < 1) throw new RangeError(`waitCount must be a positive integer; got ${waitCount}`);
  }

  /**
   * One round. `plan` are the workers the cluster has or is starting, `notYetArrived` those of them not yet
   * registered with the scheduler (closed first: they hold nothing), and `workersToClose(target)` asks the
   * scheduler which registered workers to close to get down to `target`.
   */
  recommend(
    target: number,
    plan: readonly string[],
    notYetArrived: readonly string[],
    workersToClose: (target: number) => readonly string[],
  ): Recommendation {
    if (target === plan.length) {
      this.closeCounts.clear();
      return { status: "same" };
    }
    if (target > plan.length) {
      this.closeCounts.clear();
      return { status: "up", n: target };
    }
    const toClose = new Set<string>(notYetArrived.slice(0, plan.length - target));
    if (target < plan.length - toClose.size) for (const w of workersToClose(target)) toClose.add(w);
    const firm: string[] = [];
    for (const w of toClose) {
      const c = (this.closeCounts.get(w) ?? 0) + 1;
      this.closeCounts.set(w, c);
      if (c >= this.waitCount) firm.push(w);
    }
    for (const w of [...this.closeCounts.keys()]) {
      if (!toClose.has(w) || firm.includes(w)) this.closeCounts.delete(w);
    }
    return firm.length > 0 ? { status: "down", workers: firm } : { status: "same" };
  }

  /** How many rounds in a row each worker has been chosen for closing (for tests and logs). */
  counts(): ReadonlyMap<string, number> {
    return this.closeCounts;
  }
}
