import { defineRule } from "./define-rule.js";
import { unexplained } from "./roles.js";
import { addedTextEvidence, gitignoreNote } from "./evidence.js";
import { provenanceOf } from "../analysis/provenance.js";

export default defineRule({
  id: "build-script-added",
  severity: "high",
  title: "Build script in the tarball that git does not have",
  async check(ctx, report) {
    for (const c of unexplained(ctx, "added", "build-script")) {
      // Files that claim an upstream name (m4 macros, autotools helpers) are judged by the m4-* rules,
      // by the lines no known copy has; an unknown m4 name is m4-unknown-macro's.
      const prov = await provenanceOf(ctx, c.path);
      if (prov && (prov.result.kind === "m4" || prov.result.status !== "unknown-name")) continue;
      report({
        path: c.path,
        message: `${c.path} runs at build time, is not in the git tree, and no profile explains it as generated.${await gitignoreNote(ctx, c.path)}`,
        evidence: addedTextEvidence(ctx, c),
      });
    }
  },
});
