/**
 * The tree GNU tar leaves on disk, computed in memory while the members stream past (nothing is
 * written anywhere). Measured on GNU tar 1.34, bsdtar 3.6 and Python 3.11 tarfile (without an
 * extraction filter), and checked against them by test/archive-differential.test.ts:
 *
 * - last writer wins: a file, symlink or device replaces what is at its path (unlink, then create),
 *   so a hardlink to the old file keeps the old content (Python writes in place instead);
 * - a directory member replaces a symlink or file at its path (GNU tar's default without
 *   --keep-directory-symlink); a non-directory cannot replace a non-empty directory;
 * - a parent component that is a symlink is followed (GNU tar, Python) — bsdtar refuses
 *   ("Cannot extract through symlink");
 * - a symlink whose target is absolute or contains `..` is created by GNU tar only at the end (a
 *   placeholder file stands in meanwhile), so nothing can be written through it;
 * - member names with `..` are not extracted, a leading `/` is dropped (distvet keeps those
 *   members aside, flagged unsafe, for the path-traversal rule);
 * - a hardlink links to what exists at that moment; leading `/` and `../` are dropped from its target.
 */
import { readFileSync } from "node:fs";
import { posix } from "node:path";
import type { ArchiveAmbiguity, EntryType, TarEntry } from "../types.js";
import { normalizeMemberName } from "./paths.js";
import { flatCopy } from "../strings.js";

/**
 * Bytes kept for a member other than whole-in-memory: its head only, or bytes spilled to a file in
 * the audit's private spill directory (read back on each use, never cached).
 */
export class Kept {
  constructor(
    /** The whole content (true) or only its first bytes (false). */
    readonly whole: boolean,
    private readonly bytes: Buffer | undefined,
    /** The spill file (a name distvet chose, never one from the archive). */
    private readonly file?: string,
  ) {}
  read(): Buffer | undefined {
    if (this.bytes) return this.bytes;
    try {
      return readFileSync(this.file!);
    } catch {
      return undefined;
    }
  }
}

/** The top-level directory stripped from every member ("pkg-1.0/"), shared by all of them. */
export class StrippedRoot {
  constructor(readonly prefix: string) {}
}

/**
 * One entry of the extracted tree. A class with every field declared, so a million entries share
 * one hidden class (object literals built by spreading got a shape each: ~500 bytes per entry).
 */
export class Node implements TarEntry {
  oid?: string = undefined;
  /**
   * Kept bytes: a Buffer is the whole content in memory (the common case, no extra object);
   * a Kept is a head, or bytes spilled to disk. A real field, not one added when set: a million
   * kept empty members would each get a property array.
   */
  kept: Buffer | Kept | undefined = undefined;
  /**
   * The name as stored, or the top-level directory it was stored under once that was stripped from
   * the path (the stored name is then that prefix and the path: one string per member, not two).
   */
  private raw: string | StrippedRoot;
  // Rare fields are added only when set (declare: no per-entry slot for them).
  declare linkTarget?: string;
  declare hardlinkTo?: string;
  declare unsafe?: string;
  constructor(
    public path: string,
    rawName: string,
    public type: EntryType,
    public mode: number,
    public size: number,
  ) {
    this.raw = rawName;
  }

  /** The name exactly as stored in the archive. */
  get rawName(): string {
    const r = this.raw;
    return typeof r === "string" ? r : r.prefix + this.path;
  }
  set rawName(name: string) {
    this.raw = name;
  }

  /**
   * Strip the top-level directory `root` from the path. A member stored under exactly that name
   * keeps no second string for it: the path becomes its own string (not a slice that would hold the
   * stored name) and the stored name is rebuilt from `root` when asked.
   */
  stripRoot(root: StrippedRoot, twin?: Twin): void {
    const p = this.path;
    if (!p.startsWith(root.prefix)) {
      const i = p.indexOf("/");
      this.path = i < 0 ? "" : p.slice(i + 1);
      return;
    }
    const rest = p.slice(root.prefix.length);
    if (this.raw === p) {
      this.raw = root;
      // The caller's equal string when it has one, else a flat copy (not a slice that keeps the stored name alive).
      if (this.share(rest, twin)) return;
      this.path = flatCopy(rest);
    } else if (!this.share(rest, twin)) this.path = rest;
  }

