import { defineRule } from "./define-rule.js";

export default defineRule({
  id: "path-traversal",
  severity: "high",
  title: "Archive member name is absolute or climbs out of the tree",
  check(ctx, report) {
    for (const e of ctx.tar.values()) {
      if (!e.unsafe) continue;
      report({
        path: e.rawName,
        message: `The archive member '${e.rawName}' ${e.unsafe}: a naive 'tar x' can write outside the target directory. A legitimate release never needs this.`,
        evidence: { lines: [e.rawName] },
      });
    }
  },
});
