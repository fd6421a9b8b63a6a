import { defineRule } from "./define-rule.js";
import { resolveLinkTarget } from "../archive/paths.js";

export default defineRule({
  id: "symlink-escape",
  severity: "high",
  title: "Symlink points outside the source tree",
  check(ctx, report) {
    for (const [path, e] of ctx.tar) {
      if (e.type !== "symlink" || e.linkTarget === undefined || e.unsafe) continue;
      const target = e.linkTarget;
      const resolved = resolveLinkTarget(path, target);
      if (resolved !== null) continue;
      const g = ctx.tree.get(path);
      const inGit = g?.mode === "120000" && g.oid === e.oid;
      const why = target.startsWith("/") ? "an absolute path" : "a path that climbs out of the tree";
      report({
        path,
        severity: inGit ? "low" : "high",
        message: inGit
          ? `${path} points to ${why} (${target}); the same symlink is in git, so it is upstream's choice, but unpacking it may reach outside the build directory.`
          : `${path} points to ${why} (${target}) and is not in git this way: unpacking or building may read or write outside the source tree.`,
        evidence: { lines: [`${path} -> ${target}`] },
      });
    }
  },
});