  /**
   * Take the caller's strings for this member's path and, when the bytes are the same, its blob
   * id: equal strings, one copy instead of two for every member that matches the tag's tree.
   */
  share(path: string, twin?: Twin): boolean {
    const t = twin?.(path);
    if (!t || t.path !== path) return false;
    this.path = t.path;
    if (this.oid === t.oid) this.oid = t.oid;
    return true;
  }

  /** Bytes, kept only for entries that differ from git (bounded; read back from disk when spilled). */
  get data(): Buffer | undefined {
    const k = this.kept;
    return k === undefined || Buffer.isBuffer(k) ? k : k.whole ? k.read() : undefined;
  }
  set data(b: Buffer | undefined) {
    this.kept = b;
  }

  /** First bytes of a differing entry too large to keep whole. */
  get head(): Buffer | undefined {
    const k = this.kept;
    return k instanceof Kept && !k.whole ? k.read() : undefined;
  }
  set head(b: Buffer | undefined) {
    this.kept = b ? new Kept(false, b) : undefined;
  }
}

/** The caller's record of a path (the tag's tree entry), if it has one: see Node.share. */
export type Twin = (path: string) => { path: string; oid: string } | undefined;

export interface NodeInit {
  type: EntryType;
  mode: number;
  size: number;
  linkTarget?: string;
  oid?: string;
}

const MAX_HOPS = 40;

const parentOf = (p: string): string => {
  const i = p.lastIndexOf("/");
  return i < 0 ? "" : p.slice(0, i);
};

/** GNU tar's safer_name_suffix for hardlink targets: drop a leading "/" and everything up to the last "../". */
export function gnuLinkTarget(raw: string): { path: string; stripped: boolean } {
  let s = raw;
  let stripped = false;
  const m = /^(.*\/)?\.\.(\/|$)/.exec(s);
  if (m) {
    const last = s.lastIndexOf("../");
    s = last >= 0 ? s.slice(last + 3) : "";
    stripped = true;
  }
  if (s.startsWith("/")) {
    s = s.replace(/^\/+/, "");
    stripped = true;
  }
  return { path: normalizeMemberName(s).path, stripped };
}

/** Does a symlink target make GNU tar delay the link (absolute, or any `..` component)? */
export const delayedTarget = (target: string): boolean => target.startsWith("/") || target.split("/").includes("..");

/** A GNU tar placeholder: a symlink leaving the tree, created only after everything else (nothing can be written through it). */
const placeholder = (n: Node): boolean => n.type === "symlink" && !n.unsafe && delayedTarget(n.linkTarget ?? "");

export class ExtractedTree {
  readonly nodes = new Map<string, Node>();
  readonly unsafe: Node[] = [];
  readonly ambiguities: ArchiveAmbiguity[] = [];
  readonly problems: { path: string; reason: string }[] = [];
  private readonly children = new Map<string, number>();
  /** Directories known to exist as real directories (not reached through a symlink): a parent found here needs no walk. */
  private readonly dirs = new Set<string>([""]);
  private inoCount = new Map<number, number>();
  /** Hardlink group (shared inode) of nodes that are or have a hard link. */
  private readonly inode = new Map<Node, number>();
  private nextIno = 1;
  /** What a path held before a later member replaced it (only for paths written twice). */
  private readonly previous = new WeakMap<Node, string>();

  ambiguity(path: string, what: string, extractors?: Record<string, string>, severity?: ArchiveAmbiguity["severity"]): void {
    this.ambiguities.push({ path, what, ...(extractors ? { extractors } : {}), ...(severity ? { severity } : {}) });
  }

