import { posix } from "node:path";
import { defineRule } from "./define-rule.js";

/** The deepest directory holding every path ("." when they share none). */
const commonDir = (paths: string[]): string => {
  let dir = posix.dirname(paths[0]!);
  for (const p of paths) while (dir !== "." && !p.startsWith(`${dir}/`)) dir = posix.dirname(dir);
  return dir === "." ? "." : `${dir}/`;
};

/**
 * One finding for every man page whose only change is the date and version of its `.TH` line, as
 * the manpage-stamp profile verified it: hundreds of stamped pages are one line, listed in the
 * evidence (text: --verbose; JSON: changes[].explainedBy).
 */
export default defineRule({
  id: "manpage-stamp",
  severity: "info",
  title: "Man pages whose only change is the .TH date and version (verified)",
  check(ctx, report) {
    const stamped = ctx.changes.filter((c) => c.explainedBy?.profile === "manpage-stamp").sort((a, b) => (a.path < b.path ? -1 : 1));
    if (!stamped.length) return;
    const paths = stamped.map((c) => c.path);
    report({
      path: paths.length === 1 ? paths[0]! : commonDir(paths),
      message:
        `${paths.length} man page(s) differ from git only in the date and version fields of their .TH line: title, section and every other byte are git's, ` +
        `the new date is a date and the new version is the release's (${ctx.releaseVersions.join(", ") || "unknown"}). --verbose or --format json lists them.`,
      evidence: { lines: stamped.map((c) => `${c.path}: ${c.explainedBy!.reason}`) },
    });
  },
});
