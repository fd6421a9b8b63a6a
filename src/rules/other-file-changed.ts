import { defineRule } from "./define-rule.js";
import { unexplained } from "./roles.js";
import { addedTextEvidence, modifiedTextEvidence } from "./evidence.js";

export default defineRule({
  id: "other-file-changed",
  severity: "low",
  title: "Documentation or data text differs from git",
  async check(ctx, report) {
    for (const c of unexplained(ctx, "added", "other")) {
      report({ path: c.path, message: `${c.path} (text, neither code nor build script) is in the tarball only.`, evidence: addedTextEvidence(ctx, c) });
    }
    for (const c of unexplained(ctx, "modified", "other")) {
      const { evidence, summary } = await modifiedTextEvidence(ctx, c);
      report({ path: c.path, message: `${c.path} (text, neither code nor build script) differs from git (${summary}).`, evidence });
    }
  },
});
