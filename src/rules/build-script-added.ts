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
      // An m4 macro whose name no upstream ships is the m4-unknown-macro rule's (medium) to report.
      const prov = await provenanceOf(ctx, c.path);
      if (prov?.result.kind === "m4" && prov.result.status === "unknown-name") continue;
      report({
        path: c.path,
        message: `${c.path} runs at build time, is not in the git tree, and no profile explains it as generated.${await gitignoreNote(ctx, c.path)}`,
        evidence: addedTextEvidence(ctx, c),
      });
    }
  },
});
