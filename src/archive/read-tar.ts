import { createReadStream } from "node:fs";
import { open, stat } from "node:fs/promises";
import { createHash } from "node:crypto";
import { PassThrough, pipeline } from "node:stream";
import * as tar from "tar-stream";
import type { EntryType, TarEntry } from "../types.js";
import { DistvetError } from "../errors.js";
import { BlobHasher, blobId } from "./blob-id.js";
import { detectCompression, type Compression } from "./detect.js";
import { archiveError, createDecompressor } from "./decompress.js";
import { normalizeMemberName } from "./paths.js";

/** Entries up to this size are kept in memory when they differ from git; larger ones keep only a head. */
export const RETAIN_MAX_BYTES = 8 * 1024 * 1024;
export const HEAD_BYTES = 64 * 1024;

export interface ReadTarOptions {
  /** Called once an entry's blob id is known: return true to keep its bytes (bounded by RETAIN_MAX_BYTES). */
  retain?: (oid: string, rawName: string, size: number) => boolean;
  /**
   * Look at a file's bytes while they stream past (files up to RETAIN_MAX_BYTES whose name
   * `wantsInspection` accepts), so content checks need not re-read them later.
   */
  wantsInspection?: (rawName: string) => boolean;
  inspect?: (rawName: string, bytes: Buffer) => void;
  onProgress?: (bytesRead: number, totalBytes: number) => void;
  /** Decode bzip2/zstd in JavaScript even when the system tools exist. */
  forceJsDecompressors?: boolean;
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
  entries: ArchiveEntry[];
  /** Entries whose content could not be established (e.g. hardlink to a missing member). */
  problems: { path: string; reason: string }[];
}

const typeOf = (t: string | null | undefined): EntryType | "hardlink" => {
  switch (t) {
    case "file":
    case "contiguous-file":
      return "file";
    case "symlink":
      return "symlink";
    case "link":
      return "hardlink";
    case "directory":
      return "dir";
    default:
      return "other";
  }
};

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

/**
 * Stream a tarball once: detect compression by magic bytes, decompress, and record every
 * member's path, type, mode, size and git blob id. Nothing is written to disk.
 */
