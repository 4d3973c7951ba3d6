// Task functions of the scheduler benchmarks (local and distributed); workers import this module through
// fromModule() references (benchmarks/lib/task-graphs.mjs), so it holds only plain exported functions.

/** x + 1: the trivial task of the map, chain and tree workloads. */
export function inc(x) {
  return x + 1;
}

/** The sum of a list of numbers: the inner nodes of the tree reduction. */
export function addAll(xs) {
  let s = 0;
  for (const x of xs) s += x;
  return s;
}

/** A Float64Array of n elements (filled, so the pages are really touched): the payload of the transfer workload. */
export function makeArray(n) {
  const a = new Float64Array(n);
  a.fill(1.5);
  return a;
}

/** The length of an array-like: the consumer on the other worker, which must receive the whole input first. */
export function lengthOf(a) {
  return a.length;
}
