import { defineRule } from "./define-rule.js";
import { isBuildScript, isSource } from "../content/kinds.js";

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
        // A symlink where git has code: what gets compiled or run is whatever the link points at.
        const runs = c.tarball.type === "symlink" && c.git.mode !== "120000" && (isSource(c.path) || isBuildScript(c.path));
        report({
          path: c.path,
          ...(runs ? { severity: "high" as const } : {}),
          message: `${c.path} is ${was} in git but ${now} in the tarball.${runs ? " Git has code here; the build now uses whatever the link points at instead." : ""}`,
        });
      } else if (c.kind === "added" && c.tarball.type === "other") {
        report({ path: c.path, severity: "high", message: `${c.path} is a device, FIFO or other special file; source tarballs hold only files, directories and symlinks.` });
      }
    }
  },
});
