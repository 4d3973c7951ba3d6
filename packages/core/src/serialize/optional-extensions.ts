/**
 * Extensions for optional, expensive-to-load libraries: Arrow tables.
 *
 * `import("apache-arrow")` costs ~87 ms, which every worker thread and process would pay at
 * startup if the codec imported it statically. So the codec only knows how to *recognize* a
 * table (and to say what to do about it), and `loadOptionalExtensions()` loads Arrow and
 * registers the real extension, once, when a process is about to handle dataframes.
 */
import type * as Arrow from "apache-arrow";
import { SerializationError } from "../errors.js";
import { registerTypeExtension, type TypeExtension } from "./extensions.js";
import { decodeTable, encodeTable, type EncodedTable } from "./arrow-structural.js";

/** The name Arrow tables travel under. */
export const ARROW_TABLE = "arrow.Table";

let arrowTable: typeof Arrow.Table | undefined;

/**
 * A Table from any copy of apache-arrow: instanceof the loaded class, or a value that looks
 * like one (a user's own import may resolve to another copy or version of the package).
 */
function isArrowTable(v: unknown): v is Arrow.Table {
  if (arrowTable !== undefined && v instanceof arrowTable) return true;
  const t = v as { constructor?: { name?: unknown }; schema?: unknown; batches?: unknown };
  return t.constructor?.name === "Table" && typeof t.schema === "object" && t.schema !== null && Array.isArray(t.batches);
}

function notLoaded(): never {
  throw new SerializationError(
    `An Arrow table needs the Arrow type extension, which is not loaded in this process. ` +
      `Call \`await loadOptionalExtensions()\` (from "@dask-ts/core/serialize/codec") once at startup, ` +
      `in every process that sends or receives tables; it loads apache-arrow, which must be installed.`,
  );
}

/** Registered up front, so that a table met too early fails with a message that says what to do. */
const arrowPlaceholder: TypeExtension<Arrow.Table, Uint8Array> = {
  name: ARROW_TABLE,
  test: isArrowTable,
  encode: notLoaded,
  decode: notLoaded,
};
registerTypeExtension(arrowPlaceholder);

let loading: Promise<void> | undefined;

/**
 * Loads optional libraries that are present (apache-arrow) and registers their extensions
 * (Arrow tables travel as their column buffers, see arrow-structural.ts). Safe to call many times: the work is done once.
 * A library that is not installed is skipped; meeting its values later throws a clear error.
 */
export function loadOptionalExtensions(): Promise<void> {
  loading ??= (async () => {
    let arrow: typeof Arrow;
    try {
      arrow = await import("apache-arrow");
    } catch {
      return; // Not installed: the placeholder keeps explaining what is missing.
    }
    arrowTable = arrow.Table;
    registerTypeExtension<Arrow.Table, EncodedTable>({
      name: ARROW_TABLE,
      test: isArrowTable,
      encode: (t) => encodeTable(t, arrow),
      decode: (e) => decodeTable(e, arrow),
    });
  })();
  return loading;
}
