/**
 * Tar framing with GNU tar's semantics (what Debian's dpkg-source runs).
 *
 * Why not a streaming tar library: the places where tar readers disagree are exactly the framing
 * decisions, and every library decides them its own way and says nothing. tar-stream 3 honours the
 * size of a directory header (and then waits forever for an entry end), reads on past the
 * end-of-archive marker and drops pax global `path`; node-tar's Parser forces a directory's size to
 * 0 but skips a lone zero block and reads on, ignores a global `path`, and its pax record parser
 * drops any record whose value holds a newline. node-tar's `Header` decodes a block correctly but
 * allocates three Dates and four strings per member (a million-member archive is a real input),
 * and distvet needs four fields of it. So the block loop and the decoding of those fields (name and
 * ustar prefix, link name, mode, strict size) are here, small and documented.
 *
 * GNU tar 1.34, measured (see test/archive-differential.test.ts, which checks it against the real
 * programs):
 * - the first all-zero block ends the archive ("A lone zero block" is only a warning); anything
 *   after it is not extracted;
 * - the size field of hardlink, symlink, character/block device, directory and FIFO headers is
 *   ignored: the next block is read as a header (bsdtar writes the data of a hardlink with size > 0
 *   as the file's content);
 * - pax records (local `x`, global `g`) override `path`, `linkpath` and `size`; a global record
 *   applies to every later member (bsdtar ignores global records);
 * - GNU `L`/`K` records give the next member's name / link target; a pax `path` wins over `L`;
 * - unknown type flags are extracted as regular files.
 * A header whose checksum or size field is malformed stops the audit (GNU tar skips to the next
 * valid header and exits 2, bsdtar reads on, Python stops): distvet cannot know which view to audit.
 */
import { DistvetError } from "../errors.js";

export const BLOCK = 512;
/** pax and GNU long-name records larger than this are refused (GNU tar has no limit; no real tarball needs more). */
export const EXT_MAX_BYTES = 16 * 1024 * 1024;

/** Header types whose size field GNU tar ignores. */
const SIZELESS = new Set(["1", "2", "3", "4", "5", "6"]);

export type FrameType = "file" | "hardlink" | "symlink" | "dir" | "chardev" | "blockdev" | "fifo" | "sparse" | "skip";

export interface Frame {
  /** Byte offset of the member's own header block in the decompressed stream. */
  offset: number;
  /** Member name as GNU tar sees it (pax path > GNU long name > ustar name), cut at a NUL byte. */
  name: string;
  /** For a PAX sparse member: the name readers without sparse support see (GNUSparseFile.N/...). */
  rawName?: string;
  linkname: string;
  type: FrameType;
  typeflag: string;
  mode: number;
  /** Bytes of data that follow the header (0 for the sizeless types). */
  size: number;
  /** Size written in the header or pax records when GNU tar ignores it (> 0 only then). */
  ignoredSize: number;
  /** Set when the name came from a pax global header (applies to every later member). */
  globalName?: boolean;
  globalLink?: boolean;
  /** Both a pax path and a GNU long name were given, and they differ. */
  conflictingNames?: { pax: string; gnu: string };
  /** The name held a NUL byte (C extractors cut it there; the cut name is `name`). */
  nulInName?: string;
  /** A ustar prefix field GNU tar ignores (no POSIX magic) and Python's tarfile prepends. */
  ignoredPrefix?: string;
  /** Extension records given twice with different values (readers differ on which one wins). */
  repeated?: string[];
  /** A pax size that differs from the header's own size field (readers without pax support desync). */
  paxSizeOverride?: { header: number; pax: number };
  /** A type flag GNU tar does not know (it extracts the member as a regular file). */
  unknownType?: true;
  /** Sparse member: the real size (content is not reconstructed). */
  sparse?: { format: string; realSize?: number; /** old GNU format: (offset, length) pairs from the header */ map?: [number, number][]; /** pax 1.0: the map leads the data */ mapInData?: boolean };
}

/** Receives a member's data as it streams past. */
export interface FrameSink {
  update(chunk: Buffer): void;
  end(): void;
}

export interface FrameEvents {
  /** A member header; return a sink for its data (called even when size is 0). */
  member(frame: Frame): FrameSink | null;
  /** A pax global header with these records. */
  globalPax?(records: Map<string, string>, offset: number): void;
  /** An empty (zero-length) pax extended header. */
  emptyPax?(offset: number): void;
  /** First all-zero block (end of archive for GNU tar, bsdtar and Python tarfile). */
  endMarker?(offset: number): void;
}

