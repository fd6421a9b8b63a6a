import type { Change, TreeEntry } from "../types.js";
import type { ArchiveEntry } from "../archive/read-tar.js";

export interface Pairing {
  changes: Change[];
  identical: number;
}

const GIT_SYMLINK = "120000";
const GIT_SUBMODULE = "160000";

/** Executable bit as git records it (100755) versus the tarball's mode bits. */
const gitExec = (mode: string): boolean => mode === "100755";
const tarExec = (mode: number): boolean => (mode & 0o111) !== 0;

/**
 * Pair tarball entries with tree entries by path. Identical content (same blob id) with the
 * same type and exec bit is only counted; everything else becomes a Change.
 * Directories carry no content and are not paired; submodules are returned as git-only entries.
 */
export function pairEntries(tar: Map<string, ArchiveEntry>, tree: Map<string, TreeEntry>): Pairing {
  const changes: Change[] = [];
  let identical = 0;
  for (const [path, t] of tar) {
    if (t.type === "dir") continue;
    const g = tree.get(path);
    if (!g || g.mode === GIT_SUBMODULE) {
      changes.push({ kind: "added", path, tarball: t });
      continue;
    }
    const gType = g.mode === GIT_SYMLINK ? "symlink" : "file";
    if (t.type !== gType) {
      changes.push({ kind: "type", path, tarball: t, git: g });
    } else if (t.oid !== g.oid) {
      changes.push({ kind: "modified", path, tarball: t, git: g });
    } else if (t.type === "file" && (gitExec(g.mode) !== tarExec(t.mode) || (t.mode & 0o6000) !== 0)) {
      changes.push({ kind: "mode", path, tarball: t, git: g });
    } else identical++;
  }
  for (const [path, g] of tree) {
    if (!tar.has(path)) changes.push({ kind: "removed", path, git: g });
  }
  return { changes, identical };
}
