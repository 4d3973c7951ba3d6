/**
 * What a CSV field means as a value of each column type, on JS strings: used for type inference on the
 * sample and on the parser's slow path (quoted fields, exponents, long numbers, missing markers).
 * The parser's fast paths must agree with these functions exactly (tests compare them).
 */

const INT_RE = /^[+-]?[0-9]+$/;
const FLOAT_RE = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
const INF_RE = /^([+-]?)(?:inf|infinity)$/i;

/** ASCII spaces and tabs around a number are ignored, as pandas' C parser does. */
function trimSpaces(s: string): string {
  return s.length > 0 && (s.charCodeAt(0) <= 32 || s.charCodeAt(s.length - 1) <= 32) ? s.replace(/^[ \t]+|[ \t]+$/g, "") : s;
}

/** The integer a field spells (as a bigint), or undefined. */
export function parseIntText(s: string): bigint | undefined {
  const t = trimSpaces(s);
  return INT_RE.test(t) ? BigInt(t) : undefined;
}

/** The float a field spells (equal to JS Number() of it; "inf", "-Infinity" in any case), or undefined. */
export function parseFloatText(s: string): number | undefined {
  const t = trimSpaces(s);
  if (FLOAT_RE.test(t)) return Number(t);
  const m = INF_RE.exec(t);
  if (m) return m[1] === "-" ? -Infinity : Infinity;
  return undefined;
}

/** true/false (as pandas: true, True, TRUE, false, False, FALSE), or undefined. */
export function parseBoolText(s: string): boolean | undefined {
  switch (trimSpaces(s)) {
    case "true": case "True": case "TRUE": return true;
    case "false": case "False": case "FALSE": return false;
    default: return undefined;
  }
}

const INT32_MIN = -2147483648n;
const INT32_MAX = 2147483647n;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** True when an integer fits int32. */
export function fitsInt32(v: bigint): boolean {
  return v >= INT32_MIN && v <= INT32_MAX;
}

/** True when an integer fits int64. */
export function fitsInt64(v: bigint): boolean {
  return v >= INT64_MIN && v <= INT64_MAX;
}

const DATE_RE = /^([+-]?\d{4,6})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/;

function daysInMonth(y: number, m: number): number {
  return m === 2 ? (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28) : [31, 0, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;
}

/**
 * Epoch milliseconds of an ISO 8601 date or date-time ("2024-01-31", "2024-01-31 12:00:05.25",
 * "2024-01-31T12:00Z", "...+02:00"); times without an offset are UTC (pandas' naive datetimes).
 * Fractions beyond milliseconds are truncated. Undefined when the text is not such a date.
 */
export function parseDateText(s: string): number | undefined {
  const m = DATE_RE.exec(trimSpaces(s));
  if (!m) return undefined;
  const y = Number(m[1]), mo = Number(m[2]), d = Number(m[3]);
  const h = m[4] === undefined ? 0 : Number(m[4]);
  const mi = m[5] === undefined ? 0 : Number(m[5]);
  const sec = m[6] === undefined ? 0 : Number(m[6]);
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || sec > 59) return undefined;
  const ms = m[7] === undefined ? 0 : Number((m[7] + "00").slice(0, 3));
  // Date.UTC maps years 0-99 to 1900-1999: set the year separately (from leap year 2000, so Feb 29 exists).
  let t = Date.UTC(2000, mo - 1, d, h, mi, sec, ms);
  const dt = new Date(t);
  dt.setUTCFullYear(y);
  t = dt.getTime();
  const tz = m[8];
  if (tz !== undefined && tz !== "Z") {
    const sign = tz[0] === "-" ? -1 : 1;
    const digits = tz.slice(1).replace(":", "");
    const oh = Number(digits.slice(0, 2));
    const om = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
    if (oh > 23 || om > 59) return undefined;
    t -= sign * (oh * 60 + om) * 60_000;
  }
  return t;
}
