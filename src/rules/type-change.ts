import { defineRule } from "./define-rule.js";

export default defineRule({
  id: "type-change",
  severity: "medium",
  title: "Entry type differs from git (file vs symlink) or is a special file",
  check(ctx, report) {
    for (const c of ctx.changes) {
      if (c.explainedBy || !c.tarball || c.tarball.unsafe) continue;
      if (c.kind === "type" && c.git) {
        const was = c.git.mode === "120000" ? "a symlink" : "a regular file";
        const now = c.tarball.type === "symlink" ? `a symlink to ${c.tarball.linkTarget}` : `a ${c.tarball.type}`;
        report({ path: c.path, message: `${c.path} is ${was} in git but ${now} in the tarball.` });
      } else if (c.kind === "added" && c.tarball.type === "other") {
        report({ path: c.path, severity: "high", message: `${c.path} is a device, FIFO or other special file; source tarballs hold only files, directories and symlinks.` });
      }
    }
  },
});