  /**
   * Resolve the parent directories of `path` as GNU tar's openat() would: follow in-tree symlinks,
   * fail on a non-directory. Returns the resolved path, the symlinks followed, or an error.
   */
  resolve(path: string): { path: string; via: string[] } | { error: string } {
    const via: string[] = [];
    const parent = parentOf(path);
    if (this.dirs.has(parent)) return { path, via };
    // Walk only below the deepest ancestor already known to be a real directory.
    let known = parentOf(parent);
    while (known !== "" && !this.dirs.has(known)) known = parentOf(known);
    let parts = path.split("/");
    let hops = 0;
    let prefix = known;
    for (let i = known === "" ? 0 : known.split("/").length; i < parts.length - 1; i++) {
      prefix = prefix === "" ? parts[i]! : `${prefix}/${parts[i]!}`;
      const n = this.nodes.get(prefix);
      if (!n || n.type === "dir") {
        if (!via.length) this.dirs.add(prefix);
        continue;
      }
      if (n.type === "symlink" && !placeholder(n)) {
        if (++hops > MAX_HOPS) return { error: `too many levels of symbolic links at ${prefix}` };
        const target = posix.normalize(posix.join(parentOf(prefix), n.linkTarget ?? ""));
        if (target.startsWith("../") || target === ".." || target.startsWith("/")) return { error: `${prefix} points outside the tree` };
        via.push(`${prefix} -> ${n.linkTarget}`);
        parts = [...(target === "." ? [] : target.split("/")), ...parts.slice(i + 1)];
        i = -1;
        prefix = "";
        continue;
      }
      return { error: `${prefix} is ${placeholder(n) ? `a symlink to ${n.linkTarget} (GNU tar creates such links last)` : `not a directory (${n.type})`}` };
    }
    return { path: parts.join("/"), via };
  }

  private identity(n: Node): string {
    if (n.type === "symlink") return `symlink -> ${n.linkTarget}`;
    if (n.type === "file") return n.oid ? `file ${n.oid}` : "file";
    return n.type;
  }

  private describe(n: Node): string {
    if (n.type === "symlink") return `a symlink to ${n.linkTarget}`;
    if (n.type === "file") return `a ${n.size}-byte file${n.oid ? ` (blob ${n.oid.slice(0, 12)})` : ""}`;
    if (n.type === "dir") return "a directory";
    return "a special file";
  }

  private hasChildren(path: string): boolean {
    return (this.children.get(path) ?? 0) > 0;
  }

  private remove(path: string, n: Node): void {
    this.nodes.delete(path);
    // Counts are of child entries: nodes, and implicit directories (which stay on disk once made).
    const p = parentOf(path);
    this.children.set(p, (this.children.get(p) ?? 1) - 1);
    this.dirs.delete(path);
    const ino = this.inode.get(n);
    if (ino !== undefined) this.inoCount.set(ino, (this.inoCount.get(ino) ?? 1) - 1);
  }

  private insert(path: string, n: Node): void {
    this.nodes.set(path, n);
    if (n.type !== "dir" || !this.hasChildren(path)) {
      let p = parentOf(path);
      for (;;) {
        const c = this.children.get(p) ?? 0;
        this.children.set(p, c + 1);
        if (c > 0 || p === "" || this.nodes.has(p)) break;
        p = parentOf(p);
      }
    }
    if (n.type !== "dir") this.dirs.delete(path);
    const ino = this.inode.get(n);
    if (ino !== undefined) this.inoCount.set(ino, (this.inoCount.get(ino) ?? 0) + 1);
  }

