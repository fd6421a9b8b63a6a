import { defineProfile, verified } from "./profile.js";
import { resolveLinkTarget } from "../archive/paths.js";
import { isBuildScript } from "../content/kinds.js";
import { perAudit } from "../context.js";

/** Regular files of the tagged tree by blob id (built once per audit). */
const treeByOid = perAudit(async (ctx) => {
  const out = new Map<string, string[]>();
  for (const [p, e] of ctx.tree) {
    if (e.mode === "120000" || e.mode === "160000") continue;
    const list = out.get(e.oid);
    if (list) list.push(p);
    else out.set(e.oid, [p]);
  }
  return out;
});

/**
 * Tarball files whose bytes are exactly a file of the tagged tree: copies, and symlinks an archiver
 * resolved. The bytes are git's; a copy that *becomes* a build script where git had none does not
 * count (the same bytes run at build time in a place git never ran them).
 */
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
      if (resolved && ctx.tree.get(resolved)?.oid === t.oid) return verified("git", `symlink to ${target} in git, stored as a copy of its target's bytes, as sdist and zip tools do`);
      return null;
    }
    if (change.kind !== "added") return null;
    const sources = (await treeByOid(ctx)).get(t.oid) ?? [];
    const runs = isBuildScript(change.path);
    const source = sources.find((p) => !runs || isBuildScript(p));
    return source ? verified("git", `byte-identical to ${source} in the tagged tree`) : null;
  },
});
