// Shared by the array tests.

/** A computed array result as numbers in C order (a 0-d result gives one value; bigints and booleans become numbers). */
export function flatValues(r: unknown): number[] {
  if (typeof r !== "object" || r === null) return [Number(r)];
  const a = r as { shape: number[]; get: (...i: number[]) => number | bigint };
  const out: number[] = [];
  const idx: number[] = [];
  const walk = (ax: number): void => {
    if (ax === a.shape.length) {
      out.push(Number(a.get(...idx)));
      return;
    }
    for (let i = 0; i < a.shape[ax]!; i++) {
      idx[ax] = i;
      walk(ax + 1);
    }
  };
  walk(0);
  return out;
}

/** Computes an array on a scheduler and flattens the result. */
export async function computeFlat(x: { compute: (o: { scheduler: string }) => Promise<unknown> }, scheduler: string): Promise<number[]> {
  return flatValues(await x.compute({ scheduler }));
}
