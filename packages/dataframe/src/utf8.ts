/** UTF-8 bytes to JS strings, fast for the short ASCII fields that dominate tables. */
const utf8 = new TextDecoder();

/** Decodes bytes [start, end): ASCII by hand (short strings), anything else with TextDecoder. */
export function decodeUtf8(bytes: Uint8Array, start: number, end: number): string {
  if (end - start < 24) {
    let s = "";
    for (let k = start; k < end; k++) {
      const b = bytes[k]!;
      if (b >= 0x80) return utf8.decode(bytes.subarray(start, end));
      s += String.fromCharCode(b);
    }
    return s;
  }
  return utf8.decode(bytes.subarray(start, end));
}
