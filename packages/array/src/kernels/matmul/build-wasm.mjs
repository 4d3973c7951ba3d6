#!/usr/bin/env node
// Dev-time generator of the WebAssembly SIMD GEMM kernels (not run by the build).
//
//   1. writes gemm.wat (the source of the kernels, generated from the tile sizes below);
//   2. assembles it with WABT and writes gemm-wasm.ts (the bytes as base64), which the build compiles.
//
// WABT is needed only here: either the npm package (`npm install --prefix /tmp/wabt wabt@1.0.39`, then
// `WABT=/tmp/wabt/node_modules/wabt node build-wasm.mjs`) or Debian's `wat2wasm` (apt-get install wabt) on PATH.
// `node build-wasm.mjs --check` verifies that gemm.wat and gemm-wasm.ts are what this script produces.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const here = new URL(".", import.meta.url).pathname;

/** Tile sizes: f64 tiles are MR x (V*2), f32 tiles MR x (V*4); measured on 1000^3 (see docs in index.ts). */
export const TILES = { f64: { MR: 4, V: 2 }, f32: { MR: 4, V: 2 } };

/**
 * The micro-kernel: C[MR x NR] += sum_k A[k][0..MR) (x) B[k][0..NR), with A and B packed k-major panels
 * (MR values of A then NR values of B per step of k) and C row-major with a row stride of ldc bytes.
 */
function micro(type, MR, V) {
  const lanes = type === "f64" ? 2 : 4;
  const es = type === "f64" ? 8 : 4;
  const vt = `${type}x${lanes}`;
  const NR = V * lanes;
  const splat = type === "f64" ? "v128.load64_splat" : "v128.load32_splat";
  const acc = [];
  for (let i = 0; i < MR; i++) for (let v = 0; v < V; v++) acc.push(`c${i}_${v}`);
  const L = [];
  L.push(`  ;; C[${MR} x ${NR}] += A_panel^T B_panel over kc steps (${type}, ${V} x ${vt} per row of C)`);
  L.push(`  (func $micro_${type} (param $a i32) (param $b i32) (param $kc i32) (param $c i32) (param $ldc i32)`);
  L.push(`    ${acc.map((n) => `(local $${n} v128)`).join(" ")}`);
  L.push(`    ${Array.from({ length: V }, (_, v) => `(local $b${v} v128)`).join(" ")} (local $x v128) (local $end i32) (local $cp i32)`);
  L.push(`    (local.set $cp (local.get $c))`);
  for (let i = 0; i < MR; i++) {
    for (let v = 0; v < V; v++) L.push(`    (local.set $c${i}_${v} (v128.load offset=${v * 16} align=${es} (local.get $cp)))`);
    if (i < MR - 1) L.push(`    (local.set $cp (i32.add (local.get $cp) (local.get $ldc)))`);
  }
  L.push(`    (local.set $end (i32.add (local.get $a) (i32.mul (local.get $kc) (i32.const ${MR * es}))))`);
  L.push(`    (if (i32.lt_u (local.get $a) (local.get $end)) (then (loop $k`);
  for (let v = 0; v < V; v++) L.push(`      (local.set $b${v} (v128.load offset=${v * 16} align=${es} (local.get $b)))`);
  for (let i = 0; i < MR; i++) {
    L.push(`      (local.set $x (${splat} offset=${i * es} (local.get $a)))`);
    for (let v = 0; v < V; v++) L.push(`      (local.set $c${i}_${v} (${vt}.add (local.get $c${i}_${v}) (${vt}.mul (local.get $x) (local.get $b${v}))))`);
  }
  L.push(`      (local.set $a (i32.add (local.get $a) (i32.const ${MR * es})))`);
  L.push(`      (local.set $b (i32.add (local.get $b) (i32.const ${NR * es})))`);
  L.push(`      (br_if $k (i32.lt_u (local.get $a) (local.get $end))))))`);
  L.push(`    (local.set $cp (local.get $c))`);
  for (let i = 0; i < MR; i++) {
    for (let v = 0; v < V; v++) L.push(`    (v128.store offset=${v * 16} align=${es} (local.get $cp) (local.get $c${i}_${v}))`);
    if (i < MR - 1) L.push(`    (local.set $cp (i32.add (local.get $cp) (local.get $ldc)))`);
  }
  L.push(`  )`);
  return L;
}

/**
 * The macro-kernel over one kc-slab: C[Mp x Np] += A[Mp x kc] B[kc x Np], with A packed in MR-row panels
 * (panel p at ab + p*MR*kc elements) and B in NR-column panels (panel q at bb + q*NR*kc elements).
 * Rows go in blocks of MC (a multiple of MR) so the A block stays in L2 while B's panels stream past it.
 */
