import { defineProfile } from "./profile.js";
import { resolveLinkTarget } from "../archive/paths.js";
import { perAudit } from "../context.js";

/** Blob id -> the first regular file of the tagged tree with those bytes, built once per audit. */
const pathByOid = perAudit(async (ctx) => {
  const index = new Map<string, string>();
  for (const [p, e] of ctx.tree) {
    if (e.mode !== "120000" && e.mode !== "160000" && !index.has(e.oid)) index.set(e.oid, p);
  }
  return index;
});

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
    const p = (await pathByOid(ctx)).get(t.oid);
    return p === undefined ? null : `byte-identical to ${p} in the tagged tree`;
  },
});