const corrupt = (msg: string): DistvetError => new DistvetError("E_CORRUPT", `could not read the tar archive: ${msg}`);

/** A tar size field, strictly: octal digits (leading spaces/zeros, trailing NUL or space) or positive base-256. */
export function decodeSize(field: Buffer, offset: number): number {
  if (field[0]! & 0x80) {
    if (field[0] !== 0x80) throw corrupt(`header at byte ${offset} has a negative base-256 size`);
    let v = 0;
    for (let i = 1; i < field.length; i++) v = v * 256 + field[i]!;
    if (!Number.isSafeInteger(v)) throw corrupt(`header at byte ${offset} declares an impossibly large size`);
    return v;
  }
  const s = field.toString("latin1");
  const m = /^ *([0-7]*)[ \0]*$/.exec(s);
  if (!m) throw corrupt(`header at byte ${offset} has a malformed size field ${JSON.stringify(s.replace(/\0+$/, ""))}`);
  return m[1] ? parseInt(m[1], 8) : 0;
}

/**
 * Parse pax extended records ("<len> <key>=<value>\n"), by their length prefix as GNU tar and
 * Python do (values may hold newlines). A malformed record stops the audit.
 */
export function parsePax(buf: Buffer, offset: number): Map<string, string> {
  const out = new Map<string, string>();
  let i = 0;
  while (i < buf.length) {
    if (buf[i] === 0) break; // NUL padding after the last record
    const sp = buf.indexOf(0x20, i);
    const len = sp > i && sp - i <= 20 ? Number(buf.toString("latin1", i, sp)) : NaN;
    if (!Number.isSafeInteger(len) || len <= sp - i + 1 || i + len > buf.length || buf[i + len - 1] !== 0x0a) {
      throw corrupt(`malformed pax record in the extended header at byte ${offset}`);
    }
    const rec = buf.toString("utf8", sp + 1, i + len - 1);
    const eq = rec.indexOf("=");
    if (eq <= 0) throw corrupt(`malformed pax record in the extended header at byte ${offset}`);
    out.set(rec.slice(0, eq), rec.slice(eq + 1));
    i += len;
  }
  return out;
}

const paxSize = (v: string, offset: number): number => {
  if (!/^[0-9]{1,16}$/.test(v) || !Number.isSafeInteger(Number(v))) throw corrupt(`pax header at byte ${offset} has an invalid size '${v.slice(0, 40)}'`);
  return Number(v);
};

const cutNul = (s: string): string => {
  const i = s.indexOf("\0");
  return i < 0 ? s : s.slice(0, i);
};

const isZero = (b: Buffer, from: number, to: number): boolean => {
  for (let i = from; i < to; i++) if (b[i] !== 0) return false;
  return true;
};

/** The signed and unsigned checksums GNU tar and Python accept. */
function checksumOk(block: Buffer): boolean {
  const field = block.toString("latin1", 148, 156);
  const m = /^ *([0-7]+)[ \0]*$/.exec(field);
  if (!m) return false;
  const want = parseInt(m[1]!, 8);
  let u = 0;
  let s = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : block[i]!;
    u += b;
    s += b > 127 ? b - 256 : b;
  }
  return want === u || want === s;
}

type State = "header" | "ext" | "data" | "pad" | "sparse-ext" | "after-end";

/**
 * A synchronous push parser: write() decompressed bytes, end() at the end of the stream.
 * After the end marker, the rest of the stream is handed to `onTrailing` (if set) instead.
 */
export class TarFramer {
  private state: State = "header";
  private hdr = Buffer.alloc(BLOCK);
  private hdrFill = 0;
  /** Absolute offset of the next byte to be consumed. */
  private pos = 0;
  private remaining = 0;
  private padLeft = 0;
  private sink: FrameSink | null = null;
  private ext: { kind: string; buf: Buffer; fill: number; offset: number } | null = null;
  private localPax: Map<string, string> | null = null;
  private globalPax = new Map<string, string>();
  private longName: string | null = null;
  private longLink: string | null = null;
  private pendingSparse: Frame | null = null;
  private repeated: string[] = [];
  sawHeader = false;
  ended = false;
  endOffset = -1;

  constructor(
    private readonly events: FrameEvents,
    /** Bytes after the end-of-archive marker (starting with the rest of the marker block's stream). */
    private readonly onTrailing?: (chunk: Buffer, offset: number) => void,
  ) {}

