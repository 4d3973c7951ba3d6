/**
 * Arrow tables as plain data: a type description per field and each column's buffers as typed arrays.
 *
 * Why not Arrow IPC: IPC bytes are one fresh buffer that every receiver copies into and out of. As
 * plain data, buffers on SharedArrayBuffer (what dataframe kernels allocate on worker threads) cross
 * between threads for free, and other buffers are copied once by structured clone or written once,
 * raw, by msgpack. Types this module does not describe fall back to IPC for the whole table.
 */
import type * as Arrow from "apache-arrow";

type ArrowModule = typeof Arrow;

/** A portable description of an Arrow DataType (only the types dataframes use; others -> IPC). */
type TypeDesc =
  | { k: "null" }
  | { k: "int"; bits: number; signed: boolean }
  | { k: "float"; precision: number }
  | { k: "utf8" }
  | { k: "largeUtf8" }
  | { k: "binary" }
  | { k: "bool" }
  | { k: "date"; unit: number }
  | { k: "timestamp"; unit: number; tz: string | null }
  | { k: "dict"; values: TypeDesc; indices: TypeDesc; id: number; ordered: boolean }
  | { k: "list"; child: FieldDesc }
  | { k: "struct"; children: FieldDesc[] };

interface FieldDesc {
  name: string;
  type: TypeDesc;
  nullable: boolean;
  /** Field metadata entries (e.g. a dataframe's category marker), when there are any. */
  meta?: [string, string][];
}

interface DataDesc {
  o: number;
  n: number;
  nc: number;
  v?: ArrayBufferView;
  vo?: ArrayBufferView;
  nb?: ArrayBufferView;
  c: DataDesc[];
  d?: DataDesc[];
}

/** What a table encodes to: fields plus, per record batch, its length and column data. */
export type EncodedTable =
  | { s: 1; fields: FieldDesc[]; batches: { n: number; cols: DataDesc[] }[] }
  | { s: 0; ipc: Uint8Array };

class Unsupported extends Error {}

function describeType(t: Arrow.DataType, A: ArrowModule): TypeDesc {
  const T = A.Type;
  switch (t.typeId) {
    case T.Null: return { k: "null" };
    case T.Int: { const i = t as Arrow.Int; return { k: "int", bits: i.bitWidth, signed: i.isSigned }; }
    case T.Float: return { k: "float", precision: (t as Arrow.Float).precision };
    case T.Utf8: return { k: "utf8" };
    case T.LargeUtf8: return { k: "largeUtf8" };
    case T.Binary: return { k: "binary" };
    case T.Bool: return { k: "bool" };
    case T.Date: return { k: "date", unit: (t as Arrow.Date_).unit };
    case T.Timestamp: { const s = t as Arrow.Timestamp; return { k: "timestamp", unit: s.unit, tz: s.timezone ?? null }; }
    case T.Dictionary: {
      const d = t as Arrow.Dictionary;
      return { k: "dict", values: describeType(d.dictionary, A), indices: describeType(d.indices, A), id: Number(d.id), ordered: !!d.isOrdered };
    }
    case T.List: return { k: "list", child: describeField((t as Arrow.List).children[0]!, A) };
    case T.Struct: return { k: "struct", children: (t as Arrow.Struct).children.map((f) => describeField(f, A)) };
    default: throw new Unsupported();
  }
}

function describeField(f: Arrow.Field, A: ArrowModule): FieldDesc {
  const out: FieldDesc = { name: f.name, type: describeType(f.type, A), nullable: f.nullable };
  if (f.metadata.size > 0) out.meta = [...f.metadata];
  return out;
}

function makeType(d: TypeDesc, A: ArrowModule): Arrow.DataType {
  switch (d.k) {
    case "null": return new A.Null();
    case "int": return new A.Int(d.signed as never, d.bits as never);
    case "float": return new A.Float(d.precision);
    case "utf8": return new A.Utf8();
    case "largeUtf8": return new A.LargeUtf8();
    case "binary": return new A.Binary();
    case "bool": return new A.Bool();
    case "date": return new A.Date_(d.unit);
    case "timestamp": return new A.Timestamp(d.unit, d.tz);
    case "dict": return new A.Dictionary(makeType(d.values, A), makeType(d.indices, A) as never, d.id, d.ordered);
    case "list": return new A.List(makeField(d.child, A));
    case "struct": return new A.Struct(d.children.map((c) => makeField(c, A)));
  }
}

