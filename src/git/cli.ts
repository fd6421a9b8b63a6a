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

  async listTags(): Promise<string[]> {
    const out = await this.git(["tag", "--list"]);
    return out.toString().split("\n").filter(Boolean);
  }

  async listTree(commit: string): Promise<TreeEntry[]> {
    const out = await this.git(["ls-tree", "-r", "-z", "--full-tree", commit]);
    const entries: TreeEntry[] = [];
    let start = 0;
    for (let i = 0; i < out.length; i++) {
      if (out[i] !== 0) continue;
      const rec = out.subarray(start, i).toString("utf8");
      start = i + 1;
      const tab = rec.indexOf("\t");
      const [mode, , oid] = rec.slice(0, tab).split(" ");
      entries.push({ mode: mode!, oid: oid!, path: rec.slice(tab + 1) });
    }
    return entries;
  }

  async readBlob(oid: string): Promise<Buffer> {
    this.batch ??= new BatchReader(this.gitdir);
    return this.batch.read(oid);
  }

  async close(): Promise<void> {
    this.batch?.close();
  }
}

/** One long-lived `git cat-file --batch` process: each request is "oid\n", each reply "<oid> <type> <size>\n<bytes>\n". */
class BatchReader {
  private readonly proc: ChildProcessWithoutNullStreams;
  private buf: Buffer = Buffer.alloc(0);
  private readonly queue: { oid: string; resolve: (b: Buffer) => void; reject: (e: Error) => void }[] = [];

  constructor(gitdir: string) {
    this.proc = spawn("git", ["--git-dir", gitdir, "cat-file", "--batch"], { stdio: ["pipe", "pipe", "pipe"] });
    this.proc.stdout.on("data", (d: Buffer) => {
      this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
      this.drain();
    });
    this.proc.on("error", (e) => this.failAll(e));
    this.proc.on("close", () => this.failAll(new DistvetError("E_GIT_FAILED", "git cat-file exited early")));
  }

  read(oid: string): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      this.queue.push({ oid, resolve, reject });
      this.proc.stdin.write(`${oid}\n`);
    });
  }

  private drain(): void {
    while (this.queue.length) {
      const nl = this.buf.indexOf(0x0a);
      if (nl < 0) return;
      const header = this.buf.subarray(0, nl).toString();
      const req = this.queue[0]!;
      if (header.endsWith(" missing")) {
        this.buf = this.buf.subarray(nl + 1);
        this.queue.shift();
        req.reject(new DistvetError("E_GIT_FAILED", `git object ${req.oid} is missing from the repository`));
        continue;
      }
      const size = Number(header.split(" ")[2]);
      if (this.buf.length < nl + 1 + size + 1) return;
      const body = Buffer.from(this.buf.subarray(nl + 1, nl + 1 + size));
      this.buf = this.buf.subarray(nl + 1 + size + 1);
      this.queue.shift();
      req.resolve(body);
    }
  }

  private failAll(e: Error): void {
    for (const req of this.queue.splice(0)) req.reject(e);
  }

  close(): void {
    this.proc.removeAllListeners("close");
    this.proc.stdin.end();
  }
}
