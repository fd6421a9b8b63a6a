import fs from "node:fs";

/** isomorphic-git is loaded on first use only: with the git binary present it is never needed. */
type Iso = typeof import("isomorphic-git").default;
let loading: Promise<Iso> | undefined;
const loadGit = (): Promise<Iso> => (loading ??= import("isomorphic-git").then((m) => m.default));
import type { TreeEntry } from "../types.js";
import type { GitBackend } from "./backend.js";

/** Pure-JS backend (isomorphic-git) for machines without a git binary. */
export class IsoGit implements GitBackend {
  readonly kind = "isomorphic-git" as const;
  private readonly cache = {};
  constructor(readonly gitdir: string) {}

  async resolveCommit(ref: string): Promise<string | null> {
    const { gitdir, cache } = this;
    const git = await loadGit();
    let oid: string | null = null;
    for (const candidate of [`refs/tags/${ref}`, `refs/heads/${ref}`, ref]) {
      try {
        oid = await git.resolveRef({ fs, gitdir, ref: candidate });
        break;
      } catch {
        /* try the next form */
      }
    }
    if (!oid && /^[0-9a-f]{4,40}$/i.test(ref)) {
      try {
        oid = await git.expandOid({ fs, gitdir, oid: ref.toLowerCase(), cache });
      } catch {
        return null;
      }
    }
    if (!oid) return null;
    // Peel annotated tags (possibly nested) down to the commit.
    for (let depth = 0; depth < 10; depth++) {
      const current: string = oid;
      const obj: { type: string; object: unknown } | null = await git
        .readObject({ fs, gitdir, oid: current, cache, format: "parsed" })
        .catch(() => null);
      if (!obj) return null;
      if (obj.type === "commit") return current;
      if (obj.type !== "tag") return null;
      oid = (obj.object as { object: string }).object;
    }
    return null;
  }

  private tags?: Promise<string[]>;
  /** Listed once per backend: the ref guess and the previous-release lookup both ask. */
  listTags(): Promise<string[]> {
    this.tags ??= loadGit().then((git) => git.listTags({ fs, gitdir: this.gitdir }));
    return this.tags.then((t) => [...t]);
  }

  async listTree(commit: string): Promise<TreeEntry[]> {
    const { gitdir, cache } = this;
    const git = await loadGit();
    const { commit: c } = await git.readCommit({ fs, gitdir, oid: commit, cache });
    const out: TreeEntry[] = [];
    const walk = async (treeOid: string, prefix: string): Promise<void> => {
      const { tree } = await git.readTree({ fs, gitdir, oid: treeOid, cache });
      for (const e of tree) {
        const path = prefix + e.path;
        if (e.type === "tree") await walk(e.oid, `${path}/`);
        else out.push({ path, mode: e.mode.padStart(6, "0"), oid: e.oid });
      }
    };
    await walk(c.tree, "");
    return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  readBlob(oid: string): Promise<Buffer>;
  readBlob(oid: string, maxBytes: number): Promise<Buffer | null>;
  async readBlob(oid: string, maxBytes = Infinity): Promise<Buffer | null> {
    const git = await loadGit();
    const { blob } = await git.readBlob({ fs, gitdir: this.gitdir, oid, cache: this.cache });
    return blob.length > maxBytes ? null : Buffer.from(blob);
  }

  async close(): Promise<void> {}
}