  /**
   * Place a member. Returns the node (whose content the caller fills in while the data streams)
   * or null when GNU tar would not create it.
   */
  place(rawName: string, init: NodeInit, link?: { hard?: string }): Node | null {
    const make = (path: string): Node => {
      const n = new Node(path, rawName, init.type, init.mode, init.size);
      if (init.linkTarget !== undefined) n.linkTarget = init.linkTarget;
      if (init.oid !== undefined) n.oid = init.oid;
      return n;
    };
    const safe = normalizeMemberName(rawName);
    if (safe.unsafe) {
      const n = make(safe.path);
      n.unsafe = safe.unsafe;
      this.unsafe.push(n);
      return n;
    }
    if (safe.path === "") {
      this.problems.push({ path: rawName || "(empty name)", reason: "a member with an empty name (or '.') is not extracted by GNU tar, bsdtar or Python tarfile; its content was not audited" });
      return null;
    }
    // Share the string when the stored name is already normal (a million members are common).
    const normal = safe.path === rawName ? rawName : safe.path;
    const r = this.resolve(normal);
    if ("error" in r) {
      const how = init.type === "dir" ? "directory" : "member";
      this.ambiguity(safe.path, `a ${how} is written below ${r.error}: GNU tar fails to create it ("Not a directory"), bsdtar refuses, Python tarfile may write it elsewhere`, {
        "GNU tar": "not extracted",
        bsdtar: "not extracted",
        "Python tarfile": "writes through the link or fails",
      });
      return null;
    }
    const path = r.via.length ? r.path : normal;
    if (r.via.length) {
      this.ambiguity(safe.path, `written through a symlink (${r.via.join(", ")}): GNU tar and Python tarfile write it to ${path}, bsdtar refuses to extract through a symlink`, {
        "GNU tar": `writes ${path}`,
        bsdtar: "refuses (Cannot extract through symlink)",
        "Python tarfile": `writes ${path}`,
      });
    }
    const n = make(path);
    if (link?.hard !== undefined) {
      const t = this.hardlinkTarget(safe.path, link.hard);
      if (!t) return null;
      n.hardlinkTo = t.path;
      n.oid = t.oid!;
      n.size = t.size;
      if (t.type === "symlink") {
        n.type = "symlink";
        n.linkTarget = t.linkTarget!;
      } else {
        let ino = this.inode.get(t);
        if (ino === undefined) this.inode.set(t, (ino = this.nextIno++));
        if (!this.inoCount.has(ino)) this.inoCount.set(ino, 1);
        n.type = "file";
        n.mode = t.mode;
        this.inode.set(n, ino);
        // The same kept bytes (a spilled member is not read back here).
        n.kept = t.kept;
      }
    }
    const existing = this.nodes.get(path);
    if (n.type === "dir") {
      if (existing?.type === "dir") {
        existing.mode = n.mode;
        return existing;
      }
      if (existing) {
        const was = this.describe(existing);
        this.ambiguity(path, `a directory member replaces ${was}: GNU tar and bsdtar remove it and create a directory, Python tarfile ${existing.type === "symlink" ? "keeps the symlink and writes later members through it" : "fails"}`, {
          "GNU tar": "replaces it with a directory",
          bsdtar: "replaces it with a directory",
          "Python tarfile": existing.type === "symlink" ? `keeps ${was}` : "fails",
        });
        this.remove(path, existing);
      }
      this.insert(path, n);
      this.dirs.add(path);
      return n;
    }
    if (existing?.type === "dir" || (!existing && this.hasChildren(path))) {
      if (this.hasChildren(path)) {
        this.ambiguity(path, `${this.describe(n)} is written over a non-empty directory: GNU tar and bsdtar keep the directory, other extractors may not`, {
          "GNU tar": "keeps the directory",
          bsdtar: "keeps the directory",
          "Python tarfile": "fails (Is a directory)",
        });
        return null;
      }
    }
    if (existing) {
      const ino = this.inode.get(existing);
      if (ino !== undefined && (this.inoCount.get(ino) ?? 0) > 1) {
        this.ambiguity(path, `${path} is a hard link shared with another path and is then written again: GNU tar and bsdtar replace only ${path}, Python tarfile and tar --overwrite write in place and change every linked path`, {
          "GNU tar": `replaces ${path} only`,
          bsdtar: `replaces ${path} only`,
          "Python tarfile": "writes in place through the hard link",
        });
      }
      if (existing.type === "symlink" && (placeholder(existing) || (n.type === "file" && n.hardlinkTo === undefined))) {
        const target = existing.linkTarget ?? "";
        const late = placeholder(existing) ? " (GNU tar creates such links last and may still create the symlink over the new member when it reuses the placeholder's inode, depending on the file system)" : "";
        this.ambiguity(path, `${path} is first a symlink to ${target}${delayedTarget(target) ? " (outside the tree)" : ""}, then ${this.describe(n)}: GNU tar and bsdtar replace the link${late}; Python tarfile writes through it to ${target}`, {
          "GNU tar": `replaces the symlink with ${this.describe(n)}${placeholder(existing) ? ", or creates the symlink at the end" : ""}`,
          bsdtar: `replaces the symlink with ${this.describe(n)}`,
          "Python tarfile": `writes through the symlink into ${target}`,
        });
      }
      if (!existing.unsafe) this.previous.set(n, this.identity(existing));
      this.remove(path, existing);
    }
    this.insert(path, n);
    return n;
  }

