import { posix } from "node:path";
import { defineRule } from "./define-rule.js";
import { isBuildScript, looksLikeTestPath } from "../content/kinds.js";
import { describeBinary, isBinary } from "../content/classify.js";

const DOC = /(^|\/)(README|NEWS|ChangeLog|CHANGES)[^/]*$|\.(md|txt|rst)$/i;

export default defineRule({
  id: "fixture-churn",
  severity: "medium",
  title: "Binary test fixture added or replaced since the previous release without a test change that uses it",
  async check(ctx, report) {
    const fixtures = [...ctx.tree].filter(([p, e]) => looksLikeTestPath(p) && e.mode !== "120000" && e.mode !== "160000" && ctx.tar.has(p));
    if (fixtures.length === 0) return;
    const prev = await ctx.previousRelease();
    if (!prev) {
      const anyBinary = await (async () => {
        for (const [p, e] of fixtures) {
          const b = await ctx.gitBlob(e.oid, ctx.tar.get(p)?.size);
          if (b && isBinary(b)) return true;
        }
        return false;
      })();
      if (anyBinary) ctx.skip("(test fixtures)", "no earlier release tag found, so binary fixtures were not compared with the previous release (use --previous-ref)");
      return;
    }
    ctx.previousRef = prev.ref;
    // Text files that changed since the previous release and could be tests or build glue.
    const changedText: { path: string; text: string }[] = [];
    for (const [p, e] of ctx.tree) {
      if (prev.tree.get(p)?.oid === e.oid || e.mode === "120000" || e.mode === "160000" || DOC.test(p)) continue;
      if (!looksLikeTestPath(p) && !isBuildScript(p)) continue;
      const b = await ctx.gitBlob(e.oid);
      if (b && !isBinary(b)) changedText.push({ path: p, text: b.toString("utf8") });
    }
    for (const [path, e] of fixtures) {
      const before = prev.tree.get(path);
      if (before?.oid === e.oid) continue;
      const now = await ctx.gitBlob(e.oid, ctx.tar.get(path)?.size);
      if (!now || !isBinary(now)) continue;
      const base = posix.basename(path);
      const users = changedText.filter((t) => t.text.includes(base)).map((t) => t.path);
      if (users.length > 0) continue;
      const old = before ? await ctx.gitBlob(before.oid) : null;
      const what = before ? "replaced" : "added";
      report({
        path,
        message: `${path} was ${what} between ${prev.ref} and this release, and no test or build file that names it changed with it. Binary fixtures nobody reads are where the xz backdoor kept its payload; check the commit that changed it.`,
        evidence: {
          lines: [
            ...(old ? [`${prev.ref}: ${describeBinary(path, old, old.length)}`] : [`${prev.ref}: absent`]),
            `this release: ${describeBinary(path, now, now.length)}`,
          ],
        },
      });
    }
  },
});
