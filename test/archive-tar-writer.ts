/**
 * Writes tar bytes by hand for the archive tests: hostile layouts (sizes on directory headers,
 * members after the end marker, global pax records) that no tar library will produce.
 */
import { gzipSync } from "node:zlib";

const B = (x: string | Buffer): Buffer => (typeof x === "string" ? Buffer.from(x, "utf8") : x);

const octal = (v: number, n: number): Buffer => Buffer.from(`${v.toString(8).padStart(n - 1, "0")}\0`, "latin1");

export interface HeaderOpts {
  size?: number;
  type?: string;
  link?: string;
  mode?: number;
  /** Raw bytes for the size field (12 bytes). */
  sizeField?: Buffer;
}

export function header(name: string | Buffer, o: HeaderOpts = {}): Buffer {
  const b = Buffer.alloc(512);
  B(name).copy(b, 0, 0, 100);
  octal(o.mode ?? 0o644, 8).copy(b, 100);
  octal(0, 8).copy(b, 108);
  octal(0, 8).copy(b, 116);
  (o.sizeField ?? octal(o.size ?? 0, 12)).copy(b, 124);
  octal(1600000000, 12).copy(b, 136);
  b.write(o.type ?? "0", 156, "latin1");
  B(o.link ?? "").copy(b, 157, 0, 100);
  b.write("ustar\u000000", 257, "latin1");
  b.write("root", 265);
  b.write("root", 297);
  b.fill(0x20, 148, 156);
  let sum = 0;
  for (const x of b) sum += x;
  Buffer.from(`${sum.toString(8).padStart(6, "0")}\0 `, "latin1").copy(b, 148);
  return b;
}

/** Overwrite bytes of a header block and fix its checksum. */
export function patchHeader(h: Buffer, patches: [number, Buffer | string][]): Buffer {
  const b = Buffer.from(h);
  for (const [off, v] of patches) (typeof v === "string" ? Buffer.from(v, "latin1") : v).copy(b, off);
  b.fill(0x20, 148, 156);
  let sum = 0;
  for (const x of b) sum += x;
  Buffer.from(`${sum.toString(8).padStart(6, "0")}\0 `, "latin1").copy(b, 148);
  return b;
}

export const pad = (d: Buffer): Buffer => Buffer.concat([d, Buffer.alloc((512 - (d.length % 512)) % 512)]);

export function paxRecord(k: string, v: string): Buffer {
  const body = ` ${k}=${v}\n`;
  let n = Buffer.byteLength(body) + 1;
  while (String(n).length + Buffer.byteLength(body) !== n) n++;
  return Buffer.from(`${n}${body}`, "utf8");
}

/** A tar under construction. */
export class TarBytes {
  private parts: Buffer[] = [];
  raw(b: Buffer): this {
    this.parts.push(b);
    return this;
  }
  file(name: string, data: string | Buffer = "", mode = 0o644): this {
    const d = B(data);
    return this.raw(header(name, { size: d.length, mode })).raw(pad(d));
  }
  dir(name: string, size = 0): this {
    return this.raw(header(name.endsWith("/") ? name : `${name}/`, { type: "5", mode: 0o755, size }));
  }
  symlink(name: string, target: string, size = 0): this {
    return this.raw(header(name, { type: "2", link: target, mode: 0o777, size }));
  }
  hardlink(name: string, target: string, size = 0): this {
    return this.raw(header(name, { type: "1", link: target, size }));
  }
  fifo(name: string, size = 0): this {
    return this.raw(header(name, { type: "6", size }));
  }
  pax(records: [string, string][], type: "x" | "g" = "x"): this {
    const d = Buffer.concat(records.map(([k, v]) => paxRecord(k, v)));
    return this.raw(header(type === "g" ? "pax_global_header" : "PaxHeaders/x", { type, size: d.length })).raw(pad(d));
  }
  gnuLongName(name: string): this {
    const d = Buffer.from(`${name}\0`);
    return this.raw(header("././@LongLink", { type: "L", size: d.length })).raw(pad(d));
  }
  eof(): this {
    return this.raw(Buffer.alloc(1024));
  }
  bytes(): Buffer {
    return Buffer.concat(this.parts);
  }
  gzip(): Buffer {
    return gzipSync(this.bytes());
  }
}

export const tarBytes = (): TarBytes => new TarBytes();
