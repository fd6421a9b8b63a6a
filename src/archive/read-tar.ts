import { createReadStream, writeFileSync } from "node:fs";
import { join } from "node:path";
import { open, stat } from "node:fs/promises";
import { createHash } from "node:crypto";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ArchiveAmbiguity, TarEntry } from "../types.js";
import { DistvetError } from "../errors.js";
import { BlobHasher, blobId } from "./blob-id.js";
import { detectCompression, type Compression } from "./detect.js";
import { archiveError, createDecompressor } from "./decompress.js";
import { BLOCK, peekHeaderName, TarFramer, type Frame, type FrameSink } from "./tar-frames.js";
import { ExtractedTree, Kept, Node, StrippedRoot, type Twin } from "./extracted-tree.js";
import { sparseSink } from "./sparse.js";

/** Entries up to this size are kept in memory when they differ from git; larger ones keep only a head. */
export const RETAIN_MAX_BYTES = 8 * 1024 * 1024;
export const HEAD_BYTES = 64 * 1024;
/** Total bytes kept for all entries together; beyond it only blob ids are kept (and the entry is listed as not checked). */
export const RETAIN_BUDGET_BYTES = 96 * 1024 * 1024;
/**
 * With a spill directory, only this much of the budget stays in memory; the rest is written to
 * files there and read back when a check needs it (the same bytes are checked, memory stays bounded).
 */
export const RETAIN_MEMORY_BYTES = 16 * 1024 * 1024;
const EMPTY = Buffer.alloc(0);
/** Members larger than this are gathered in the reused scratch buffer. */
const SCRATCH_FROM = 256 * 1024;
const EMPTY_OID = blobId(EMPTY);
/** Member names listed in one ambiguity message. */
const MAX_NAMES = 10;

export interface ReadTarOptions {
  /**
   * Called once an entry's blob id is known: return true to keep its bytes (bounded by
   * RETAIN_MAX_BYTES per entry and RETAIN_BUDGET_BYTES in total). `path` is the member's path as
   * extracted (through symlinks, pax records), before the top-level directory is stripped.
   */
  retain?: (oid: string, path: string, size: number) => boolean;
  /**
   * Look at a file's bytes while they stream past (files up to RETAIN_MAX_BYTES whose as-extracted
   * path `wantsInspection` accepts), so content checks need not re-read them later. `inspect` gets
   * the member's stored name (the entry's rawName). The bytes are valid only during the call
   * (large members share one reused buffer): copy what must be kept.
   */
  wantsInspection?: (path: string) => boolean;
  inspect?: (rawName: string, bytes: Buffer) => void;
  onProgress?: (bytesRead: number, totalBytes: number) => void;
  /** Decode in-process even when the system tools exist. */
  forceJsDecompressors?: boolean;
  /** Override the retained-bytes budget (tests). */
  retainBudget?: number;
  /**
   * A private directory (created on first call, removed by the caller when done) for retained
   * bytes beyond RETAIN_MEMORY_BYTES. Without it the whole budget is kept in memory.
   */
  spillDir?: () => string;
  /** Override the in-memory part of the budget when spilling (tests). */
  retainMemory?: number;
  /**
   * The caller's entry for a path (top-level directory stripped), whose path and blob id strings
   * a matching member shares instead of holding copies (memory only: no value changes).
   */
  twin?: Twin;
}

export type ArchiveEntry = TarEntry;

export interface ArchiveListing {
  compression: Compression;
  sha256: string;
  /** Size of the archive file in bytes. */
  bytes: number;
  /** Commit id from a `git archive` pax global header (comment=...), when present. */
  paxCommit?: string;
  /** Top-level directory that was stripped from every entry, if there was a single one. */
  root?: string;
  /**
   * The tree `tar x` (GNU tar, as dpkg-source runs it) leaves on disk: one entry per path, last
   * writer wins, symlinked parents followed. Members GNU tar refuses (names with `..`) or moves
   * (absolute names) follow, flagged `unsafe`.
   */
  entries: ArchiveEntry[];
  /** Entries whose content could not be established (e.g. hardlink to a missing member). */
  problems: { path: string; reason: string }[];
  /** Places where GNU tar, bsdtar and Python tarfile (or another reader) would produce different trees. */
  ambiguities: ArchiveAmbiguity[];
}

