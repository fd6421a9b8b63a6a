import { defineProfile } from "./profile.js";
import { resolveLinkTarget } from "../archive/paths.js";

/** Tarball files whose bytes are exactly a file of the tagged tree: copies, and symlinks an archiver resolved. */
export const copies = defineProfile({
  id: "copy",
  description: "Files byte-identical to another file of the tagged tree (copies, resolved symlinks).",
  async explain(change, ctx) {
    const t = change.tarball;
    if (!t || t.type !== "file" || !t.oid) return null;
    if (change.kind === "type" && change.git?.mode === "120000") {
      // git has a symlink here; sdist and zip tools often store the target's content instead.
      const target = (await ctx.gitBlob(change.git.oid))?.toString("utf8");
      const resolved = target === undefined ? null : resolveLinkTarget(change.path, target);
      if (resolved && ctx.tree.get(resolved)?.oid === t.oid) return `symlink to ${target} in git, stored as a copy of its target's content, as sdist and zip tools do`;
      return null;
    }
    if (change.kind !== "added") return null;
    for (const [p, e] of ctx.tree) {
      if (e.oid === t.oid && e.mode !== "120000" && e.mode !== "160000") return `byte-identical to ${p} in the tagged tree`;
    }
    return null;
  },
});
