import { defineProfile, verified } from "./profile.js";
import { isBuildScript } from "../content/kinds.js";
import { submoduleSource } from "../git/submodules.js";
import type { AuditContext } from "../context.js";

/**
 * Where a tarball-only file's exact bytes come from in a submodule the tag pins, or null. Bytes
 * that run at build time count only when they are a build file in the submodule too.
 */
export function submoduleCopyOf(ctx: AuditContext, path: string, oid: string): ReturnType<typeof submoduleSource> {
  if (!ctx.submodules.length || ctx.tree.has(path)) return null;
  const runs = isBuildScript(path);
  return submoduleSource(path, oid, ctx.submodules, (p) => !runs || isBuildScript(p));
}

/**
 * Tarball files that are byte-identical to a file of a submodule at the commit the tag pins
 * (given with --submodule): the submodule shipped in place, or files copied out of it under their
 * own name, as gnulib's bootstrap copies lib/, m4/ and build-aux/ files. As with copies of the
 * tree, bytes that run at build time count only when they are a build file in the submodule too.
 */
export const submoduleCopies = defineProfile({
  id: "submodule-copy",
  description: "Files byte-identical to a file of a submodule at the commit the tag pins (--submodule): gnulib copies, shipped submodules.",
  explain(change, ctx) {
    const t = change.tarball;
    if (!t || t.type !== "file" || !t.oid) return null;
    // Only files git does not have: a copy never stands in for a file the tag itself holds.
    if (change.kind !== "added") return null;
    const hit = submoduleCopyOf(ctx, change.path, t.oid);
    if (!hit) return null;
    const at = `${hit.submodule.path} at ${hit.submodule.commit.slice(0, 12)}, the commit the tag pins`;
    return verified("known-copy", hit.inPlace ? `identical to ${hit.source} of submodule ${at}` : `byte-identical to ${hit.source} of submodule ${at}: a copy made from it (as gnulib's bootstrap makes)`);
  },
});
