import { defineRule } from "./define-rule.js";

export default defineRule({
  id: "mode-change",
  severity: "medium",
  title: "Permission bits differ from git (exec bit, setuid/setgid)",
  check(ctx, report) {
    for (const c of ctx.changes) {
      const t = c.tarball;
      if (!t || t.type !== "file") continue;
      const mode = t.mode.toString(8).padStart(4, "0");
      if (t.mode & 0o6000) {
        report({
          path: c.path,
          severity: "high",
          message: `${c.path} has the ${t.mode & 0o4000 ? "setuid" : "setgid"} bit (mode ${mode}); a source tarball never needs it.`,
          evidence: { lines: [`tarball mode ${mode}${c.git ? `, git mode ${c.git.mode}` : ""}`] },
        });
        continue;
      }
      if (c.kind !== "mode" || !c.git || c.explainedBy) continue;
      const gained = (t.mode & 0o111) !== 0;
      report({
        path: c.path,
        severity: gained ? "medium" : "low",
        message: gained
          ? `${c.path} is executable in the tarball (mode ${mode}) but not in git (${c.git.mode}); its content is identical.`
          : `${c.path} lost its executable bit in the tarball (mode ${mode}, git ${c.git.mode}); its content is identical.`,
        evidence: { lines: [`tarball mode ${mode}, git mode ${c.git.mode}`] },
      });
    }
  },
});
