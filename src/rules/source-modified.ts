import { defineRule } from "./define-rule.js";
import { unexplained } from "./roles.js";
import { modifiedTextEvidence } from "./evidence.js";

export default defineRule({
  id: "source-modified",
  severity: "high",
  title: "Source file differs from git",
  async check(ctx, report) {
    for (const c of unexplained(ctx, "modified", "source")) {
      const { evidence, summary } = await modifiedTextEvidence(ctx, c);
      report({ path: c.path, message: `${c.path} ships as code and differs from the tagged tree (${summary}).`, evidence });
    }
  },
});
