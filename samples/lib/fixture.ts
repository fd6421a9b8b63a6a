/**
 * Build small git repositories and tarballs from object literals, at test or sample time.
 * Nothing third-party is committed: every file is written here from a literal.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, symlinkSync, writeFileSync, chmodSync } from "node:fs";
import { dirname, join } from "node:path";
import { createGzip } from "node:zlib";
import { createWriteStream } from "node:fs";
import { pipeline } from "node:stream/promises";
import { Readable } from "node:stream";
import { spawnSync } from "node:child_process";
import * as tar from "tar-stream";

export type FileSpec = string | Buffer | { content: string | Buffer; mode?: number; mtime?: Date } | { symlink: string } | { hardlink: string } | { dir: true };
export type Files = Record<string, FileSpec>;

export interface CommitSpec {
  files: Files;
  message?: string;
  /** Tag this commit. */
  tag?: string;
  annotated?: boolean;
}

const FIXED_DATE = "2024-02-24T12:00:00Z";

function git(cwd: string, args: string[], env: Record<string, string> = {}): string {
  return execFileSync("git", args, {
    cwd,
    encoding: "utf8",
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: "Sample Maintainer",
      GIT_AUTHOR_EMAIL: "maintainer@example.org",
      GIT_COMMITTER_NAME: "Sample Maintainer",
      GIT_COMMITTER_EMAIL: "maintainer@example.org",
      GIT_AUTHOR_DATE: FIXED_DATE,
      GIT_COMMITTER_DATE: FIXED_DATE,
      GIT_CONFIG_NOSYSTEM: "1",
      HOME: cwd,
      ...env,
    },
  });
}

function writeFiles(root: string, files: Files): void {
  for (const [path, spec] of Object.entries(files)) {
    const abs = join(root, path);
    mkdirSync(dirname(abs), { recursive: true });
    if (typeof spec === "string" || Buffer.isBuffer(spec)) writeFileSync(abs, spec);
    else if ("symlink" in spec) symlinkSync(spec.symlink, abs);
    else if ("dir" in spec) mkdirSync(abs, { recursive: true });
    else if ("hardlink" in spec) throw new Error("hardlinks exist only in tarballs");
    else {
      writeFileSync(abs, spec.content);
      if (spec.mode !== undefined) chmodSync(abs, spec.mode);
    }
  }
}

/**
 * Create a working repository at `dir` with one commit per spec (each spec is the whole tree
 * at that commit). Returns the commit ids.
 */
export function makeRepo(dir: string, commits: CommitSpec[], opts: { bare?: string } = {}): string[] {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  git(dir, ["init", "-q", "-b", "main"]);
  git(dir, ["config", "core.autocrlf", "false"]);
  git(dir, ["config", "commit.gpgsign", "false"]);
  git(dir, ["config", "tag.gpgsign", "false"]);
  const ids: string[] = [];
  for (const [i, c] of commits.entries()) {
    git(dir, ["rm", "-rq", "--ignore-unmatch", "."]);
    writeFiles(dir, c.files);
    git(dir, ["add", "-A", "-f", "."]);
    git(dir, ["commit", "-q", "--allow-empty", "-m", c.message ?? `commit ${i + 1}`]);
    ids.push(git(dir, ["rev-parse", "HEAD"]).trim());
    if (c.tag) git(dir, c.annotated ? ["tag", "-a", "-m", `release ${c.tag}`, c.tag] : ["tag", c.tag]);
  }
  if (opts.bare) {
    rmSync(opts.bare, { recursive: true, force: true });
    git(dirname(opts.bare), ["clone", "-q", "--bare", dir, opts.bare]);
  }
  return ids;
}

export type Compression = "gzip" | "xz" | "bzip2" | "zstd" | "none";

export interface TarballSpec {
  /** Top-level directory (e.g. "xz-5.6.1"); omit for a flat archive. */
  root?: string;
  files: Files;
  compression?: Compression;
  /** Header variant: ustar/pax as tar-stream writes them, or V7 (no magic) as very old tars do. */
  format?: "ustar" | "v7";
  /** Stop writing after this many bytes of the compressed output (to test truncation). */
  truncateAt?: number;
  /** Extra raw member names, written verbatim (e.g. "../evil", "/etc/x"), for path tests. */
  rawMembers?: { name: string; content: string }[];
}

