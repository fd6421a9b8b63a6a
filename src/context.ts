import type { PinnedSubmodule } from "./git/submodules.js";
import ignore, { type Ignore } from "ignore";
import { posix } from "node:path";
import type { ArchiveAmbiguity, Change, NotChecked, TreeEntry } from "./types.js";
import type { ArchiveEntry } from "./archive/read-tar.js";
import type { GitBackend } from "./git/backend.js";
import type { GitAttributes } from "./git/attributes.js";
import { isBinary } from "./content/classify.js";
import { isBuildScript } from "./content/kinds.js";
import { DiffBudget, type TextDiff } from "./diff/text-diff.js";
import type { BehaviourHit } from "./content/behaviour.js";
import { expandExportSubst } from "./git/export-subst.js";
import type { RegenerationReport } from "./regenerate/types.js";

export interface PreviousRelease {
  ref: string;
  commit: string;
  tree: Map<string, TreeEntry>;
}

/** Bytes larger than this are not read from git for diffing. */
const GIT_READ_MAX = 8 * 1024 * 1024;
/**
 * git blobs are cached while an audit runs, up to these bounds. Passes that read every file once
 * (a grep over the tree, sniffing fixtures) do not fill it: it is for the blobs several rules read.
 */
const CACHE_ENTRY_MAX = 1024 * 1024;
const CACHE_TOTAL_MAX = 24 * 1024 * 1024;

/** How a read uses the git blob cache: `once` reads are served from it but do not fill it. */
export type BlobUse = "keep" | "once";

/**
 * Everything profiles and rules may look at. Content is loaded lazily and cached: bytes are
 * read only for entries that differ.
 */
export class AuditContext {
  readonly notChecked: NotChecked[] = [];
  /** Where GNU tar, bsdtar and Python tarfile disagree about this archive (archive-ambiguity reports them). */
  readonly ambiguities: ArchiveAmbiguity[] = [];
  /** Behaviour-pattern hits of build scripts, found while the tarball streamed (path -> hits). */
  readonly behaviourHits = new Map<string, BehaviourHit[]>();
  /** Generated files rebuilt from the tag and compared (set only with --regenerate). */
  regeneration?: RegenerationReport;
  /** Set once a rule compared against the previous release. */
  previousRef?: string;
  /** The audited commit (full id). */
  commit = "";
  /** The release's version as the tarball name and the tag spell it ("5.4.1"), for placeholder substitution. */
  releaseVersions: string[] = [];
  /** --strict: unverified files are summarised at medium instead of low. */
  strict = false;
  /** Submodules of the tag opened at their pinned commits (--submodule), for the submodule-copy profile. */
  submodules: PinnedSubmodule[] = [];
  private readonly gitBytes = new Map<string, Promise<Buffer | null>>();
  private cachedBytes = 0;
  private readonly diffs = new Map<string, TextDiff | null>();
  /** Total time all text diffs of this audit may take (see DiffBudget). */
  readonly diffBudget = new DiffBudget();
  private diffBudgetNote?: NotChecked;
  private gitignores?: { dir: string; ig: Ignore }[];
  private buildLines?: Set<string>;
  private buildText?: string;

  constructor(
    readonly tar: Map<string, ArchiveEntry>,
    readonly tree: Map<string, TreeEntry>,
    readonly attributes: GitAttributes,
    private readonly backend: GitBackend,
    readonly changes: Change[],
    /** The previous release's tree (same --subdir), found lazily; null when there is none. */
    readonly previousRelease: () => Promise<PreviousRelease | null> = async () => null,
  ) {}

  hasGit(path: string): boolean {
    return this.tree.has(path);
  }

  /** Tarball bytes of an entry that differs from git (null when too large to keep: see head). */
  tarBytes(path: string): Buffer | null {
    return this.tar.get(path)?.data ?? null;
  }

  /** Whatever bytes are available for the tarball side: whole content or its head. */
  tarSample(path: string): Buffer | null {
    const e = this.tar.get(path);
    return e?.data ?? e?.head ?? null;
  }

  /** A git blob's bytes; null when it cannot be read or `knownSize` says it is larger than we diff. */
  async gitBlob(oid: string, knownSize?: number, use: BlobUse = "keep"): Promise<Buffer | null> {
    if (knownSize !== undefined && knownSize > GIT_READ_MAX) return null;
    const cached = this.gitBytes.get(oid);
    if (cached) return cached;
    // Larger blobs are skipped by the reader as they arrive, never held whole.
    const p = this.backend.readBlob(oid, GIT_READ_MAX).catch((e: unknown) => {
      this.skipOnce(`(git object ${oid})`, `could not be read from the repository (${(e as Error).message}); checks that needed it were skipped`);
      return null;
    });
    if (use === "once") return p;
    // Keep a bounded cache: memory must not grow with the size of the tree.
    this.gitBytes.set(oid, p);
    const b = await p;
    if (!b || b.length > CACHE_ENTRY_MAX || this.cachedBytes + b.length > CACHE_TOTAL_MAX) this.gitBytes.delete(oid);
    else this.cachedBytes += b.length;
    return b;
  }

  async gitText(path: string): Promise<string | null> {
    const g = this.tree.get(path);
    if (!g) return null;
    const b = await this.gitBlob(g.oid);
    return b && !isBinary(b) ? b.toString("utf8") : null;
  }

  tarText(path: string): string | null {
    const b = this.tarBytes(path);
    return b && !isBinary(b) ? b.toString("utf8") : null;
  }