  get offset(): number {
    return this.pos;
  }

  write(chunk: Buffer): void {
    let i = 0;
    while (i < chunk.length) {
      switch (this.state) {
        case "after-end": {
          this.onTrailing?.(i === 0 ? chunk : chunk.subarray(i), this.pos);
          this.pos += chunk.length - i;
          return;
        }
        case "header":
        case "sparse-ext": {
          const n = Math.min(BLOCK - this.hdrFill, chunk.length - i);
          chunk.copy(this.hdr, this.hdrFill, i, i + n);
          this.hdrFill += n;
          i += n;
          this.pos += n;
          if (this.hdrFill === BLOCK) {
            this.hdrFill = 0;
            if (this.state === "header") this.onHeader(this.pos - BLOCK);
            else this.onSparseExt();
          }
          break;
        }
        case "ext": {
          const e = this.ext!;
          const n = Math.min(e.buf.length - e.fill, chunk.length - i);
          chunk.copy(e.buf, e.fill, i, i + n);
          e.fill += n;
          i += n;
          this.pos += n;
          if (e.fill === e.buf.length) this.onExt();
          break;
        }
        case "data": {
          const n = Math.min(this.remaining, chunk.length - i);
          if (n > 0) {
            this.sink?.update(chunk.subarray(i, i + n));
            i += n;
            this.pos += n;
            this.remaining -= n;
          }
          if (this.remaining === 0) this.finishData();
          break;
        }
        case "pad": {
          const n = Math.min(this.padLeft, chunk.length - i);
          i += n;
          this.pos += n;
          this.padLeft -= n;
          if (this.padLeft === 0) this.state = "header";
          break;
        }
      }
    }
  }

  /** End of the decompressed stream: throws E_TRUNCATED when it stops inside a member. */
  end(): void {
    if (this.state === "after-end") return;
    if (this.state === "header" && this.hdrFill === 0 && !this.ext && !this.localPax && this.longName === null && this.longLink === null) return;
    if (this.state === "pad" && this.padLeft < BLOCK) {
      // A missing final padding is tolerated by every extractor; the member itself is complete.
      return;
    }
    throw new DistvetError("E_TRUNCATED", `the archive ends early (truncated download?): the tar stream stops inside a member at byte ${this.pos}`);
  }

  private startData(size: number, sink: FrameSink | null): void {
    this.sink = sink;
    this.remaining = size;
    this.padLeft = (BLOCK - (size % BLOCK)) % BLOCK;
    this.state = "data";
    if (size === 0) this.finishData();
  }

  private finishData(): void {
    const s = this.sink;
    this.sink = null;
    s?.end();
    this.state = this.padLeft ? "pad" : "header";
  }

