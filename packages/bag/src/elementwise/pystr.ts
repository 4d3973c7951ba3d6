/**
 * Python `str` methods on JS strings (what Dask's `b.str` calls): split, strip, replace, startswith,
 * len and fnmatch-style matching, with Python's rules (whitespace set, maxsplit, code points).
 */

/**
 * Python's whitespace (Py_UNICODE_ISSPACE): \t\n\v\f\r, \x1c-\x1f, space, \x85, \xa0, \u1680,
 * \u2000-\u200a, \u2028, \u2029, \u202f, \u205f, \u3000. All in the BMP, so code units suffice.
 * Differs from JS `\s`, which lacks \x1c-\x1f and \x85 and has \ufeff.
 */
export function isPySpace(c: number): boolean {
  if (c <= 32) return c === 32 || (c >= 9 && c <= 13) || (c >= 28 && c <= 31);
  if (c < 0x85) return false;
  return c === 0x85 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000;
}

/** Pushes the words of `s.split(None, maxsplit)` onto `out`: runs of whitespace separate, no empty words. */
export function splitWhitespaceInto(s: string, maxsplit: number, out: string[]): void {
  const n = s.length;
  let i = 0;
  let count = 0;
  while (i < n) {
    let c = s.charCodeAt(i);
    // Hot loop: printable ASCII (33..126) is never whitespace, so test it before isPySpace.
    while ((c <= 32 || c >= 0x85) && isPySpace(c)) {
      if (++i === n) return;
      c = s.charCodeAt(i);
    }
    if (count === maxsplit) {
      // Python keeps the rest as is (trailing whitespace included) once maxsplit words are out.
      out.push(s.slice(i));
      return;
    }
    const start = i;
    i++;
    while (i < n) {
      c = s.charCodeAt(i);
      if ((c <= 32 || c >= 0x85) && isPySpace(c)) break;
      i++;
    }
    out.push(s.slice(start, i));
    count++;
  }
}

/** Pushes the pieces of `s.split(sep, maxsplit)` onto `out` (exact separator; empty pieces kept). */
export function splitSepInto(s: string, sep: string, maxsplit: number, out: string[]): void {
  let start = 0;
  let count = 0;
  while (count !== maxsplit) {
    const j = s.indexOf(sep, start);
    if (j < 0) break;
    out.push(s.slice(start, j));
    start = j + sep.length;
    count++;
  }
  out.push(s.slice(start));
}

/** Python's `s.split(sep?, maxsplit=-1)` (a negative maxsplit means no limit). */
export function pySplit(s: string, sep: string | null | undefined, maxsplit = -1): string[] {
  const out: string[] = [];
  if (sep === null || sep === undefined) splitWhitespaceInto(s, maxsplit < 0 ? -1 : maxsplit, out);
  else if (maxsplit < 0) return s.split(sep);
  else splitSepInto(s, sep, maxsplit, out);
  return out;
}

/** Python's strip/lstrip/rstrip: whitespace by default, else any code point of `chars`, from the chosen ends. */
export function pyStrip(s: string, chars: string | null | undefined, left: boolean, right: boolean): string {
  let a = 0;
  let b = s.length;
  if (chars === null || chars === undefined) {
    if (left) while (a < b && isPySpace(s.charCodeAt(a))) a++;
    if (right) while (b > a && isPySpace(s.charCodeAt(b - 1))) b--;
    return a === 0 && b === s.length ? s : s.slice(a, b);
  }
  const set = new Set<number>();
  for (const ch of chars) set.add(ch.codePointAt(0)!);
  if (left) {
    while (a < b) {
      const cp = s.codePointAt(a)!;
      if (!set.has(cp)) break;
      a += cp > 0xffff ? 2 : 1;
    }
  }
  if (right) {
    while (b > a) {
      const lo = s.charCodeAt(b - 1);
      // A low surrogate ends a pair: test the whole code point.
      const w = lo >= 0xdc00 && lo <= 0xdfff && b - 2 >= a && isHigh(s.charCodeAt(b - 2)) ? 2 : 1;
      if (!set.has(s.codePointAt(b - w)!)) break;
      b -= w;
    }
  }
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

function isHigh(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

/** Python's `s.replace(old, new, count=-1)`. */
export function pyReplace(s: string, old: string, repl: string, count = -1): string {
  if (count === 0) return s;
  if (old === "") {
    if (count < 0) count = Infinity;
    // Python inserts `new` before each of the first `count` code points (and at the end if room is left).
    const cps = Array.from(s);
    let out = "";
    let k = 0;
    for (; k < cps.length && k < count; k++) out += repl + cps[k]!;
    if (k < count) out += repl;
    return out + cps.slice(k).join("");
  }
  if (count < 0) return s.split(old).join(repl);
  let out = "";
  let start = 0;
  for (let k = 0; k < count; k++) {
    const j = s.indexOf(old, start);
    if (j < 0) break;
    out += s.slice(start, j) + repl;
    start = j + old.length;
  }
  return out + s.slice(start);
}

/** Python's `len(s)`: code points, not UTF-16 code units. */
export function pyLen(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (isHigh(c) && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) { n--; i++; }
    }
  }
  return n;
}

/** Python's startswith/endswith with a string or a list of alternatives. */
export function pyAffix(s: string, affix: string | readonly string[], end: boolean): boolean {
  if (typeof affix === "string") return end ? s.endsWith(affix) : s.startsWith(affix);
  for (const a of affix) if (end ? s.endsWith(a) : s.startsWith(a)) return true;
  return false;
}

/** A RegExp matching what Python's fnmatch.fnmatchcase matches: `*`, `?`, `[seq]`, `[!seq]`. */
export function fnmatchRegExp(pattern: string): RegExp {
  let re = "";
  const cps = Array.from(pattern);
  for (let i = 0; i < cps.length; i++) {
    const c = cps[i]!;
    if (c === "*") re += "[\\s\\S]*";
    else if (c === "?") re += "[\\s\\S]";
    else if (c === "[") {
      let j = i + 1;
      if (cps[j] === "!") j++;
      if (cps[j] === "]") j++;
      while (j < cps.length && cps[j] !== "]") j++;
      if (j >= cps.length) re += "\\[";
      else {
        let body = cps.slice(i + 1, j).join("");
        const negate = body.startsWith("!");
        if (negate) body = body.slice(1);
        body = body.replace(/\\/g, "\\\\").replace(/\^/g, "\\^").replace(/\[/g, "\\[");
        re += negate ? `[^${body}]` : `[${body}]`;
        i = j;
      }
    } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  }
  return new RegExp(`^(?:${re})$`, "u");
}
