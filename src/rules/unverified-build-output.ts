import { defineRule } from "./define-rule.js";

export default defineRule({
  id: "unverified-build-output",
  severity: "low",
  title: "Generated or built file that cannot be checked against git",
  check(ctx, report) {
    for (const c of ctx.changes) {
      const e = c.explainedBy;
      if (!e || !((e.profile === "npm" && e.reason.startsWith("declared build output")) || e.profile === "generated-source")) continue;
      report({
        path: c.path,
        message: `${c.path}: ${e.reason}. Its content cannot be compared with the tagged sources; re-create it to verify.`,
      });
    }
  },
});
