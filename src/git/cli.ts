import { execFile, spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { promisify } from "node:util";
import type { TreeEntry } from "../types.js";
import { DistvetError } from "../errors.js";
import type { GitBackend } from "./backend.js";

const run = promisify(execFile);
const MAX_BUFFER = 1024 * 1024 * 1024;

export async function gitAvailable(): Promise<boolean> {
  try {
    await run("git", ["--version"]);
    return true;
  } catch {
    return false;
  }
}

/** git plumbing over the `git` binary: `ls-tree -r -z` and `cat-file --batch` are fast on big trees. */
export class CliGit implements GitBackend {
  readonly kind = "cli" as const;
  private batch?: BatchReader;
  constructor(readonly gitdir: string) {}

  private async git(args: string[], maxBuffer = MAX_BUFFER): Promise<Buffer> {
    const { stdout } = await run("git", ["--git-dir", this.gitdir, ...args], { encoding: "buffer", maxBuffer });
    return stdout;
  }

  async resolveCommit(ref: string): Promise<string | null> {
    try {
      const out = await this.git(["rev-parse", "--verify", "--quiet", "--end-of-options", `${ref}^{commit}`]);
      const oid = out.toString().trim();
      return /^[0-9a-f]{40}$/.test(oid) ? oid : null;
    } catch {
      return null;
    }
  }

  private tags?: Promise<string[]>;
  /** Listed once per backend: the ref guess and the previous-release lookup both ask. */
  listTags(): Promise<string[]> {
    this.tags ??= this.git(["tag", "--list"]).then((out) => out.toString().split("\n").filter(Boolean));
    return this.tags.then((t) => [...t]);
  }

  /**
   * The tag's tree, parsed as `git ls-tree` streams it: a tree of a million files is about 80 MB
   * of listing, which is never held (or concatenated) in one buffer. Modes are shared strings.
   */
  listTree(commit: string): Promise<TreeEntry[]> {
    return new Promise((resolve, reject) => {
      const p = spawn("git", ["--git-dir", this.gitdir, "ls-tree", "-r", "-z", "--full-tree", commit], { stdio: ["ignore", "pipe", "pipe"] });
      const entries: TreeEntry[] = [];
      let tail: Buffer | null = null;
      let stderr = "";
      p.stdout.on("data", (chunk: Buffer) => {
        const buf = tail ? Buffer.concat([tail, chunk]) : chunk;
        let start = 0;
        try {
          for (let nul = buf.indexOf(0, start); nul !== -1; nul = buf.indexOf(0, start)) {
            entries.push(treeRecord(buf, start, nul));
            start = nul + 1;
          }
        } catch (e) {
          p.kill();
          reject(e);
          return;
        }
        // A record split between chunks: keep a copy of its start, not the whole chunk.
        tail = start < buf.length ? Buffer.from(buf.subarray(start)) : null;
      });
      p.stderr.on("data", (d: Buffer) => {
        if (stderr.length < 4096) stderr += d.toString();
      });
      p.on("error", (e) => reject(new DistvetError("E_GIT_FAILED", `git ls-tree could not run: ${e.message}`)));
      p.on("close", (code) => {
        if (code !== 0) reject(new DistvetError("E_GIT_FAILED", `git ls-tree ${commit} failed: ${stderr.trim().split("\n")[0] || `exit ${code}`}`));
        else if (tail) reject(new DistvetError("E_GIT_FAILED", `git ls-tree ${commit} ended in the middle of an entry`));
        else resolve(entries);
      });
    });
  }

  readBlob(oid: string): Promise<Buffer>;
  readBlob(oid: string, maxBytes: number): Promise<Buffer | null>;
  async readBlob(oid: string, maxBytes?: number): Promise<Buffer | null> {
    this.batch ??= new BatchReader(this.gitdir);
    const b = await this.batch.read(oid, maxBytes);
    if (b === null && maxBytes === undefined) throw new DistvetError("E_GIT_FAILED", `git object ${oid} could not be read`);
    return b;
  }

  async close(): Promise<void> {
    this.batch?.close();
  }
}

const MODES = new Map<string, string>();

/** One `<mode> SP <type> SP <oid> TAB <path>` record of `ls-tree -z`, from buf[start, end). */
function treeRecord(buf: Buffer, start: number, end: number): TreeEntry {
  const tab = buf.indexOf(9, start);
  const sp1 = buf.indexOf(32, start);
  const sp2 = sp1 === -1 ? -1 : buf.indexOf(32, sp1 + 1);
  if (tab === -1 || tab > end || sp2 === -1 || sp2 > tab) throw new DistvetError("E_GIT_FAILED", "git ls-tree printed an entry distvet cannot read");
  const modeText = buf.toString("latin1", start, sp1);
  let mode = MODES.get(modeText);
  if (mode === undefined) MODES.set(modeText, (mode = modeText));
  return { mode, oid: buf.toString("latin1", sp2 + 1, tab), path: buf.toString("utf8", tab + 1, end) };
}

interface BatchRequest {
  oid: string;
  maxBytes: number;
  resolve: (b: Buffer | null) => void;
  reject: (e: Error) => void;
}

/**
 * One long-lived `git cat-file --batch` process: each request is "oid\n", each reply
 * "<oid> <type> <size>\n<bytes>\n". Replies are parsed incrementally: a body is copied once
 * into a buffer of its announced size (or discarded as it arrives when it is over the
 * request's limit), so reading is linear in the bytes git sends, whatever the chunking.
 */
export class BatchReader {
  private readonly proc: ChildProcessWithoutNullStreams;
  private readonly queue: BatchRequest[] = [];
  /** Bytes of a header line received so far (headers are short). */
  private header: Buffer[] = [];
  /** The reply being received: its body buffer (null when discarded), bytes still to come (+1 for the trailing LF). */
  private body: { req: BatchRequest; buf: Buffer | null; filled: number; size: number } | null = null;
  private failed: Error | null = null;
  private corked = false;

  constructor(gitdir: string) {
    this.proc = spawn("git", ["--git-dir", gitdir, "cat-file", "--batch"], { stdio: ["pipe", "pipe", "pipe"] });
    this.proc.stdout.on("data", (d: Buffer) => this.receive(d));
    this.proc.stdin.on("error", (e) => this.failAll(e));
    this.proc.on("error", (e) => this.failAll(e));
    this.proc.on("close", () => this.failAll(new DistvetError("E_GIT_FAILED", "git cat-file exited early")));
  }

  /** The object's bytes; null when it is larger than `maxBytes` (its bytes are then skipped, never kept). */
  read(oid: string, maxBytes = Infinity): Promise<Buffer | null> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => {
      this.queue.push({ oid, maxBytes, resolve, reject });
      // Requests made in the same tick go out in one write (rules ask for many blobs at once).
      if (!this.corked) {
        this.corked = true;
        this.proc.stdin.cork();
        process.nextTick(() => {
          this.corked = false;
          this.proc.stdin.uncork();
        });
      }
      this.proc.stdin.write(`${oid}\n`);
    });
  }

  private receive(d: Buffer): void {
    let pos = 0;
    while (pos < d.length) {
      if (this.body) {
        const b = this.body;
        // size + 1: the body is followed by one LF.
        const take = Math.min(b.size + 1 - b.filled, d.length - pos);
        if (b.buf) {
          const copy = Math.min(take, b.size - b.filled);
          if (copy > 0) d.copy(b.buf, b.filled, pos, pos + copy);
        }
        b.filled += take;
        pos += take;
        if (b.filled === b.size + 1) {
          this.body = null;
          this.queue.shift();
          b.req.resolve(b.buf);
        }
        continue;
      }
      const nl = d.indexOf(0x0a, pos);
      if (nl < 0) {
        this.header.push(d.subarray(pos));
        return;
      }
      this.header.push(d.subarray(pos, nl));
      pos = nl + 1;
      const line = Buffer.concat(this.header).toString();
      this.header = [];
      const req = this.queue[0];
      if (!req) {
        this.failAll(new DistvetError("E_GIT_FAILED", `git cat-file sent an unexpected reply: ${line.slice(0, 80)}`));
        return;
      }
      const m = /^[0-9a-f]+ \w+ (\d+)$/.exec(line);
      if (!m) {
        this.queue.shift();
        req.reject(new DistvetError("E_GIT_FAILED", line.endsWith(" missing") ? `git object ${req.oid} is missing from the repository` : `git cat-file could not read ${req.oid}: ${line.slice(0, 80)}`));
        continue;
      }
      const size = Number(m[1]);
      this.body = { req, buf: size <= req.maxBytes ? Buffer.allocUnsafe(size) : null, filled: 0, size };
    }
  }

  private failAll(e: Error): void {
    this.failed ??= e;
    this.body = null;
    for (const req of this.queue.splice(0)) req.reject(e);
  }

  close(): void {
    this.proc.removeAllListeners("close");
    this.proc.stdin.end();
  }
}
