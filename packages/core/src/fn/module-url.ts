/** Normalizes the module locations that function references and worker start-up lists carry. */
import { isAbsolute } from "node:path";
import { pathToFileURL } from "node:url";
import { InvalidArgumentError } from "../errors.js";

// Schemes a worker's `import()` can load without knowing where the reference was made.
const LOADABLE = new Set(["file:", "data:", "node:"]);

/**
 * Returns an absolute module URL (file:, data: or node:) for a URL or an absolute path.
 * Relative paths and package names are rejected: a worker would resolve them against its own location.
 */
export function toModuleUrl(location: string | URL, caller: string): string {
  if (location instanceof URL) location = location.href;
  if (typeof location !== "string" || location === "") {
    throw new InvalidArgumentError(
      `${caller}: expected a module URL (import.meta.url) or an absolute file path, got ${describeValue(location)}.`,
    );
  }
  if (isAbsolute(location)) return pathToFileURL(location).href;
  let url: URL | undefined;
  try {
    url = new URL(location);
  } catch {
    url = undefined;
  }
  if (!url || !LOADABLE.has(url.protocol)) {
    throw new InvalidArgumentError(
      `${caller}: '${location}' is not an absolute module location. Pass import.meta.url, a file: URL or an ` +
        `absolute path; for a package, pass import.meta.resolve("${location}") so workers load the same file.`,
    );
  }
  return url.href;
}

/** A short description of a value for error messages. */
export function describeValue(v: unknown): string {
  if (v === null) return "null";
  if (typeof v === "string") return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
  if (typeof v === "function") return `function ${v.name || "(anonymous)"}`;
  if (typeof v === "object") return (v.constructor as { name?: string } | undefined)?.name ?? "object";
  return `${typeof v} ${String(v)}`;
}