  private onHeader(offset: number): void {
    const block = this.hdr;
    if (isZero(block, 0, BLOCK)) {
      this.ended = true;
      this.endOffset = offset;
      this.state = "after-end";
      this.events.endMarker?.(offset);
      return;
    }
    if (!checksumOk(block)) throw corrupt(`the header at byte ${offset} has a wrong checksum (GNU tar skips ahead to the next valid header, Python tarfile stops there)`);
    this.sawHeader = true;
    const typeflag = block[156] === 0 ? "" : String.fromCharCode(block[156]!);
    const rawSize = decodeSize(block.subarray(124, 136), offset);
    if (typeflag === "x" || typeflag === "g" || typeflag === "L" || typeflag === "K") {
      if (rawSize > EXT_MAX_BYTES) throw corrupt(`the ${typeflag === "x" || typeflag === "g" ? "pax" : "GNU long-name"} header at byte ${offset} is ${rawSize} bytes long (more than ${EXT_MAX_BYTES})`);
      if (rawSize === 0) {
        if (typeflag === "x" || typeflag === "g") this.events.emptyPax?.(offset);
        this.applyExt(typeflag, Buffer.alloc(0), offset);
        return;
      }
      this.ext = { kind: typeflag, buf: Buffer.allocUnsafe(rawSize), fill: 0, offset };
      this.padLeft = (BLOCK - (rawSize % BLOCK)) % BLOCK;
      this.state = "ext";
      return;
    }
    const h = decodeHeader(block);
    const local = this.localPax;
    const global = this.globalPax;
    let name = local?.get("path") ?? global.get("path") ?? this.longName ?? h.path;
    const globalName = !local?.has("path") && global.has("path");
    const linkname = local?.get("linkpath") ?? global.get("linkpath") ?? this.longLink ?? h.linkpath;
    const globalLink = !local?.has("linkpath") && global.has("linkpath");
    const paxPath = local?.get("path") ?? global.get("path");
    const conflictingNames = paxPath !== undefined && this.longName !== null && cutNul(paxPath) !== cutNul(this.longName) ? { pax: paxPath, gnu: this.longName } : undefined;
    const nameFromHeader = paxPath === undefined && this.longName === null;
    const sizeRec = local?.get("size") ?? global.get("size");
    const declared = sizeRec !== undefined ? paxSize(sizeRec, offset) : rawSize;
    const sparseKeys = local && [...local.keys()].some((k) => k.startsWith("GNU.sparse."));
    this.localPax = null;
    this.longName = null;
    this.longLink = null;
    let nulInName: string | undefined;
    if (name.includes("\0")) {
      nulInName = name;
      name = cutNul(name);
    }
    const trailingSlash = name.endsWith("/");
    let type: FrameType;
    switch (typeflag) {
      case "0":
      case "":
      case "7":
        type = trailingSlash ? "dir" : "file"; // GNU tar: a directory, whose size is ignored
        break;
      case "1":
        type = "hardlink";
        break;
      case "2":
        type = "symlink";
        break;
      case "3":
        type = "chardev";
        break;
      case "4":
        type = "blockdev";
        break;
      case "5":
      case "D":
        type = "dir";
        break;
      case "6":
        type = "fifo";
        break;
      case "S":
        type = "sparse";
        break;
      case "V":
      case "M":
        type = "skip";
        break;
      default:
        type = "file"; // GNU tar: "Unknown file type 'Z', extracted as normal file"
    }
    const unknownType = !"01234567xgLKSDVM".includes(typeflag || "0");
    const sizeless = SIZELESS.has(typeflag) || (type === "dir" && typeflag !== "D");
    const size = sizeless ? 0 : declared;
    const frame: Frame = {
      offset,
      name,
      linkname: cutNul(linkname),
      type,
      typeflag,
      mode: h.mode & 0o7777,
      size,
      ignoredSize: sizeless ? declared : 0,
      ...(globalName ? { globalName } : {}),
      ...(globalLink ? { globalLink } : {}),
      ...(conflictingNames ? { conflictingNames } : {}),
      ...(nulInName !== undefined ? { nulInName } : {}),
    };
    if (unknownType) frame.unknownType = true;
    if (this.repeated.length) {
      frame.repeated = this.repeated;
      this.repeated = [];
    }
    if (sizeRec !== undefined && !sizeless && declared !== rawSize) frame.paxSizeOverride = { header: rawSize, pax: declared };
    if (h.ignoredPrefix !== undefined && nameFromHeader) frame.ignoredPrefix = h.ignoredPrefix;
    if (sparseKeys) {
      const major = local!.get("GNU.sparse.major");
      const realName = local!.get("GNU.sparse.name");
      if (realName) {
        frame.rawName = frame.name;
        frame.name = cutNul(realName);
      }
      const real = local!.get("GNU.sparse.realsize") ?? local!.get("GNU.sparse.size");
      frame.type = "sparse";
      const minor = local!.get("GNU.sparse.minor") ?? "0";
      frame.sparse = {
        format: major !== undefined ? `pax ${major}.${minor}` : "pax 0.x",
        ...(real && /^\d{1,15}$/.test(real) ? { realSize: Number(real) } : {}),
        ...(major === "1" && minor === "0" ? { mapInData: true } : {}),
      };
      const m = local!.get("GNU.sparse.map"); // PAX 0.1: "offset,length,offset,length,..."
      if (major === undefined && m !== undefined) {
        const nums = m === "" ? [] : m.split(",");
        if (nums.length % 2 || !nums.every((x) => /^\d{1,15}$/.test(x))) throw corrupt(`the pax sparse map of ${frame.name} is malformed`);
        frame.sparse.map = [];
        for (let k = 0; k < nums.length; k += 2) frame.sparse.map.push([Number(nums[k]), Number(nums[k + 1])]);
        frame.sparse.format = "pax 0.1";
      }
    }
    if (type === "sparse") {
      const realSize = safeSize(block.subarray(483, 495));
      frame.sparse = { format: "GNU (type S)", ...(realSize !== undefined ? { realSize } : {}), map: [] };
      readSparseMap(block, 386, 4, frame.sparse.map!);
      if (block[482] !== 0) {
        // Old GNU sparse: extension blocks with more of the sparse map follow the header.
        this.pendingSparse = frame;
        this.state = "sparse-ext";
        return;
      }
    }
    this.emit(frame);
  }

