/** Content sniffing: distvet decides "binary or text" from bytes, never from a file name. */

const SNIFF_BYTES = 8000;

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * git's own heuristic (a NUL in the first 8000 bytes), plus: many control characters, or
 * bytes that are not UTF-8 and mostly high (compressed or encrypted data without a NUL).
 */
export function isBinary(buf: Uint8Array): boolean {
  const n = Math.min(buf.length, SNIFF_BYTES);
  let control = 0;
  let high = 0;
  for (let i = 0; i < n; i++) {
    const c = buf[i]!;
    if (c === 0) return true;
    if (c < 7 || (c > 13 && c < 32 && c !== 27)) control++;
    else if (c >= 0x80) high++;
  }
  if (n === 0) return false;
  if (control / n > 0.1) return true;
  if (high / n > 0.3) {
    try {
      // Cut at the sample end may split a character: decode only up to the last ASCII byte.
      let end = n;
      while (end > 0 && buf[end - 1]! >= 0x80) end--;
      utf8.decode(buf.subarray(0, end));
    } catch {
      return true;
    }
  }
  return false;
}

/** Shannon entropy in bits per byte (0..8) over the whole buffer. */
export function entropy(buf: Uint8Array): number {
  if (buf.length === 0) return 0;
  const counts = new Array<number>(256).fill(0);
  for (const b of buf) counts[b]!++;
  let h = 0;
  for (const c of counts) {
    if (c === 0) continue;
    const p = c / buf.length;
    h -= p * Math.log2(p);
  }
  return h;
}

interface Magic {
  name: string;
  bytes: number[];
  offset?: number;
}

const MAGICS: Magic[] = [
  { name: "xz", bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00] },
  { name: "gzip", bytes: [0x1f, 0x8b] },
  { name: "bzip2", bytes: [0x42, 0x5a, 0x68] },
  { name: "zstd", bytes: [0x28, 0xb5, 0x2f, 0xfd] },
  { name: "lzip", bytes: [0x4c, 0x5a, 0x49, 0x50] },
  { name: "zip", bytes: [0x50, 0x4b, 0x03, 0x04] },
  { name: "7z", bytes: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c] },
  { name: "ELF executable", bytes: [0x7f, 0x45, 0x4c, 0x46] },
  { name: "Mach-O", bytes: [0xcf, 0xfa, 0xed, 0xfe] },
  { name: "PE/DOS executable", bytes: [0x4d, 0x5a] },
  { name: "PNG image", bytes: [0x89, 0x50, 0x4e, 0x47] },
  { name: "JPEG image", bytes: [0xff, 0xd8, 0xff] },
  { name: "GIF image", bytes: [0x47, 0x49, 0x46, 0x38] },
  { name: "PDF document", bytes: [0x25, 0x50, 0x44, 0x46] },
  { name: "gettext catalog (.mo)", bytes: [0xde, 0x12, 0x04, 0x95] },
  { name: "gettext catalog (.mo)", bytes: [0x95, 0x04, 0x12, 0xde] },
  { name: "WebAssembly", bytes: [0x00, 0x61, 0x73, 0x6d] },
  { name: "Java class", bytes: [0xca, 0xfe, 0xba, 0xbe] },
  { name: "tar archive", bytes: [0x75, 0x73, 0x74, 0x61, 0x72], offset: 257 },
];

/** What the bytes say the file is ("xz", "ELF executable", …), or null when no signature is known. */
export function sniffMagic(buf: Uint8Array): string | null {
  for (const m of MAGICS) {
    const off = m.offset ?? 0;
    if (buf.length < off + m.bytes.length) continue;
    if (m.bytes.every((b, i) => buf[off + i] === b)) return m.name;
  }
  return null;
}

/** Names that a file's extension claims, for "claims to be X, is Y" evidence. */
const EXT_CLAIMS: Record<string, string[]> = {
  xz: ["xz"],
  lzma: [],
  gz: ["gzip"],
  tgz: ["gzip"],
  bz2: ["bzip2"],
  zst: ["zstd"],
  lz: ["lzip"],
  zip: ["zip"],
  png: ["PNG image"],
  jpg: ["JPEG image"],
  jpeg: ["JPEG image"],
  gif: ["GIF image"],
  pdf: ["PDF document"],
  gmo: ["gettext catalog (.mo)"],
  mo: ["gettext catalog (.mo)"],
  wasm: ["WebAssembly"],
  class: ["Java class"],
  tar: ["tar archive"],
};

/** A one-line description of a binary: its detected type, size and entropy, and whether its name agrees. */
export function describeBinary(path: string, buf: Uint8Array, size: number): string {
  const magic = sniffMagic(buf);
  const ext = /\.([A-Za-z0-9]+)$/.exec(path)?.[1]?.toLowerCase();
  const claims = ext ? EXT_CLAIMS[ext] : undefined;
  const parts = [`${size} bytes`, `entropy ${entropy(buf).toFixed(2)} bits/byte`, magic ? `content: ${magic}` : "content: no known signature"];
  if (claims && claims.length && magic && !claims.includes(magic)) parts.push(`name claims .${ext} but content is ${magic}`);
  if (claims && claims.length && !magic) parts.push(`name claims .${ext} but the signature is missing`);
  return parts.join(", ");
}
