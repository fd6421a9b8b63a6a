import { defineProfile, unverified, verified } from "./profile.js";
import { classifyHunks } from "../diff/classify-hunks.js";
import { perAudit } from "../context.js";

/** Literal values of `#define NAME "literal"` in the tarball's headers (for release-time macro substitution). */
const headerDefines = perAudit(async (ctx) => {
  const out = new Map<string, string>();
  for (const [path, e] of ctx.tar) {
    if (e.type !== "file" || e.unsafe || !/\.h(\.in)?$/.test(path)) continue;
    const text = await ctx.fileText(path);
    for (const m of text?.matchAll(/^\s*#\s*define\s+(\w+)\s+("[^"\n]*"|[\d.]+)\s*$/gm) ?? []) if (!out.has(m[1]!)) out.set(m[1]!, m[2]!);
  }
  return out;
});

/** Placeholders a release process replaces with the version (configure/CMake/meson substitution, release scripts). */
const PLACEHOLDER = /@(?:PACKAGE_)?VERSION@|@version@|@PROJECT_VERSION@|\$\{PROJECT_VERSION\}|@VERSION_STRING@/g;

/**
 * A file git has with version placeholders and the tarball has with the release's version: the
 * substitution is reproduced exactly (every placeholder replaced by the version the tarball name
 * and the tag give), so it is verified, not matched by shape.
 */
export const placeholderSubstitution = defineProfile({
  id: "placeholder-substitution",
  description: "Files whose only change is @VERSION@-style placeholders replaced by the release's version.",
  async explain(change, ctx) {
    if (change.kind !== "modified" || !change.git) return null;
    const tar = ctx.tarText(change.path);
    const git = tar === null ? null : await ctx.gitText(change.path);
    if (tar === null || git === null || git.search(PLACEHOLDER) < 0) return null;
    for (const v of ctx.releaseVersions) {
      if (git.replace(PLACEHOLDER, v) === tar) return verified("reproduction", `git's version placeholders replaced by the release version ${v} give exactly the shipped bytes`);
    }
    return null;
  },
});

export const versionStamp = defineProfile({
  id: "version-stamp",
  description: "Modified text files whose every changed hunk is a version or date stamp.",
  async explain(change, ctx) {
    if (change.kind !== "modified") return null;
    const d = await ctx.diff(change);
    if (!d || !d.hunks || d.hunks.length === 0) return null;
    let verdicts = classifyHunks(change.path, d.hunks);
    if (verdicts.some((v) => v.stamps === null) && /\.h(\.in)?$/.test(change.path)) {
      const defines = await headerDefines(ctx);
      verdicts = classifyHunks(change.path, d.hunks, (macro) => defines.get(macro));
    }
    if (verdicts.some((v) => v.stamps === null)) return null;
    const kinds = [...new Set(verdicts.flatMap((v) => v.stamps!))];
    return unverified(
      "version-stamps",
      `every changed line is shaped like a version/date stamp (${kinds.join(", ")}; ${verdicts.length} hunk${verdicts.length > 1 ? "s" : ""})`,
      "check the stamped values against the release's version and date",
    );
  },
});
