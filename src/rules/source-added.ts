import { defineRule } from "./define-rule.js";
import { unexplained } from "./roles.js";
import { addedTextEvidence, gitignoreNote } from "./evidence.js";

export default defineRule({
  id: "source-added",
  severity: "high",
  title: "Source file in the tarball that git does not have",
  async check(ctx, report) {
    for (const c of unexplained(ctx, "added", "source")) {
      report({
        path: c.path,
        message: `${c.path} ships as code but is not in the git tree.${await gitignoreNote(ctx, c.path)}`,
        evidence: addedTextEvidence(ctx, c),
      });
    }
  },
});
