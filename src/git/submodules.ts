/**
 * Submodules the tag pins. A git tree records a submodule as a commit id (a gitlink), so the tag
 * fixes exactly which files the submodule held; the tarball's author cannot change that. Given a
 * clone of the submodule's repository, distvet lists the pinned commit's tree and can prove a
 * tarball file is a byte-identical copy of one of its files: gnulib's bootstrap copies hundreds of
 * them into lib/, m4/, build-aux/ and gnulib-tests/ of every GNU release.
 */
import { posix } from "node:path";
import { DistvetError } from "../errors.js";
import type { TreeEntry } from "../types.js";
import type { GitBackend } from "./backend.js";
import { openRepo, type BackendChoice } from "./open.js";

export interface PinnedSubmodule {
  /** Where the submodule sits in the tagged tree. */
  path: string;
  /** The commit the tag pins. */
  commit: string;
  /** Its files (regular files and symlinks), by path relative to the submodule. */
  tree: Map<string, TreeEntry>;
  /** Regular files by blob id: the paths (relative to the submodule) that hold those bytes. */
  byOid: Map<string, string[]>;
}

/** A submodule of the tagged tree that was not given a repository, with its URL when .gitmodules names one. */
export interface UncheckedSubmodule {
  path: string;
  commit: string;
  url?: string;
}

/**
 * `path` -> `url` from a .gitmodules file (git-config syntax). Used only to tell the user where to
 * get a clone: the submodule's path and commit always come from the tree itself.
 */
export function gitmodulesUrls(text: string): Map<string, string> {
  const byName = new Map<string, { path?: string; url?: string }>();
  let current: { path?: string; url?: string } | null = null;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/(^|\s)[#;].*$/, "").trim();
    if (!line) continue;
    const section = /^\[\s*submodule\s+"((?:[^"\\]|\\.)*)"\s*\]$/.exec(line);
    if (section) {
      current = byName.get(section[1]!) ?? {};
      byName.set(section[1]!, current);
      continue;
    }
    if (line.startsWith("[")) {
      current = null;
      continue;
    }
    const kv = /^([A-Za-z][\w-]*)\s*=\s*(.*)$/.exec(line);
    if (!kv || !current) continue;
    const value = kv[2]!.replace(/^"(.*)"$/, "$1");
    const key = kv[1]!.toLowerCase();
    if (key === "path") current.path = value;
    else if (key === "url") current.url = value;
  }
  const out = new Map<string, string>();
  for (const { path, url } of byName.values()) if (path && url) out.set(path.replace(/^\/+|\/+$/g, ""), url);
  return out;
}

/** Parse `--submodule PATH=REPO` values (REPO: a clone, a bare repository or a URL). */
export function parseSubmoduleOptions(values: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const v of values) {
    const eq = v.indexOf("=");
    const path = (eq < 0 ? "" : v.slice(0, eq)).replace(/^\/+|\/+$/g, "");
    const repo = eq < 0 ? "" : v.slice(eq + 1);
    if (!path || !repo) throw new DistvetError("E_BAD_ARGUMENT", `--submodule takes PATH=REPO (the submodule's path in the tree, and a clone of it), not '${v}'`);
    out.set(path, repo);
  }
  return out;
}

/**
 * Open the given clones at the commits the tag pins. A path that is not a submodule of the tag, or
 * a clone that lacks the pinned commit, is an error: the user asked for a check that cannot run.
 */
export async function pinnedSubmodules(
  tree: Map<string, TreeEntry>,
  given: ReadonlyMap<string, string>,
  gitmodules: string | null,
  open: { backend?: BackendChoice; cacheDir?: string } = {},
): Promise<{ pinned: PinnedSubmodule[]; unchecked: UncheckedSubmodule[]; close: () => Promise<void> }> {
  const links = [...tree.values()].filter((e) => e.mode === "160000");
  for (const path of given.keys()) {
    if (!links.some((l) => l.path === path)) {
      const known = links.map((l) => l.path);
      throw new DistvetError("E_BAD_ARGUMENT", `--submodule ${path}: the tagged tree has no submodule there (${known.length ? `its submodules: ${known.join(", ")}` : "it has none"})`);
    }
  }
  const urls = gitmodules ? gitmodulesUrls(gitmodules) : new Map<string, string>();
  const pinned: PinnedSubmodule[] = [];
  const unchecked: UncheckedSubmodule[] = [];
  const opened: GitBackend[] = [];
  const close = async () => {
    for (const b of opened) await b.close();
  };
  try {
    for (const link of links) {
      const repo = given.get(link.path);
      if (!repo) {
        const url = urls.get(link.path);
        unchecked.push({ path: link.path, commit: link.oid, ...(url ? { url } : {}) });
        continue;
      }
      const backend = await openRepo(repo, open.backend ?? "auto", { want: [link.oid], ...(open.cacheDir ? { cacheDir: open.cacheDir } : {}) });
      opened.push(backend);
      const commit = await backend.resolveCommit(link.oid);
      if (commit !== link.oid) {
        throw new DistvetError("E_UNKNOWN_REF", `--submodule ${link.path}=${repo}: that repository has no commit ${link.oid}, which the tag pins for ${link.path} (fetch it, or pass a full clone)`);
      }
      const treeOf = new Map<string, TreeEntry>();
      const byOid = new Map<string, string[]>();
      for (const e of await backend.listTree(commit)) {
        if (e.mode === "160000") continue;
        treeOf.set(e.path, e);
        if (e.mode === "120000") continue;
        const list = byOid.get(e.oid);
        if (list) list.push(e.path);
        else byOid.set(e.oid, [e.path]);
      }
      pinned.push({ path: link.path, commit, tree: treeOf, byOid });
    }
  } catch (e) {
    await close();
    throw e;
  }
  return { pinned, unchecked, close };
}

/** Where a tarball file's exact bytes come from in a pinned submodule, if anywhere. */
export function submoduleSource(
  path: string,
  oid: string,
  pinned: readonly PinnedSubmodule[],
  accept: (submodulePath: string) => boolean,
): { submodule: PinnedSubmodule; source: string; inPlace: boolean } | null {
  for (const s of pinned) {
    // The submodule shipped where it sits: the same path inside it.
    if (path.startsWith(`${s.path}/`)) {
      const rel = path.slice(s.path.length + 1);
      const e = s.tree.get(rel);
      if (e && e.oid === oid && e.mode !== "120000") return { submodule: s, source: rel, inPlace: true };
    }
  }
  const base = posix.basename(path);
  for (const s of pinned) {
    // A copy made from it (gnulib-tool, bootstrap): the same bytes under the same file name.
    const source = (s.byOid.get(oid) ?? []).find((p) => posix.basename(p) === base && accept(p));
    if (source) return { submodule: s, source, inPlace: false };
  }
  return null;
}
