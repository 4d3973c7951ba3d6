import { toStructured, fromStructured } from "@dask-ts/core/serialize/codec";
import { toPortable } from "@dask-ts/core/serialize/portable";
const B = { binary: true };
const kind = process.argv[3];
const plain = kind === "map" ? { m: new Map([[1, { a: 2 }], ["x", [1]]]) } : kind === "set" ? { s: new Set([1, {}]) } : { op: "run", key: "sum-abc", args: [1, NaN, [3, 4], { k: "x", y: new Float64Array(4) }], d: new Date(), priority: [1, 2, 3] };
const mode = process.argv[2];
const f = mode === "none" ? (x) => x : mode === "bin" ? (x) => toPortable(x, B) : mode === "from" ? fromStructured : toStructured;
for (let i = 0; i < 5e6; i++) if (f(plain) !== plain) throw new Error("copied");