function macro(type, MR, V) {
  const es = type === "f64" ? 8 : 4;
  const NR = V * (type === "f64" ? 2 : 4);
  return `  ;; gemm_${type}(ab, bb, cb, Mp, Np, kc, MC): byte addresses ab/bb/cb; Mp % ${MR} == 0, Np % ${NR} == 0, MC % ${MR} == 0
  (func (export "gemm_${type}") (param $ab i32) (param $bb i32) (param $cb i32) (param $Mp i32) (param $Np i32) (param $kc i32) (param $MC i32)
    (local $ic i32) (local $mEnd i32) (local $jr i32) (local $ir i32) (local $bp i32) (local $ldc i32)
    (local.set $ldc (i32.mul (local.get $Np) (i32.const ${es})))
    (block $dic (loop $lic
      (br_if $dic (i32.ge_u (local.get $ic) (local.get $Mp)))
      (local.set $mEnd (i32.add (local.get $ic) (local.get $MC)))
      (if (i32.gt_u (local.get $mEnd) (local.get $Mp)) (then (local.set $mEnd (local.get $Mp))))
      (local.set $jr (i32.const 0))
      (block $djr (loop $ljr
        (br_if $djr (i32.ge_u (local.get $jr) (local.get $Np)))
        (local.set $bp (i32.add (local.get $bb) (i32.mul (i32.mul (local.get $jr) (local.get $kc)) (i32.const ${es}))))
        (local.set $ir (local.get $ic))
        (block $dir (loop $lir
          (br_if $dir (i32.ge_u (local.get $ir) (local.get $mEnd)))
          (call $micro_${type}
            (i32.add (local.get $ab) (i32.mul (i32.mul (local.get $ir) (local.get $kc)) (i32.const ${es})))
            (local.get $bp)
            (local.get $kc)
            (i32.add (local.get $cb) (i32.mul (i32.add (i32.mul (local.get $ir) (local.get $Np)) (local.get $jr)) (i32.const ${es})))
            (local.get $ldc))
          (local.set $ir (i32.add (local.get $ir) (i32.const ${MR})))
          (br $lir)))
        (local.set $jr (i32.add (local.get $jr) (i32.const ${NR})))
        (br $ljr)))
      (local.set $ic (local.get $mEnd))
      (br $lic)))
  )`.split("\n");
}

export function generateWat() {
  const L = [
    `;; GENERATED by build-wasm.mjs: do not edit by hand. Packed GEMM kernels with WebAssembly SIMD (128-bit).`,
    `;; f64: ${TILES.f64.MR} x ${TILES.f64.V * 2} register tile of f64x2; f32: ${TILES.f32.MR} x ${TILES.f32.V * 4} tile of f32x4.`,
    `;; No relaxed SIMD (no fused multiply-add): Node 20 ships it only behind a flag.`,
    `(module`,
    `  (memory (export "memory") 1)`,
  ];
  for (const t of ["f64", "f32"]) L.push(...micro(t, TILES[t].MR, TILES[t].V), ...macro(t, TILES[t].MR, TILES[t].V));
  L.push(`)`, ``);
  return L.join("\n");
}

async function assemble(wat) {
  if (process.env.WABT) {
    const mod = await import(pathToFileURL(join(process.env.WABT, "index.js")).href);
    const wabt = await mod.default();
    const parsed = wabt.parseWat("gemm.wat", wat, { simd: true });
    parsed.validate();
    return Buffer.from(parsed.toBinary({}).buffer);
  }
  const dir = mkdtempSync(join(tmpdir(), "gemm-wat-"));
  try {
    writeFileSync(join(dir, "gemm.wat"), wat);
    execFileSync("wat2wasm", [join(dir, "gemm.wat"), "-o", join(dir, "gemm.wasm")]);
    return readFileSync(join(dir, "gemm.wasm"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function tsModule(bytes) {
  const b64 = bytes.toString("base64");
  const lines = b64.match(/.{1,100}/g) ?? [];
  return `/** GENERATED by build-wasm.mjs from gemm.wat (WebAssembly SIMD GEMM kernels): do not edit by hand. */
export const GEMM_WASM_BASE64 =
${lines.map((l) => `  "${l}"`).join(" +\n")};

/** The number of bytes of the module (a sanity check against truncation). */
export const GEMM_WASM_BYTES = ${bytes.length};
`;
}

const wat = generateWat();
const bytes = await assemble(wat);
const ts = tsModule(bytes);
if (process.argv.includes("--check")) {
  const okWat = readFileSync(join(here, "gemm.wat"), "utf8") === wat;
  const okTs = readFileSync(join(here, "gemm-wasm.ts"), "utf8") === ts;
  console.log(`gemm.wat ${okWat ? "up to date" : "DIFFERS"}; gemm-wasm.ts ${okTs ? "up to date" : "DIFFERS"}`);
  process.exit(okWat && okTs ? 0 : 1);
}
writeFileSync(join(here, "gemm.wat"), wat);
writeFileSync(join(here, "gemm-wasm.ts"), ts);
console.log(`wrote gemm.wat (${wat.length} chars) and gemm-wasm.ts (${bytes.length} bytes of wasm)`);
