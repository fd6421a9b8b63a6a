import { posix } from "node:path";
import { defineRule } from "./define-rule.js";
import { isBuildScript, looksLikeTestPath } from "../content/kinds.js";
import { describeBinary, isBinary } from "../content/classify.js";

/** Directories of expected (golden) outputs, rewritten whenever the code under test changes. */
const EXPECTED_OUTPUT = /(^|\/)(expected|golden|goldens|reference|baseline|snapshots?|__snapshots__)(\/|$)/i;
/** This many churned fixtures in one directory read as regenerated expected outputs. */
const BULK = 8;
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
    const churned: { path: string; before: Buffer | null; now: Buffer }[] = [];
    for (const [path, e] of fixtures) {
      const before = prev.tree.get(path);
      if (before?.oid === e.oid) continue;
      const now = await ctx.gitBlob(e.oid, ctx.tar.get(path)?.size);
      if (!now || !isBinary(now)) continue;
      const base = posix.basename(path);
      if (changedText.some((t) => t.text.includes(base))) continue;
      churned.push({ path, before: before ? await ctx.gitBlob(before.oid) : null, now });
    }
    const byDir = new Map<string, typeof churned>();
    for (const c of churned) byDir.set(posix.dirname(c.path), [...(byDir.get(posix.dirname(c.path)) ?? []), c]);
    for (const [dir, list] of byDir) {
      if (list.length >= BULK) {
        // Many fixtures at once is what regenerating expected outputs looks like; one summary, not an alarm each.
        report({
          path: `${dir}/`,
          severity: "low",
          message: `${list.length} binary fixtures in ${dir}/ were added or replaced between ${prev.ref} and this release without a test or build file that names them changing too. Bulk changes like this are usually regenerated expected outputs; review the commits that made them.`,
          evidence: { lines: list.slice(0, 20).map((c) => `${c.before ? "replaced" : "added"}: ${c.path}`) },
        });
        continue;
      }
      for (const c of list) {
        const what = c.before ? "replaced" : "added";
        report({
          path: c.path,
          // A replaced input fixture is the xz 5.6.1 shape; a new one usually arrives with new tests, and
          // expected-output directories are regenerated whenever the code they check changes.
          severity: c.before && !EXPECTED_OUTPUT.test(c.path) ? "medium" : "low",
          message: `${c.path} was ${what} between ${prev.ref} and this release, and no test or build file that names it changed with it.${c.before ? " Swapping the bytes of a fixture nobody reads is how the xz backdoor updated its payload in 5.6.1; check the commit that changed it." : ""}`,
          evidence: {
            lines: [
              ...(c.before ? [`${prev.ref}: ${describeBinary(c.path, c.before, c.before.length)}`] : [`${prev.ref}: absent`]),
              `this release: ${describeBinary(c.path, c.now, c.now.length)}`,
            ],
          },
        });
      }
    }
  },
});