  /** Record the final content identity of a placed non-directory node (duplicates are compared here). */
  written(n: Node): void {
    if (n.unsafe || n.type === "dir") return;
    const prev = this.previous.get(n);
    if (prev === undefined) return;
    const id = this.identity(n);
    if (prev !== id) {
      this.ambiguity(n.path, `appears more than once with different content (${prev}, then ${id}): GNU tar, bsdtar and Python tarfile keep the last; tar -k, --skip-old-files and first-match readers keep the first`, {
        "GNU tar": `last copy (${id})`,
        bsdtar: `last copy (${id})`,
        "Python tarfile": `last copy (${id})`,
        "tar -k / --skip-old-files": `first copy (${prev})`,
      });
    }
  }

  private hardlinkTarget(path: string, rawTarget: string): Node | null {
    const g = gnuLinkTarget(rawTarget);
    if (g.stripped) {
      this.ambiguity(path, `hard link to '${rawTarget}', outside the tree: GNU tar links to '${g.path}' inside the extraction directory (if it exists), bsdtar refuses, Python tarfile without a filter links to the real file`, {
        "GNU tar": g.path ? `links to '${g.path}' relative to the extraction directory` : "not extracted",
        bsdtar: "refuses (path contains '..' or is absolute)",
        "Python tarfile": `links to ${rawTarget}`,
      });
    }
    if (!g.path) {
      this.problems.push({ path, reason: `hardlink to '${rawTarget}', which is not an earlier file in the archive` });
      return null;
    }
    const r = this.resolve(g.path);
    if (!("error" in r) && r.via.length) {
      this.ambiguity(path, `hard link to '${rawTarget}', reached through a symlink (${r.via.join(", ")}): GNU tar and Python tarfile link to ${r.path}, bsdtar refuses to extract through a symlink`, {
        "GNU tar": `links to ${r.path}`,
        bsdtar: "refuses (Cannot extract through symlink)",
        "Python tarfile": `links to ${r.path}`,
      });
    }
    const t = "error" in r ? undefined : this.nodes.get(r.path);
    if (!t || t.type === "dir" || t.type === "other" || placeholder(t)) {
      this.problems.push({ path, reason: `hardlink to '${rawTarget}', which is not an earlier file in the archive` });
      if (!g.stripped) {
        const what = !t ? "no earlier member created" : t.type === "dir" ? "is a directory" : placeholder(t) ? "is a symlink GNU tar creates last" : "is a special file";
        this.ambiguity(path, `hard link to '${rawTarget}', which ${what}: GNU tar, bsdtar and Python tarfile do not create ${path}, so its content is nowhere in the tree`, {
          "GNU tar": "fails (Cannot hard link)",
          bsdtar: "fails",
          "Python tarfile": "fails (linkname not found)",
        }, "low");
      }
      return null;
    }
    return t;
  }

  /**
   * Drop the indexes once the entries are taken (a stream's callbacks may keep this tree reachable
   * for a while after the read: its maps hold a key string per member).
   */
  release(): void {
    this.nodes.clear();
    this.children.clear();
    this.dirs.clear();
    this.inoCount.clear();
    this.inode.clear();
  }

  /** The final tree: one entry per path (insertion order), then the unsafe members. */
  entries(): TarEntry[] {
    const out: TarEntry[] = [];
    for (const n of this.nodes.values()) out.push(n);
    for (const n of this.unsafe) out.push(n);
    return out;
  }
}