export async function readTarball(file: string, opts: ReadTarOptions = {}): Promise<ArchiveListing> {
  let size: number;
  try {
    const st = await stat(file);
    if (!st.isFile()) throw new DistvetError("E_TARBALL_NOT_FOUND", `${file} is not a regular file`);
    size = st.size;
  } catch (e) {
    if (e instanceof DistvetError) throw e;
    throw new DistvetError("E_TARBALL_NOT_FOUND", `tarball not found: ${file}`);
  }
  const head = await readHead(file, 512);
  const kind = detectCompression(head);
  if (kind === "zip") {
    throw new DistvetError("E_NOT_AN_ARCHIVE", `${file} is a zip archive; distvet audits tar archives (.tar, .tar.gz, .tar.xz, .tar.bz2, .tar.zst)`);
  }
  if (kind === "unknown") {
    throw new DistvetError("E_NOT_AN_ARCHIVE", `${file} is not a tarball (no gzip, xz, bzip2, zstd or tar signature found)`);
  }
  const sha256 = createHash("sha256");
  let bytesRead = 0;
  const meter = new PassThrough();
  meter.on("data", (chunk: Buffer) => {
    sha256.update(chunk);
    bytesRead += chunk.length;
    opts.onProgress?.(bytesRead, size);
  });
  const decomp = createDecompressor(kind, { forceJs: opts.forceJsDecompressors ?? false });
  // allowUnknownFormat: xz and curl ship V7/old-GNU variants that strict ustar parsing rejects.
  const extract = tar.extract({ allowUnknownFormat: true } as Parameters<typeof tar.extract>[0]);
  let pipelineError: unknown;
  pipeline(createReadStream(file), meter, decomp.stream, extract, (err) => {
    if (err) pipelineError = err;
  });

  const entries: ArchiveEntry[] = [];
  const problems: { path: string; reason: string }[] = [];
  const byName = new Map<string, ArchiveEntry>();
  let sawHeader = false;
  try {
    for await (const member of extract) {
      sawHeader = true;
      const h = member.header;
      const t = typeOf(h.type);
      const safe = normalizeMemberName(h.name);
      const base: ArchiveEntry = {
        path: safe.path,
        rawName: h.name,
        type: t === "hardlink" ? "file" : t,
        mode: (h.mode ?? 0) & 0o7777,
        size: h.size ?? 0,
        ...(h.mtime ? { mtime: h.mtime.getTime() / 1000 } : {}),
        ...(safe.unsafe ? { unsafe: safe.unsafe } : {}),
      };
      if (t === "file") {
        const hasher = new BlobHasher(base.size);
        const chunks: Buffer[] = [];
        let kept = 0;
        for await (const chunk of member as AsyncIterable<Buffer>) {
          hasher.update(chunk);
          if (kept < RETAIN_MAX_BYTES) {
            chunks.push(chunk);
            kept += chunk.length;
          }
        }
        base.oid = hasher.digest();
        const whole = base.size <= RETAIN_MAX_BYTES ? Buffer.concat(chunks) : null;
        if (whole && opts.inspect && opts.wantsInspection?.(h.name)) opts.inspect(h.name, whole);
        if (opts.retain?.(base.oid, h.name, base.size)) {
          const buf = whole ?? Buffer.concat(chunks);
          if (base.size <= RETAIN_MAX_BYTES) base.data = buf;
          else base.head = buf.subarray(0, HEAD_BYTES);
        }
      } else {
        member.resume();
        await new Promise<void>((resolve) => member.once("end", resolve));
        if (t === "symlink") {
          base.linkTarget = h.linkname ?? "";
          base.oid = blobId(base.linkTarget);
          base.size = Buffer.byteLength(base.linkTarget);
        } else if (t === "hardlink") {
          const target = normalizeMemberName(h.linkname ?? "").path;
          const prev = byName.get(target);
          base.hardlinkTo = target;
          if (prev && prev.type === "file") {
            base.oid = prev.oid;
            base.size = prev.size;
            if (prev.data) base.data = prev.data;
            if (prev.head) base.head = prev.head;
          } else {
            problems.push({ path: safe.path, reason: `hardlink to '${h.linkname}', which is not an earlier file in the archive` });
          }
        }
      }
      if (base.type !== "dir") byName.set(safe.path, base);
      entries.push(base);
    }
    await decomp.done;
  } catch (err) {
    throw archiveError(pipelineError ?? err, kind);
  }
  if (pipelineError) throw archiveError(pipelineError, kind);
  if (!sawHeader) throw new DistvetError("E_NOT_AN_ARCHIVE", `${file} holds no tar entries (an empty or non-tar ${kind} stream)`);

  const paxGlobal = (extract as unknown as { _paxGlobal?: Record<string, string> | null })._paxGlobal;
  const paxCommit = paxGlobal?.comment && /^[0-9a-f]{40}$/.test(paxGlobal.comment) ? paxGlobal.comment : undefined;
  const root = stripRoot(entries);
  return {
    compression: kind,
    sha256: sha256.digest("hex"),
    bytes: size,
    ...(paxCommit ? { paxCommit } : {}),
    ...(root !== undefined ? { root } : {}),
    entries: entries.filter((e) => e.path !== ""),
    problems: problems.map((p) => ({ ...p, path: root !== undefined ? stripFirst(p.path) : p.path })),
  };
}

const stripFirst = (p: string): string => {
  const i = p.indexOf("/");
  return i < 0 ? "" : p.slice(i + 1);
};

/**
 * Strip the single top-level directory shared by every entry (in place); return its name.
 * Members with unsafe names (absolute, "..") keep their raw name and do not count, so one planted
 * "/etc/x" cannot turn every other member into a difference.
 */
function stripRoot(entries: ArchiveEntry[]): string | undefined {
  const safe = entries.filter((e) => !e.unsafe);
  if (safe.length === 0) return undefined;
  const first = safe[0]!.path.split("/")[0]!;
  if (!first) return undefined;
  for (const e of safe) {
    const top = e.path.split("/")[0];
    if (top !== first) return undefined;
    if (e.path === first && e.type !== "dir") return undefined;
  }
  for (const e of safe) {
    e.path = stripFirst(e.path);
    if (e.hardlinkTo !== undefined) e.hardlinkTo = stripFirst(e.hardlinkTo);
  }
  return first;
}
