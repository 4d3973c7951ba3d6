import { describe, expect, it } from "vitest";
import { keyStr, parseKey, keyName, keyPrefix } from "@dask-ts/core/graph/key";

describe("keys", () => {
  it("has one canonical string per key and parses it back", () => {
    expect(keyStr("x-1")).toBe("x-1");
    expect(keyStr(["sum-3f2a", 0, 1])).toBe('["sum-3f2a",0,1]');
    expect(parseKey('["sum-3f2a",0,1]')).toEqual(["sum-3f2a", 0, 1]);
    expect(parseKey("plain")).toBe("plain");
    expect(parseKey('["broken')).toBe('["broken');
  });
  it("derives names and prefixes", () => {
    expect(keyName('["sum-3f2a11aa",0,1]')).toBe("sum-3f2a11aa");
    expect(keyPrefix('["sum-3f2a11aa",0,1]')).toBe("sum");
    expect(keyPrefix("inc-0123456789abcdef")).toBe("inc");
    expect(keyPrefix("custom")).toBe("custom");
  });
});