  private onSparseExt(): void {
    const frame = this.pendingSparse!;
    readSparseMap(this.hdr, 0, 21, frame.sparse!.map!);
    if (this.hdr[504] !== 0) return; // another extension block follows
    this.pendingSparse = null;
    this.state = "header";
    this.emit(frame);
  }

  private emit(frame: Frame): void {
    const sink = this.events.member(frame);
    this.startData(frame.size, sink);
  }

  private onExt(): void {
    const e = this.ext!;
    this.ext = null;
    this.applyExt(e.kind, e.buf, e.offset);
    this.state = this.padLeft ? "pad" : "header";
  }

  private applyExt(kind: string, buf: Buffer, offset: number): void {
    if (kind === "L") {
      const v = cutAtNul(buf);
      if (this.longName !== null && this.longName !== v) this.repeated.push(`GNU long name '${this.longName}' then '${v}'`);
      this.longName = v;
    } else if (kind === "K") {
      const v = cutAtNul(buf);
      if (this.longLink !== null && this.longLink !== v) this.repeated.push(`GNU long link '${this.longLink}' then '${v}'`);
      this.longLink = v;
    } else {
      const recs = parsePax(buf, offset);
      if (kind === "g") {
        for (const [k, v] of recs) this.globalPax.set(k, v);
        this.events.globalPax?.(recs, offset);
      } else {
        this.localPax ??= new Map();
        for (const [k, v] of recs) {
          const prev = this.localPax.get(k);
          if (prev !== undefined && prev !== v && (k === "path" || k === "linkpath" || k === "size")) this.repeated.push(`pax ${k} '${prev}' then '${v}'`);
          this.localPax.set(k, v);
        }
      }
    }
  }
}

function cutAtNul(buf: Buffer): string {
  const i = buf.indexOf(0);
  return buf.toString("utf8", 0, i < 0 ? buf.length : i);
}

/** Old GNU sparse map entries: `count` pairs of 12-byte (offset, length) fields from `at`. */
function readSparseMap(block: Buffer, at: number, count: number, out: [number, number][]): void {
  for (let k = 0; k < count; k++) {
    const o = at + k * 24;
    if (block[o] === 0) break;
    const off = safeSize(block.subarray(o, o + 12));
    const len = safeSize(block.subarray(o + 12, o + 24));
    if (off === undefined || len === undefined) throw corrupt("a GNU sparse map entry is not a number");
    out.push([off, len]);
  }
}

function safeSize(field: Buffer): number | undefined {
  try {
    return decodeSize(field, 0);
  } catch {
    return undefined;
  }
}

const str = (b: Buffer, from: number, to: number): string => {
  const nul = b.indexOf(0, from);
  return b.toString("utf8", from, nul < 0 || nul > to ? to : nul);
};

/**
 * The fields of a header block distvet uses. The ustar prefix (bytes 345..500) is read only with
 * the POSIX magic "ustar\0", as GNU tar does (old GNU headers keep times there).
 */
export function decodeHeader(block: Buffer): { path: string; linkpath: string; mode: number; ignoredPrefix?: string } {
  let path = str(block, 0, 100);
  let ignoredPrefix: string | undefined;
  if (block[345] !== 0) {
    if (block[257] === 0x75 && block.toString("latin1", 257, 263) === "ustar\0") path = `${str(block, 345, 500)}/${path}`;
    // Python's tarfile prepends this field whatever the magic says (except for GNU sparse headers).
    else if (block[156] !== 0x53) ignoredPrefix = str(block, 345, 500);
  }
  const m = /^ *([0-7]+)/.exec(block.toString("latin1", 100, 108));
  return { path, linkpath: str(block, 157, 257), mode: m ? parseInt(m[1]!, 8) : 0, ...(ignoredPrefix !== undefined ? { ignoredPrefix } : {}) };
}

/** Decode the name of a header block found somewhere it should not be (after the end marker, in skipped data). */
export function peekHeaderName(block: Buffer): string | null {
  if (block.length < BLOCK || isZero(block, 0, BLOCK) || !checksumOk(block)) return null;
  return decodeHeader(block).path;
}
