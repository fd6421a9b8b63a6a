export type Compression = "gzip" | "xz" | "bzip2" | "zstd" | "none";
export type ContainerKind = Compression | "zip" | "unknown";

/** Identify the container by its magic bytes, never by file name. */
export function detectCompression(head: Uint8Array): ContainerKind {
  const b = (i: number) => head[i];
  if (b(0) === 0x1f && b(1) === 0x8b) return "gzip";
  if (b(0) === 0xfd && b(1) === 0x37 && b(2) === 0x7a && b(3) === 0x58 && b(4) === 0x5a && b(5) === 0x00) return "xz";
  if (b(0) === 0x42 && b(1) === 0x5a && b(2) === 0x68) return "bzip2";
  if (b(0) === 0x28 && b(1) === 0xb5 && b(2) === 0x2f && b(3) === 0xfd) return "zstd";
  if (b(0) === 0x50 && b(1) === 0x4b && b(2) === 0x03 && b(3) === 0x04) return "zip";
  if (looksLikeTarHeader(head)) return "none";
  return "unknown";
}

/**
 * A tar header block is 512 bytes whose checksum field (148..155, octal) equals the
 * sum of the block with that field read as spaces. This accepts V7, ustar, pax and GNU.
 */
export function looksLikeTarHeader(head: Uint8Array): boolean {
  if (head.length < 512) return false;
  const field = Buffer.from(head.subarray(148, 156)).toString("latin1").replace(/[\0 ]+$/g, "").trim();
  if (!/^[0-7]+$/.test(field)) return false;
  const expected = parseInt(field, 8);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : head[i]!;
  return sum === expected;
}
