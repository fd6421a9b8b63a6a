import { defineProfile } from "./profile.js";
import { onlyExportSubst } from "../diff/classify-hunks.js";

export const gitattributes = defineProfile({
  id: "gitattributes",
  description: "Differences that .gitattributes asks git archive to make: export-ignore, export-subst, eol.",
  async explain(change, ctx) {
    const attrs = ctx.attributes.get(change.path);
    if (change.kind === "removed" && attrs.exportIgnore) {
      return "marked export-ignore in .gitattributes, so git archive leaves it out";
    }
    if (change.kind !== "modified") return null;
    const tar = ctx.tarText(change.path);
    const git = tar === null ? null : await ctx.gitText(change.path);
    if (tar === null || git === null) return null;
    if (attrs.exportSubst && onlyExportSubst(git, tar)) {
      return "export-subst in .gitattributes: only $Format:…$ placeholders were expanded";
    }
    if (attrs.eol === "crlf" && !git.includes("\r\n") && tar.replace(/\r\n/g, "\n") === git) {
      return "eol=crlf in .gitattributes: only line endings were converted to CRLF";
    }
    return null;
  },
});