function makeField(f: FieldDesc, A: ArrowModule): Arrow.Field {
  return new A.Field(f.name, makeType(f.type, A), f.nullable, f.meta === undefined ? null : new Map(f.meta));
}

/**
 * A buffer as it should travel: shared memory and whole buffers as they are; a view of part of a
 * larger plain buffer (e.g. one column of a table read from IPC) sliced, since structured clone
 * copies a view's whole underlying buffer.
 */
function travelling(v: ArrayBufferView | undefined | null): ArrayBufferView | undefined {
  if (v === undefined || v === null) return undefined;
  const buf = v.buffer;
  if (typeof SharedArrayBuffer === "function" && buf instanceof SharedArrayBuffer) return v;
  if (v.byteOffset === 0 && v.byteLength === buf.byteLength) return v;
  return (v as unknown as { slice(): ArrayBufferView }).slice();
}

function describeData(d: Arrow.Data): DataDesc {
  const out: DataDesc = { o: d.offset, n: d.length, nc: d.nullCount, c: d.children.map(describeData) };
  const v = travelling(d.values as ArrayBufferView | undefined);
  const vo = travelling(d.valueOffsets as ArrayBufferView | undefined);
  const nb = d.nullCount > 0 ? travelling(d.nullBitmap) : undefined;
  if (v !== undefined) out.v = v;
  if (vo !== undefined) out.vo = vo;
  if (nb !== undefined) out.nb = nb;
  if (d.dictionary !== undefined) out.d = d.dictionary.data.map(describeData);
  return out;
}

function makeData(type: Arrow.DataType, desc: DataDesc, A: ArrowModule): Arrow.Data {
  const children = desc.c.map((c, i) => makeData((type.children as Arrow.Field[])[i]!.type, c, A));
  let dictionary: Arrow.Vector | undefined;
  if (desc.d !== undefined) {
    const valueType = (type as Arrow.Dictionary).dictionary;
    dictionary = new A.Vector(desc.d.map((dd) => makeData(valueType, dd, A)));
  }
  const buffers: Record<number, unknown> = {};
  if (desc.vo !== undefined) buffers[A.BufferType.OFFSET] = desc.vo;
  if (desc.v !== undefined) buffers[A.BufferType.DATA] = desc.v;
  if (desc.nb !== undefined) buffers[A.BufferType.VALIDITY] = desc.nb;
  return new A.Data(type, desc.o, desc.n, desc.nc, buffers as never, children, dictionary);
}

/** Encodes a table as plain data (IPC bytes when a column type is not described here). */
export function encodeTable(t: Arrow.Table, A: ArrowModule): EncodedTable {
  try {
    const fields = t.schema.fields.map((f) => describeField(f, A));
    const batches = t.batches.map((b) => ({ n: b.numRows, cols: b.data.children.map(describeData) }));
    return { s: 1, fields, batches };
  } catch (e) {
    if (!(e instanceof Unsupported)) throw e;
    return { s: 0, ipc: A.tableToIPC(t, "stream") };
  }
}

/** Rebuilds a table made by encodeTable. */
export function decodeTable(e: EncodedTable, A: ArrowModule): Arrow.Table {
  if (e.s === 0) return A.tableFromIPC(e.ipc);
  const fields = e.fields.map((f) => makeField(f, A));
  const schema = new A.Schema(fields);
  const struct = new A.Struct(fields);
  const batches = e.batches.map((b) => {
    const children = b.cols.map((c, i) => makeData(fields[i]!.type, c, A));
    const data = A.makeData({ type: struct, length: b.n, nullCount: 0, children });
    return new A.RecordBatch(schema, data);
  });
  return new A.Table(schema, batches);
}
