import { defineRule } from "./define-rule.js";

export default defineRule({
  id: "unverified-build-output",
  severity: "low",
  title: "Declared build output that cannot be checked against git",
  check(ctx, report) {
    for (const c of ctx.changes) {
      if (c.explainedBy?.profile !== "npm" || !c.explainedBy.reason.startsWith("declared build output")) continue;
      report({
        path: c.path,
        message: `${c.path} is a ${c.explainedBy.reason}. Its content was produced from the tagged sources but cannot be compared with them; rebuild it to verify.`,
      });
    }
  },
});