/** Turn a ustar header into a V7 one: clear the magic/version and recompute the checksum. */
function toV7(header: Buffer): Buffer {
  header.fill(0, 257, 265);
  header.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of header) sum += b;
  header.write(sum.toString(8).padStart(6, "0") + "\0 ", 148, "latin1");
  return header;
}

/** Write a tarball from a file map with tar-stream, then compress it with the chosen method. */
export async function makeTarball(file: string, spec: TarballSpec): Promise<void> {
  const pack = tar.pack();
  const prefix = spec.root ? `${spec.root}/` : "";
  const mtime = new Date(FIXED_DATE);
  const dirs = new Set<string>();
  const entries = Object.entries(spec.files).sort(([a], [b]) => (a < b ? -1 : 1));
  if (spec.root) pack.entry({ name: `${spec.root}/`, type: "directory", mode: 0o755, mtime });
  for (const [path, s] of entries) {
    const parts = path.split("/");
    for (let i = 1; i < parts.length; i++) {
      const d = parts.slice(0, i).join("/");
      if (!dirs.has(d)) {
        dirs.add(d);
        pack.entry({ name: `${prefix}${d}/`, type: "directory", mode: 0o755, mtime });
      }
    }
    const name = prefix + path;
    if (typeof s === "string" || Buffer.isBuffer(s)) pack.entry({ name, mode: 0o644, mtime }, s);
    else if ("symlink" in s) pack.entry({ name, type: "symlink", linkname: s.symlink, mode: 0o777, mtime });
    else if ("hardlink" in s) pack.entry({ name, type: "link", linkname: prefix + s.hardlink, mode: 0o644, mtime });
    else if ("dir" in s) pack.entry({ name: `${name}/`, type: "directory", mode: 0o755, mtime });
    else pack.entry({ name, mode: s.mode ?? 0o644, mtime: s.mtime ?? mtime }, s.content);
  }
  for (const m of spec.rawMembers ?? []) pack.entry({ name: m.name, mode: 0o644, mtime }, m.content);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack as AsyncIterable<Buffer>) chunks.push(c);
  let raw = Buffer.concat(chunks);
  if (spec.format === "v7") {
    raw = Buffer.from(raw);
    let off = 0;
    while (off + 512 <= raw.length && raw[off] !== 0) {
      const h = raw.subarray(off, off + 512);
      const size = parseInt(h.subarray(124, 136).toString("latin1").replace(/\0.*$/, "").trim() || "0", 8);
      toV7(h);
      off += 512 + Math.ceil(size / 512) * 512;
    }
  }
  let out: Buffer;
  switch (spec.compression ?? "gzip") {
    case "gzip": {
      const gz: Buffer[] = [];
      const z = createGzip();
      const done = pipeline(Readable.from([raw]), z, async function* (src) {
        for await (const c of src) gz.push(c as Buffer);
      });
      await done;
      out = Buffer.concat(gz);
      break;
    }
    case "none":
      out = raw;
      break;
    default: {
      const cmd = { xz: "xz", bzip2: "bzip2", zstd: "zstd" }[spec.compression as "xz" | "bzip2" | "zstd"];
      const r = spawnSync(cmd, ["-c", "-q"], { input: raw, maxBuffer: 1 << 30 });
      if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr?.toString()}`);
      out = r.stdout;
    }
  }
  if (spec.truncateAt !== undefined) out = out.subarray(0, spec.truncateAt);
  mkdirSync(dirname(file), { recursive: true });
  await pipeline(Readable.from([out]), createWriteStream(file));
}

/** The files of a tree after applying `changes` (null deletes). */
export function withChanges(base: Files, changes: Record<string, FileSpec | null>): Files {
  const out: Files = { ...base };
  for (const [k, v] of Object.entries(changes)) {
    if (v === null) delete out[k];
    else out[k] = v;
  }
  return out;
}
