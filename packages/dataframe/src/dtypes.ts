/** Column types (API.md ColType) and how they map to Arrow types. */
import * as A from "apache-arrow";

/** The logical type of a column. "string" may be stored dictionary-encoded; "category" always is. */
export type ColType = "float64" | "int32" | "int64" | "string" | "bool" | "category" | "date";

export const COL_TYPES: readonly ColType[] = ["float64", "int32", "int64", "string", "bool", "category", "date"];

/** Field metadata key that marks a dictionary column as "category" (plain dictionaries are "string"). */
export const CATEGORY_META = "dask-ts:dtype";

/** One column of a frame's schema. */
export interface ColumnMeta {
  readonly name: string;
  readonly dtype: ColType;
}

/** A frame's schema: its columns in order. */
export type Meta = readonly ColumnMeta[];

/** True for the types whose values are numbers in kernels (float64, int32, int64, date, bool). */
export function isNumeric(t: ColType): boolean {
  return t === "float64" || t === "int32" || t === "int64" || t === "bool";
}

/** True for string and category columns. */
export function isStringType(t: ColType): boolean {
  return t === "string" || t === "category";
}

/** The ColType of an Arrow field. */
export function colTypeOfField(f: A.Field): ColType {
  const t = f.type as A.DataType;
  if (A.DataType.isDictionary(t)) return f.metadata.get(CATEGORY_META) === "category" ? "category" : "string";
  return colTypeOfArrow(t);
}

/** The ColType of an Arrow type (dictionaries of strings are "string"). */
export function colTypeOfArrow(t: A.DataType): ColType {
  switch (t.typeId) {
    case A.Type.Float: return "float64";
    case A.Type.Int: {
      const i = t as A.Int;
      return i.bitWidth < 32 || (i.bitWidth === 32 && i.isSigned) ? "int32" : "int64";
    }
    case A.Type.Utf8:
    case A.Type.LargeUtf8:
    case A.Type.Dictionary:
      return "string";
    case A.Type.Bool: return "bool";
    case A.Type.Date:
    case A.Type.Timestamp:
      return "date";
    case A.Type.Null: return "float64";
    default:
      throw new TypeError(`Arrow type ${String(t)} is not supported by dask-ts dataframes; convert the column to float64, int32, int64, string, bool or date first.`);
  }
}

/** The schema of an Arrow table as Meta. */
export function metaOfTable(t: A.Table): Meta {
  return t.schema.fields.map((f) => ({ name: f.name, dtype: colTypeOfField(f) }));
}

/** The NumPy-like result type of arithmetic between two numeric column types (div always float64). */
export function promote(a: ColType, b: ColType): ColType {
  if (a === "float64" || b === "float64") return "float64";
  if (a === "int64" || b === "int64") return "int64";
  return "int32";
}
