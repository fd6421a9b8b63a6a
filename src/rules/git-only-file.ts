import { defineRule } from "./define-rule.js";

export default defineRule({
  id: "git-only-file",
  severity: "info",
  title: "File in git that the tarball leaves out",
  check(ctx, report) {
    const removed = ctx.changes.filter((c) => c.kind === "removed" && !c.explainedBy && c.git?.mode !== "160000");
    for (const c of removed) {
      report({ path: c.path, message: `${c.path} is in the tagged tree but not in the tarball.` });
    }
    for (const c of ctx.changes) {
      if (c.kind === "removed" && c.git?.mode === "160000") {
        report({ path: c.path, message: `${c.path} is a git submodule; its content is not part of this tree and was not checked.` });
      }
    }
  },
});
