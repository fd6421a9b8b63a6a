import { posix } from "node:path";
import { defineRule } from "./define-rule.js";
import { isBuildScript, looksLikeTestPath } from "../content/kinds.js";
import { describeBinary, isBinary } from "../content/classify.js";
import { NameMatcher } from "./build-script-uses-added-file.js";
import type { TreeEntry } from "../types.js";

/** Directories of expected (golden) outputs, rewritten whenever the code under test changes. */
const EXPECTED_OUTPUT = /(^|\/)(expected|golden|goldens|reference|baseline|snapshots?|__snapshots__)(\/|$)/i;
/** This many churned fixtures in one directory read as regenerated expected outputs. */
const BULK = 8;
/** git blobs are read this many at a time (and at most about this many bytes). */
const READ_BATCH = 64;
const READ_BATCH_BYTES = 16 * 1024 * 1024;
const DOC = /(^|\/)(README|NEWS|ChangeLog|CHANGES)[^/]*$|\.(md|txt|rst)$/i;

export default defineRule({
  id: "fixture-churn",
  severity: "medium",
  title: "Binary test fixture added or replaced since the previous release without a test change that uses it",
  async check(ctx, report) {
    const fixtures: [string, TreeEntry][] = [];
    for (const [p, e] of ctx.tree) {
      if (e.mode !== "120000" && e.mode !== "160000" && looksLikeTestPath(p) && ctx.tar.has(p)) fixtures.push([p, e]);
    }
    if (fixtures.length === 0) return;
    /**
     * The binary fixtures of `list`, each with its description (size, entropy, signature): git blobs
     * are read a batch at a time (pipelined through the reader), bounded in count and bytes, and
     * only the description is kept (hundreds of changed font or image fixtures must not stay in memory).
     */
    const binaryOf = async (list: [string, TreeEntry][], stopAtFirst: boolean): Promise<Map<string, string>> => {
      const found = new Map<string, string>();
      for (let i = 0; i < list.length; ) {
        const batch: [string, TreeEntry][] = [];
        let bytes = 0;
        while (i < list.length && batch.length < READ_BATCH && bytes < READ_BATCH_BYTES) {
          const item = list[i++]!;
          bytes += ctx.tar.get(item[0])?.size ?? 0;
          batch.push(item);
        }
        const blobs = await Promise.all(batch.map(([p, e]) => ctx.gitBlob(e.oid, ctx.tar.get(p)?.size, "once")));
        batch.forEach(([p], k) => {
          const b = blobs[k];
          if (b && isBinary(b)) found.set(p, describeBinary(p, b, b.length));
        });
        if (stopAtFirst && found.size) break;
      }
      return found;
    };
    // No binary fixture, nothing that can churn: the previous release is not even looked up.
    const anyBinary = (await binaryOf(fixtures, true)).size > 0;
    if (!anyBinary) return;
    const prev = await ctx.previousRelease();
    if (!prev) {
      ctx.skip("(test fixtures)", "no earlier release tag found, so binary fixtures were not compared with the previous release (use --previous-ref)");
      return;
    }
    ctx.previousRef = prev.ref;
    const changedFixtures = fixtures.filter(([p, e]) => prev.tree.get(p)?.oid !== e.oid);
    if (changedFixtures.length === 0) return;
    const binaries = await binaryOf(changedFixtures, false);
    if (binaries.size === 0) return;
    // Text files that changed since the previous release and could be tests or build glue: which churned names do they mention?
    const names = new NameMatcher([...binaries.keys()].map((p) => posix.basename(p)));
    const mentioned = new Set<string>();
    const changedText: [string, TreeEntry][] = [];
    for (const [p, e] of ctx.tree) {
      if (prev.tree.get(p)?.oid === e.oid || e.mode === "120000" || e.mode === "160000" || DOC.test(p)) continue;
      if (looksLikeTestPath(p) || isBuildScript(p)) changedText.push([p, e]);
    }
    for (let i = 0; i < changedText.length; i += READ_BATCH) {
      const blobs = await Promise.all(changedText.slice(i, i + READ_BATCH).map(([, e]) => ctx.gitBlob(e.oid)));
      for (const b of blobs) if (b && !isBinary(b)) names.mentioned(b.toString("utf8"), mentioned);
    }
    const churned: { path: string; before: string | null; now: string }[] = [];
    for (const [path, now] of binaries) {
      if (mentioned.has(posix.basename(path))) continue;
      const entry = prev.tree.get(path);
      const before = entry ? await ctx.gitBlob(entry.oid) : null;
      churned.push({ path, before: before ? describeBinary(path, before, before.length) : null, now });
    }
    const byDir = new Map<string, typeof churned>();
    for (const c of churned) {
      const dir = posix.dirname(c.path);
      const list = byDir.get(dir);
      if (list) list.push(c);
      else byDir.set(dir, [c]);
    }
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
              ...(c.before ? [`${prev.ref}: ${c.before}`] : [`${prev.ref}: absent`]),
              `this release: ${c.now}`,
            ],
          },
        });
      }
    }
  },
});
