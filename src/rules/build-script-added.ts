import { defineRule } from "./define-rule.js";
import { unexplained } from "./roles.js";
import { addedTextEvidence, gitignoreNote } from "./evidence.js";
import { checkM4 } from "../provenance/index.js";

export default defineRule({
  id: "build-script-added",
  severity: "high",
  title: "Build script in the tarball that git does not have",
  async check(ctx, report) {
    for (const c of unexplained(ctx, "added", "build-script")) {
      // An m4 macro whose name no upstream ships is the m4-unknown-macro rule's (medium) to report.
      if (c.path.endsWith(".m4")) {
        const text = ctx.tarText(c.path);
        if (text !== null && checkM4(c.path, text).status === "unknown-name") continue;
      }
      report({
        path: c.path,
        message: `${c.path} runs at build time, is not in the git tree, and no profile explains it as generated.${await gitignoreNote(ctx, c.path)}`,
        evidence: addedTextEvidence(ctx, c),
      });
    }
  },
});
