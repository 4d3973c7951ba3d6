/**
 * Strings in code-point order (as Python and pandas compare them). JS `<` compares UTF-16 code units,
 * which puts characters above U+FFFF (surrogate pairs) before U+E000..U+FFFF; code-point order puts
 * them after. Kernels compare dictionary entries once and then compare integer ranks per row.
 */

/** Code-point order of a UTF-16 code unit at a first difference: surrogates after U+E000..U+FFFF. */
function fixup(c: number): number {
  return c >= 0xe000 ? c - 0x800 : c + 0x2000;
}

/** Negative, zero or positive as `a` sorts before, with or after `b` in code-point order. */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x !== y) {
      // Only when both units are at or above U+D800 can the two orders disagree.
      if (x >= 0xd800 && y >= 0xd800) {
        x = fixup(x);
        y = fixup(y);
      }
      return x - y;
    }
  }
  return a.length - b.length;
}

/**
 * Ranks of the entries of several dictionaries in one order: equal strings get equal ranks, and
 * rank order is code-point order (unless `ordered` is false: then ranks only tell equal from unequal,
 * which needs no sort). Returns one Int32Array of ranks per dictionary.
 */
export function unionRanks(dicts: readonly (readonly string[])[], ordered = true): Int32Array[] {
  const index = new Map<string, number>();
  const uniq: string[] = [];
  for (const d of dicts) {
    for (const s of d) {
      if (!index.has(s)) {
        index.set(s, uniq.length);
        uniq.push(s);
      }
    }
  }
  const rankOf = new Int32Array(uniq.length);
  if (ordered) {
    const order = uniq.map((_, i) => i).sort((i, j) => compareCodePoints(uniq[i]!, uniq[j]!));
    order.forEach((u, r) => (rankOf[u] = r));
  } else for (let u = 0; u < rankOf.length; u++) rankOf[u] = u;
  return dicts.map((d) => {
    const r = new Int32Array(d.length);
    for (let j = 0; j < d.length; j++) r[j] = rankOf[index.get(d[j]!)!]!;
    return r;
  });
}