/** A file name for a one-line message: control characters (a newline in a name) escaped. */
const shown = (file: string): string => file.replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);

async function readHead(file: string, n: number): Promise<Buffer> {
  const fh = await open(file, "r");
  try {
    const buf = Buffer.alloc(n);
    const { bytesRead } = await fh.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** Scans what follows the end-of-archive marker for member headers (what `tar -i` would extract). */
class TrailingScan {
  private block = Buffer.alloc(BLOCK);
  private fill = 0;
  private at = -1;
  nonZero = 0;
  firstNonZero = -1;
  names: string[] = [];
  headers = 0;
  update(chunk: Buffer, offset: number): void {
    if (this.at < 0) this.at = offset;
    let i = 0;
    while (i < chunk.length) {
      const n = Math.min(BLOCK - this.fill, chunk.length - i);
      chunk.copy(this.block, this.fill, i, i + n);
      this.fill += n;
      i += n;
      if (this.fill === BLOCK) {
        this.check(this.block, BLOCK);
        this.at += BLOCK;
        this.fill = 0;
      }
    }
  }
  end(): void {
    if (this.fill) this.check(this.block, this.fill);
  }
  private check(b: Buffer, len: number): void {
    let nz = 0;
    for (let i = 0; i < len; i++) if (b[i] !== 0) nz++;
    if (!nz) return;
    if (this.firstNonZero < 0) this.firstNonZero = this.at;
    this.nonZero += nz;
    const name = len === BLOCK ? peekHeaderName(b) : null;
    if (name !== null) {
      this.headers++;
      if (this.names.length < MAX_NAMES && !this.names.includes(name)) this.names.push(name);
    }
  }
}

/**
 * Stream a tarball once: detect compression by magic bytes, decompress, frame it as GNU tar does,
 * and compute the tree `tar x` leaves behind with every file's git blob id. Nothing is written to disk
 * but retained bytes past the in-memory budget, into the caller's private spill directory (names chosen here).
 */
export async function readTarball(file: string, opts: ReadTarOptions = {}): Promise<ArchiveListing> {
  let size: number;
  try {
    const st = await stat(file);
    if (!st.isFile()) throw new DistvetError("E_TARBALL_NOT_FOUND", `${shown(file)} is not a regular file`);
    size = st.size;
  } catch (e) {
    if (e instanceof DistvetError) throw e;
    throw new DistvetError("E_TARBALL_NOT_FOUND", `tarball not found: ${shown(file)}`);
  }
  const head = await readHead(file, 512);
  const kind = detectCompression(head);
  if (kind === "zip") {
    throw new DistvetError("E_NOT_AN_ARCHIVE", `${shown(file)} is a zip archive; distvet audits tar archives (.tar, .tar.gz, .tar.xz, .tar.bz2, .tar.zst)`);
  }
  if (kind === "unknown") {
    throw new DistvetError("E_NOT_AN_ARCHIVE", `${shown(file)} is not a tarball (no gzip, xz, bzip2, zstd or tar signature found)`);
  }

  const sha256 = createHash("sha256");
  let bytesRead = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      sha256.update(chunk);
      bytesRead += chunk.length;
      opts.onProgress?.(bytesRead, size);
      cb(null, chunk);
    },
  });
  const decomp = createDecompressor(kind, { forceJs: opts.forceJsDecompressors ?? false });
  const feeding = pipeline(createReadStream(file), meter, decomp.input).catch((e: unknown) => e);

  const tree = new ExtractedTree();
  const budget = opts.retainBudget ?? RETAIN_BUDGET_BYTES;
  let retained = 0;
  const inMemory = opts.spillDir ? Math.min(opts.retainMemory ?? RETAIN_MEMORY_BYTES, budget) : budget;
  let spills = 0;
  /**
   * Keep `bytes` (whole content or head): in memory within its part of the budget, else in a spill
   * file. Returns why it could not be kept, or null.
   */
  const keep = (node: Node, bytes: Buffer, whole: boolean, copy: boolean): string | null => {
    if (retained + bytes.length > budget) {
      return `its bytes were not kept: the ${budget / 1048576} MiB budget for differing content was used up, so only its blob id was compared (content rules did not read it)`;
    }
    if (retained + bytes.length <= inMemory || bytes.length === 0) {
      const b = copy ? Buffer.from(bytes) : bytes;
      node.kept = whole ? b : new Kept(false, b);
    } else {
      try {
        const file = join(opts.spillDir!(), String(++spills));
        writeFileSync(file, bytes, { flag: "wx", mode: 0o600 });
        node.kept = new Kept(whole, undefined, file);
      } catch (e) {
        return `its bytes were not kept: they could not be written to the temporary directory (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}), so only its blob id was compared (content rules did not read it)`;
      }
    }
    retained += bytes.length;
    return null;
  };
  let scratch: Buffer | undefined;
  let paxCommit: string | undefined;
  let emptyPaxAt = -1;
  /** Size fields GNU tar ignores: members in that range are hidden from readers that honour them. */
  const hiding: { amb: ArchiveAmbiguity; until: number; names: string[]; what: string }[] = [];
  const trailing = new TrailingScan();

  const sinkFor = (frame: Frame, node: Node): FrameSink => {
    if (frame.size === 0) {
      return {
        update() {},
        end() {
          node.oid = EMPTY_OID;
          node.size = 0;
          if (opts.inspect && opts.wantsInspection?.(node.path)) opts.inspect(node.rawName, EMPTY);
          if (opts.retain?.(EMPTY_OID, node.path, 0)) node.kept = EMPTY;
          tree.written(node);
        },
      };
    }
    const hasher = new BlobHasher(frame.size);
    // Members stream one at a time: large ones are gathered in one reused scratch buffer and
    // copied out (exact size) only when kept, so memory is the budget plus one scratch buffer.
    const reuse = frame.size > SCRATCH_FROM;
    if (reuse && !scratch) scratch = Buffer.allocUnsafe(RETAIN_MAX_BYTES);
    const whole = frame.size <= RETAIN_MAX_BYTES ? (reuse ? scratch!.subarray(0, frame.size) : Buffer.allocUnsafe(frame.size)) : null;
    const head = whole ? null : Buffer.allocUnsafe(HEAD_BYTES);
    let fill = 0;
    return {
      update(chunk) {
        hasher.update(chunk);
        const dst = whole ?? head!;
        if (fill < dst.length) fill += chunk.copy(dst, fill, 0, Math.min(chunk.length, dst.length - fill));
      },
      end() {
        node.oid = hasher.digest();
        node.size = frame.size;
        if (whole && opts.inspect && opts.wantsInspection?.(node.path)) opts.inspect(node.rawName, whole);
        if (opts.retain?.(node.oid, node.path, frame.size)) {
          const why = keep(node, whole ?? head!, whole !== null, whole !== null && reuse);
          if (why) tree.problems.push({ path: node.path, reason: why });
        }
        tree.written(node);
      },
    };
  };

  const member = (frame: Frame): FrameSink | null => {
    for (const h of hiding) if (frame.offset < h.until && h.names.length < MAX_NAMES) h.names.push(frame.name);
    if (emptyPaxAt >= 0) {
      tree.ambiguity(frame.name, `a zero-length pax extended header (byte ${emptyPaxAt}) precedes it: GNU tar, bsdtar and Python tarfile read the next block as this member's header; readers that mishandle the empty header (tar-stream 3) lose their place in the archive`, {
        "GNU tar": `extracts ${frame.name}`,
        bsdtar: `extracts ${frame.name}`,
        "Python tarfile": `extracts ${frame.name}`,
      });
      emptyPaxAt = -1;
    }
    if (frame.ignoredSize > 0) {
      const kindName = { hardlink: "hard link", symlink: "symlink", dir: "directory", chardev: "character device", blockdev: "block device", fifo: "FIFO" }[frame.type as string] ?? frame.type;
      const amb: ArchiveAmbiguity = { path: frame.name, what: "" };
      tree.ambiguities.push(amb);
      hiding.push({
        amb,
        until: frame.offset + BLOCK + Math.ceil(frame.ignoredSize / BLOCK) * BLOCK,
        names: [],
        what: `${kindName} header declares ${frame.ignoredSize} bytes of data: GNU tar, bsdtar and Python tarfile ignore the size and read what follows as member headers`,
      });
      const slashFile = frame.type === "dir" && frame.typeflag !== "5";
      if (slashFile) hiding[hiding.length - 1]!.what = `regular-file header named like a directory (${frame.name}) declares ${frame.ignoredSize} bytes of data: GNU tar and bsdtar treat it as a directory and read what follows as member headers, Python tarfile extracts those bytes as a file`;
      amb.extractors = {
        "GNU tar": "reads the next block as a header",
        bsdtar: frame.type === "hardlink" ? `writes the ${frame.ignoredSize} bytes as the content of ${frame.name}` : "reads the next block as a header",
        "Python tarfile": slashFile ? `a ${frame.ignoredSize}-byte file ${frame.name}` : "reads the next block as a header",
        "size-honouring readers (tar-stream)": `skip ${frame.ignoredSize} bytes as data`,
      };
    }
    if (frame.ignoredPrefix !== undefined) {
      tree.ambiguity(frame.name, `the header has no POSIX ustar magic but a prefix field '${frame.ignoredPrefix}': GNU tar and bsdtar ignore it (${frame.name}), Python tarfile prepends it (${frame.ignoredPrefix}/${frame.name})`, {
        "GNU tar": frame.name,
        bsdtar: frame.name,
        "Python tarfile": `${frame.ignoredPrefix}/${frame.name}`,
      });
    }
    if (frame.repeated) {
      tree.ambiguity(frame.name, `its extension headers give a value twice (${frame.repeated.join("; ")}): GNU tar uses the last, Python tarfile the first`, {
        "GNU tar": `the last (${frame.name})`,
        "Python tarfile": "the first",
      });
    }
    if (frame.paxSizeOverride) {
      tree.ambiguity(frame.name, `a pax record sets its size to ${frame.paxSizeOverride.pax} bytes while the header says ${frame.paxSizeOverride.header}: GNU tar, bsdtar and Python tarfile use the pax size, readers without pax support use the header's and read different members after it`, {
        "GNU tar": `${frame.paxSizeOverride.pax} bytes`,
        "readers without pax": `${frame.paxSizeOverride.header} bytes`,
      });
    }
    if (frame.unknownType) {
      tree.ambiguity(frame.name, `unknown type flag '${frame.typeflag}': GNU tar, bsdtar and Python tarfile extract it as a regular file, other readers (node-tar) skip it`, {
        "GNU tar": "a regular file",
        bsdtar: "a regular file",
        "Python tarfile": "a regular file",
        "node-tar": "skipped",
      });
    }
    if (frame.conflictingNames) {
      tree.ambiguity(frame.name, `one member is named twice: pax path '${frame.conflictingNames.pax}' and GNU long name '${frame.conflictingNames.gnu}'; GNU tar, bsdtar and Python tarfile use the pax path, readers without pax support use the long name`, {
        "GNU tar": frame.name,
        "readers without pax": frame.conflictingNames.gnu,
      });
    }
    if (frame.nulInName !== undefined) {
      tree.ambiguity(frame.name, `the member name ${JSON.stringify(frame.nulInName)} contains a NUL byte: GNU tar and bsdtar cut it at the NUL (${frame.name}), Python tarfile fails on it`, {
        "GNU tar": frame.name,
        bsdtar: frame.name,
        "Python tarfile": "fails (embedded null byte)",
      });
    }
    let node: Node | null;
    switch (frame.type) {
      case "skip":
        return null;
      case "dir":
        tree.place(frame.name, { type: "dir", mode: frame.mode, size: 0 });
        return null;
      case "symlink": {
        const target = frame.linkname;
        node = tree.place(frame.name, { type: "symlink", mode: frame.mode, size: Buffer.byteLength(target), linkTarget: target, oid: blobId(target) });
        if (node) tree.written(node);
        return null;
      }
      case "hardlink": {
        node = tree.place(frame.name, { type: "file", mode: frame.mode, size: 0 }, { hard: frame.linkname });
        if (node?.unsafe) {
          node.hardlinkTo = frame.linkname;
          tree.problems.push({ path: node.rawName, reason: `hardlink to '${frame.linkname}' with an unsafe name; its content was not established` });
        }
        if (node) tree.written(node);
        return null;
      }
      case "chardev":
      case "blockdev":
      case "fifo":
        node = tree.place(frame.name, { type: "other", mode: frame.mode, size: 0 });
        if (node) tree.written(node);
        return null;
      case "sparse": {
        const sp = frame.sparse!;
        const real = sp.realSize;
        node = tree.place(frame.name, { type: "file", mode: frame.mode, size: real ?? frame.size });
        if (!node || node.unsafe) return null;
        const n = node;
        const notRebuilt = (why: string) => {
          tree.ambiguity(n.path, `sparse member (${sp.format} format) that distvet cannot rebuild: ${why}; GNU tar, bsdtar and Python tarfile write their own reading of it, so the content that lands on disk was not audited`, {
            "GNU tar": real !== undefined ? `a ${real}-byte file` : "a sparse file",
            distvet: "content not rebuilt",
          });
          tree.problems.push({ path: n.path, reason: `sparse member: its content was not rebuilt (${why}) or compared` });
        };
        if (real === undefined || (!sp.map && !sp.mapInData)) {
          notRebuilt(real === undefined ? "no real size" : `the ${sp.format} format is not supported`);
          return null;
        }
        tree.ambiguity(n.path, `sparse member (${sp.format} format, ${real} bytes once rebuilt): GNU tar, bsdtar and Python tarfile rebuild it (distvet audits that content); readers without sparse support (tar-stream, node-tar) see the raw map and data${frame.rawName && frame.rawName !== frame.name ? ` under the name ${frame.rawName}` : ""}`, {
          "GNU tar": `a ${real}-byte file`,
          "tar-stream / node-tar": frame.rawName && frame.rawName !== frame.name ? `${frame.rawName} (map and data, unrebuilt)` : "the map and data, unrebuilt",
        });
        return sparseSink(frame.size, real, sp.map ?? null, sinkFor({ ...frame, size: real }, n), notRebuilt);
      }
      case "file":
        node = tree.place(frame.name, { type: "file", mode: frame.mode, size: frame.size });
        return node ? sinkFor(frame, node) : null;
    }
  };

  const framer = new TarFramer(
    {
      member,
      globalPax(recs, offset) {
        const comment = recs.get("comment");
        if (paxCommit === undefined && comment && /^[0-9a-f]{40}$/.test(comment)) paxCommit = comment;
        for (const key of ["path", "linkpath", "size"]) {
          const v = recs.get(key);
          if (v === undefined) continue;
          const path = key === "path" ? v : `(pax global header at byte ${offset})`;
          tree.ambiguity(path, `a pax global header sets ${key}=${JSON.stringify(v.slice(0, 200))}: GNU tar and Python tarfile apply it to every later member${key === "path" ? " (each is extracted under this one name, the last wins)" : ""}, bsdtar ignores it`, {
            "GNU tar": `applies ${key}=${v.slice(0, 200)} to every later member`,
            bsdtar: "ignores it",
            "Python tarfile": `applies ${key}=${v.slice(0, 200)} to every later member`,
          });
        }
      },
      emptyPax(offset) {
        emptyPaxAt = offset;
      },
    },
    (chunk, offset) => trailing.update(chunk, offset),
  );

  try {
    for await (const chunk of decomp.output as AsyncIterable<Buffer>) framer.write(chunk);
    framer.end();
    trailing.end();
    await decomp.done;
    const fed = (await feeding) as { code?: string } | undefined;
    // Old-style through streams (unbzip2-stream) close their writable side early; the output ended cleanly.
    if (fed && fed.code !== "ERR_STREAM_PREMATURE_CLOSE") throw fed;
  } catch (err) {
    decomp.abort();
    await decomp.done.catch(() => undefined);
    const fed = await feeding;
    throw archiveError(err instanceof DistvetError ? err : (fed ?? err), kind);
  }
  if (!framer.sawHeader) throw new DistvetError("E_NOT_AN_ARCHIVE", `${shown(file)} holds no tar entries (an empty or non-tar ${kind} stream)`);

  for (const h of hiding) {
    h.amb.what = `${h.what}${h.names.length ? ` (${h.names.join(", ")})` : ""}; readers that honour the size skip ${h.names.length ? "these members" : "those bytes"}`;
  }
  if (trailing.headers > 0) {
    const first = trailing.names[0]!;
    tree.ambiguity(first, `${trailing.headers} member header(s) after the end-of-archive marker (byte ${framer.endOffset}): ${trailing.names.join(", ")}${trailing.headers > trailing.names.length ? ", ..." : ""}; GNU tar, bsdtar and Python tarfile stop at the marker and do not extract them, tar -i (--ignore-zeros) and readers that read on (tar-stream) do`, {
      "GNU tar": "stops at the end-of-archive marker",
      bsdtar: "stops at the end-of-archive marker",
      "Python tarfile": "stops at the end-of-archive marker",
      "tar -i / tar-stream": `also extracts ${trailing.names.join(", ")}`,
    });
  } else if (trailing.nonZero > 0) {
    tree.problems.push({ path: "(after the end of the archive)", reason: `${trailing.nonZero} non-zero bytes follow the end-of-archive marker (from byte ${trailing.firstNonZero}); no extractor reads them and they hold no member header` });
  }

  const entries = tree.entries();
  tree.release();
  const root = stripRoot(entries, opts.twin);
  if (root === undefined && opts.twin) for (const e of entries) if (e instanceof Node && !e.unsafe) e.share(e.path, opts.twin);
  const strip = (p: string): string => (root !== undefined && p.startsWith(`${root}/`) ? p.slice(root.length + 1) : p);
  const ambiguities = tree.ambiguities.map((a) => ({ ...a, path: strip(normalizeLoose(a.path)) }));
  return {
    compression: kind,
    sha256: sha256.digest("hex"),
    bytes: size,
    ...(paxCommit ? { paxCommit } : {}),
    ...(root !== undefined ? { root } : {}),
    entries: root !== undefined ? entries.filter((e) => e.path !== "") : entries,
    problems: tree.problems.map((p) => ({ ...p, path: strip(p.path) })),
    ambiguities,
  };
}

