/**
 * Rebuild a GNU sparse member's content (what GNU tar, bsdtar and Python tarfile write) while it
 * streams: holes become zeros. Old GNU format (type S: the map is in the header and its extension
 * blocks) and PAX 1.0 (the map is decimal text at the start of the data, padded to 512 bytes).
 */
import type { FrameSink } from "./tar-frames.js";

/** Larger declared sizes are not rebuilt (hashing terabytes of zeros would stall the audit). */
export const SPARSE_MAX_BYTES = 4 * 1024 * 1024 * 1024;
const MAP_TEXT_MAX = 1024 * 1024;
const ZERO = Buffer.alloc(64 * 1024);

export function sparseSink(stored: number, realSize: number, map: [number, number][] | null, inner: FrameSink, fail: (why: string) => void): FrameSink {
  let failed = false;
  const bad = (why: string) => {
    if (!failed) fail(why);
    failed = true;
  };
  let entries: [number, number][] | null = null;
  let text: Buffer[] = [];
  let textLen = 0;
  let idx = 0;
  let inEntry = 0;
  let out = 0;
  const zeros = (n: number) => {
    out += n;
    while (n > 0) {
      const k = Math.min(n, ZERO.length);
      inner.update(ZERO.subarray(0, k));
      n -= k;
    }
  };
  const setMap = (m: [number, number][], dataBytes: number) => {
    let end = 0;
    let sum = 0;
    for (const [off, len] of m) {
      if (off < end || off + len > realSize) return bad(`its sparse map is out of order or past the declared size (${off}+${len})`);
      end = off + len;
      sum += len;
    }
    if (sum !== dataBytes) return bad(`its sparse map covers ${sum} bytes but ${dataBytes} bytes of data follow`);
    entries = m.filter(([, len]) => len > 0);
    inEntry = entries[0]?.[1] ?? 0;
  };
  if (realSize > SPARSE_MAX_BYTES) bad(`it declares ${realSize} bytes (more than distvet rebuilds)`);
  else if (map) setMap(map, stored);

  const feed = (chunk: Buffer) => {
    let i = 0;
    while (i < chunk.length && !failed) {
      const e = entries![idx];
      if (!e) return bad("more data follows than its sparse map covers");
      if (out < e[0]) zeros(e[0] - out);
      const n = Math.min(inEntry, chunk.length - i);
      inner.update(chunk.subarray(i, i + n));
      out += n;
      i += n;
      inEntry -= n;
      if (inEntry === 0) inEntry = entries![++idx]?.[1] ?? 0;
    }
  };

  /** PAX 1.0: "<count>\n" then count pairs of "<offset>\n<length>\n", padded to a 512-byte boundary. */
  const parseText = (): number | null => {
    const all = Buffer.concat(text);
    const lines: number[] = [];
    let start = 0;
    for (;;) {
      const nl = all.indexOf(0x0a, start);
      if (nl < 0) return null;
      const s = all.toString("latin1", start, nl);
      if (!/^\d{1,15}$/.test(s)) {
        bad("its sparse map is not a list of numbers");
        return null;
      }
      lines.push(Number(s));
      start = nl + 1;
      if (lines.length === 1 + 2 * lines[0]! ) break;
    }
    const region = Math.ceil(start / 512) * 512;
    if (all.length < region) return null;
    const m: [number, number][] = [];
    for (let k = 0; k < lines[0]!; k++) m.push([lines[1 + 2 * k]!, lines[2 + 2 * k]!]);
    text = [];
    setMap(m, stored - region);
    if (!failed && all.length > region) feed(all.subarray(region));
    return region;
  };

  return {
    update(chunk) {
      if (failed) return;
      if (!entries) {
        text.push(Buffer.from(chunk));
        textLen += chunk.length;
        if (textLen > MAP_TEXT_MAX) return bad("its sparse map is larger than 1 MiB");
        parseText();
        return;
      }
      feed(chunk);
    },
    end() {
      if (failed) return;
      if (!entries) return bad("its sparse map is incomplete");
      if (idx < entries.length) return bad("its data ends before its sparse map does");
      zeros(realSize - out);
      inner.end();
    },
  };
}
