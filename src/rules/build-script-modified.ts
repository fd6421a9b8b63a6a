import { defineRule } from "./define-rule.js";
import { unexplained } from "./roles.js";
import { modifiedTextEvidence } from "./evidence.js";

export default defineRule({
  id: "build-script-modified",
  severity: "high",
  title: "Build script differs from git",
  async check(ctx, report) {
    for (const c of unexplained(ctx, "modified", "build-script")) {
      const { evidence, summary } = await modifiedTextEvidence(ctx, c);
      report({ path: c.path, message: `${c.path} runs at build time and differs from the tagged tree (${summary}).`, evidence });
    }
  },
});
