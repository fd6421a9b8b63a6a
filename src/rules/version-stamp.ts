import { defineRule } from "./define-rule.js";

export default defineRule({
  id: "version-stamp",
  severity: "info",
  title: "Only version or date stamps differ (explained)",
  async check(ctx, report) {
    for (const c of ctx.changes) {
      if (c.explainedBy?.profile !== "version-stamp") continue;
      const d = await ctx.diff(c);
      report({ path: c.path, message: `${c.path}: ${c.explainedBy.reason}.`, ...(d ? { evidence: { diff: d.text } } : {}) });
    }
  },
});
