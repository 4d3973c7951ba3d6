/**
 * Paths, globs and lists of them to a list of files (Node 20 has no fs.globSync). A pattern may use
 * `*`, `?` and `[abc]` / `[!abc]` in any path component (not across `/`); matches are sorted, as
 * Dask's fsspec glob sorts them.
 */
import { readdirSync, statSync } from "node:fs";
import { isAbsolute, join, sep as pathSep } from "node:path";
import { FileNotFoundError, InvalidArgumentError } from "../errors.js";

function hasMagic(s: string): boolean {
  return /[*?[]/.test(s);
}

function componentRegex(c: string): RegExp {
  let re = "";
  for (let i = 0; i < c.length; i++) {
    const ch = c[i]!;
    if (ch === "*") re += "[^/]*";
    else if (ch === "?") re += "[^/]";
    else if (ch === "[") {
      const close = c.indexOf("]", i + 2);
      if (close < 0) { re += "\\["; continue; }
      let body = c.slice(i + 1, close);
      const neg = body.startsWith("!") || body.startsWith("^");
      if (neg) body = body.slice(1);
      re += `[${neg ? "^" : ""}${body.replace(/[\\\]]/g, "\\$&")}]`;
      i = close;
    } else re += ch.replace(/[.+^${}()|\\]/g, "\\$&");
  }
  // Like shells, a wildcard does not match a leading dot.
  return new RegExp(`^${c.startsWith(".") ? "" : "(?!\\.)"}${re}$`);
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Files matching one glob pattern, sorted. */
export function globSync(pattern: string): string[] {
  const parts = pattern.split(/[\\/]/);
  const abs = isAbsolute(pattern);
  let bases: string[] = [abs ? (pattern.startsWith("/") ? "/" : parts[0]! + pathSep) : ""];
  const from = abs ? 1 : 0;
  for (let k = from; k < parts.length; k++) {
    const part = parts[k]!;
    const last = k === parts.length - 1;
    const next: string[] = [];
    for (const b of bases) {
      if (part === "" || part === ".") { next.push(b); continue; }
      if (!hasMagic(part)) {
        const p = b === "" ? part : join(b, part);
        if (last ? isFile(p) : isDir(p)) next.push(p);
        continue;
      }
      const re = componentRegex(part);
      let entries: string[];
      try {
        entries = readdirSync(b === "" ? "." : b);
      } catch {
        continue;
      }
      for (const e of entries.sort()) {
        if (!re.test(e)) continue;
        const p = b === "" ? e : join(b, e);
        if (last ? isFile(p) : isDir(p)) next.push(p);
      }
    }
    bases = next;
  }
  return bases.sort();
}

/**
 * The files of a path, glob or list of them: globs sorted, lists in the given order. `caller` and `ext`
 * name the API and its usual file extension in error messages (e.g. "readCsv", "csv").
 */
export function expandPaths(path: string | readonly string[], caller = "read", ext = "csv"): string[] {
  const list = typeof path === "string" ? [path] : path;
  if (!Array.isArray(list) || list.length === 0 || list.some((p) => typeof p !== "string" || p === "")) {
    throw new InvalidArgumentError(`${caller}: expected a path, a glob ("data/*.${ext}") or a non-empty list of them; got ${JSON.stringify(path)}.`);
  }
  const out: string[] = [];
  for (const p of list) {
    if (hasMagic(p) && !isFile(p)) {
      const found = globSync(p);
      if (found.length === 0) throw new FileNotFoundError(`${caller}: no file matches the pattern '${p}'. Check the directory and the pattern (wildcards: *, ?, [abc]).`);
      out.push(...found);
    } else {
      if (!isFile(p)) {
        throw new FileNotFoundError(isDir(p) ? `${caller}: '${p}' is a directory; pass a file or a glob such as '${join(p, `*.${ext}`)}'.` : `${caller}: file not found: '${p}'.`);
      }
      out.push(p);
    }
  }
  return out;
}
