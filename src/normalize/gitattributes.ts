import { defineProfile, verified } from "./profile.js";

/**
 * What `.gitattributes` *in git at the tag* asks `git archive` to do. The attributes are read from
 * the tagged tree, never from the tarball, and each difference is reproduced exactly.
 */
export const gitattributes = defineProfile({
  id: "gitattributes",
  description: "Differences that git's own .gitattributes asks git archive to make: export-ignore, export-subst, eol.",
  async explain(change, ctx) {
    const attrs = ctx.attributes.get(change.path);
    if (change.kind === "removed" && attrs.exportIgnore) {
      return verified("git", "marked export-ignore in the tagged tree's .gitattributes, so git archive leaves it out");
    }
    if (change.kind !== "modified") return null;
    const tar = ctx.tarText(change.path);
    const git = tar === null ? null : await ctx.gitText(change.path);
    if (tar === null || git === null) return null;
    if (attrs.exportSubst && git.includes("$Format:")) {
      const expanded = await ctx.expandExportSubst(git);
      if (expanded !== null && expanded === tar) {
        return verified("reproduction", `export-subst in the tagged tree's .gitattributes: the $Format:…$ placeholders, expanded with commit ${ctx.commit.slice(0, 12)}, give exactly the shipped bytes`);
      }
      return null;
    }
    if (attrs.eol === "crlf" && !git.includes("\r\n") && git.replace(/\n/g, "\r\n") === tar) {
      return verified("reproduction", "eol=crlf in the tagged tree's .gitattributes: git's bytes with LF converted to CRLF give exactly the shipped bytes");
    }
    return null;
  },
});