  /** Bounded diff of a modified text file (git → tarball); null when either side is binary or unavailable. */
  async diff(change: Change): Promise<TextDiff | null> {
    if (this.diffs.has(change.path)) return this.diffs.get(change.path)!;
    let d: TextDiff | null = null;
    if (change.kind === "modified" && change.git && change.tarball) {
      const tarB = this.tarBytes(change.path);
      // The git side is read only when the tarball side was kept (and is text): no diff otherwise.
      const gitB = tarB && !isBinary(tarB) ? await this.gitBlob(change.git.oid) : null;
      if (tarB && gitB && !isBinary(gitB)) d = this.diffBudget.diff(change.path, gitB.toString("utf8"), tarB.toString("utf8"));
      if (d?.notComputed) this.noteDiffBudget();
    }
    this.diffs.set(change.path, d);
    return d;
  }

  /** `git archive`'s export-subst expansion of `text` for the audited commit; null when it cannot be reproduced. */
  async expandExportSubst(text: string): Promise<string | null> {
    return this.backend.kind === "cli" ? expandExportSubst(this.backend.gitdir, this.commit, text) : null;
  }

  private noteDiffBudget(): void {
    const reason = `${this.diffBudget.notComputed} text diff(s) not computed: the time budget for text diffs (${Math.round(this.diffBudget.totalMs / 1000)} s per audit) was used up; those files were judged from line counts only`;
    if (this.diffBudgetNote) this.diffBudgetNote.reason = reason;
    else this.notChecked.push((this.diffBudgetNote = { path: "(text diffs)", reason }));
  }

  /** True when a .gitignore in the audited tree covers `path` (how xz hid m4/build-to-host.m4). */
  async gitignored(path: string): Promise<string | null> {
    if (!this.gitignores) {
      this.gitignores = [];
      for (const [p, e] of this.tree) {
        if (posix.basename(p) !== ".gitignore") continue;
        const b = await this.gitBlob(e.oid);
        if (!b) continue;
        const dir = posix.dirname(p) === "." ? "" : posix.dirname(p);
        this.gitignores.push({ dir, ig: ignore().add(b.toString("utf8")) });
      }
    }
    for (const { dir, ig } of this.gitignores) {
      if (dir && !path.startsWith(`${dir}/`)) continue;
      const rel = dir ? path.slice(dir.length + 1) : path;
      if (ig.ignores(rel)) return dir ? `${dir}/.gitignore` : ".gitignore";
    }
    return null;
  }

  /**
   * Text of any tarball file, whether or not it differs: retained bytes for differing
   * entries, the git blob for identical ones. Null for binaries, symlinks and unavailable bytes.
   */
  async fileText(path: string): Promise<string | null> {
    const b = await this.fileBytes(path);
    return b && !isBinary(b) ? b.toString("utf8") : null;
  }

  /** Bytes of any tarball file (see fileText); null when not available. */
  async fileBytes(path: string, use: BlobUse = "keep"): Promise<Buffer | null> {
    const e = this.tar.get(path);
    if (!e || e.type !== "file") return null;
    if (e.data) return e.data;
    if (e.oid && this.tree.get(path)?.oid === e.oid) return this.gitBlob(e.oid, e.size, use);
    return null;
  }

  /** Trimmed lines of every build script in git: lines found here are upstream's, not the tarball's. */
  async gitBuildLines(): Promise<Set<string>> {
    if (!this.buildLines) {
      const set = new Set<string>();
      const scripts: TreeEntry[] = [];
      for (const [p, e] of this.tree) if (isBuildScript(p) && e.mode !== "120000" && e.mode !== "160000") scripts.push(e);
      // Asked 64 at a time: the git reader pipelines them instead of one round trip each.
      for (let i = 0; i < scripts.length; i += 64) {
        for (const b of await Promise.all(scripts.slice(i, i + 64).map((e) => this.gitBlob(e.oid)))) {
          if (!b || isBinary(b)) continue;
          for (const l of b.toString("utf8").split("\n")) set.add(l.trim());
        }
      }
      this.buildLines = set;
    }
    return this.buildLines;
  }

  /** Does any build script in git mention `name`? (Then upstream itself uses it.) */
  async gitBuildMentions(name: string): Promise<boolean> {
    this.buildText ??= [...(await this.gitBuildLines())].join("\n");
    // As a whole name: "version.c" is not mentioned by "libversion.c".
    const at = (from: number): number => this.buildText!.indexOf(name, from);
    for (let i = at(0); i >= 0; i = at(i + 1)) {
      const before = this.buildText[i - 1] ?? "";
      const after = this.buildText[i + name.length] ?? "";
      if (!/[\w.+-]/.test(before) && !/[\w+-]/.test(after)) return true;
    }
    return false;
  }

  /** Record a not-checked entry once per path. */
  skipOnce(path: string, reason: string): void {
    if (!this.notChecked.some((n) => n.path === path)) this.skip(path, reason);
  }

  skip(path: string, reason: string): void {
    this.notChecked.push({ path, reason });
  }
}

/**
 * Something computed once per audit, lazily, on first use: profiles and rules that derive a
 * table from the tree (CPack ignores, meson wraps, provenance of every m4 file) share it this way.
 */
export function perAudit<T>(compute: (ctx: AuditContext) => Promise<T>): (ctx: AuditContext) => Promise<T> {
  const cache = new WeakMap<AuditContext, Promise<T>>();
  return (ctx) => {
    let p = cache.get(ctx);
    if (!p) {
      p = compute(ctx);
      cache.set(ctx, p);
    }
    return p;
  };
}
