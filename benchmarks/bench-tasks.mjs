// Trivial task functions for the scheduler benchmarks; workers import this module.
export function inc(x) {
  return x + 1;
}
export function addAll(xs) {
  let s = 0;
  for (const x of xs) s += x;
  return s;
}