/** A member name as a plain relative path for messages ("./a//b" -> "a/b"); unsafe names are kept. */
const normalizeLoose = (p: string): string => {
  const parts = p.split("/").filter((s) => s !== "" && s !== ".");
  return parts.includes("..") || p.startsWith("/") ? p : parts.join("/");
};

const stripFirst = (p: string): string => {
  const i = p.indexOf("/");
  return i < 0 ? "" : p.slice(i + 1);
};

/**
 * Strip the single top-level directory shared by every entry (in place); return its name.
 * Members with unsafe names (absolute, "..") keep their raw name and do not count, so one planted
 * "/etc/x" cannot turn every other member into a difference.
 */
function stripRoot(entries: ArchiveEntry[], twin?: Twin): string | undefined {
  const safe = entries.filter((e) => !e.unsafe);
  if (safe.length === 0) return undefined;
  const first = safe[0]!.path.split("/")[0]!;
  if (!first) return undefined;
  for (const e of safe) {
    const p = e.path;
    if (p !== first && !(p.startsWith(first) && p[first.length] === "/")) return undefined;
    if (p === first && e.type !== "dir") return undefined;
  }
  const root = new StrippedRoot(`${first}/`);
  for (const e of safe) {
    if (e instanceof Node) e.stripRoot(root, twin);
    else e.path = stripFirst(e.path);
    if (e.hardlinkTo !== undefined) e.hardlinkTo = stripFirst(e.hardlinkTo);
  }
  return first;
}
