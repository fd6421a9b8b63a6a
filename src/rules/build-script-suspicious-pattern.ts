import { defineRule } from "./define-rule.js";
import { isBuildScript } from "../content/kinds.js";
import { scanBehaviour } from "../content/behaviour.js";
import { isKnownUpstreamLine } from "../provenance/index.js";
import type { Severity } from "../types.js";
import { RETAIN_MAX_BYTES } from "../archive/read-tar.js";

export default defineRule({
  id: "build-script-suspicious-pattern",
  severity: "high",
  title: "Build script does something build scripts rarely need (tree grep, tr byte map, eval of a pipeline, download, …)",
  async check(ctx, report) {
    // Unverified files are analysed in full like build scripts: a `_version.py` recognised by its
    // name, a declared build output, a generated source all run somewhere, and only their content
    // can say what they do (build scripts were analysed while the tarball streamed).
    // Only what is code: a man page or a catalog is not run (their own rules judge them).
    const runs = (path: string): boolean => {
      const head = ctx.tarSample(path);
      return /\.(py|pyw|js|mjs|cjs|sh|bash|pl|pm|PL|rb|cmake|m4|mk)$/.test(path) || (head !== null && head[0] === 0x23 && head[1] === 0x21);
    };
    const unverified = new Set<string>();
    // Explanations of the files this rule reads only (build scripts and unverified code), not of
    // every change: a million-member tarball must not need a second million-entry map here.
    const explanationOf = new Map<string, (typeof ctx.changes)[number]["explainedBy"]>();
    for (const c of ctx.changes) {
      const build = isBuildScript(c.path);
      if (!build && c.explainedBy?.trust === "unverified" && runs(c.path)) unverified.add(c.path);
      if (build || unverified.has(c.path)) explanationOf.set(c.path, c.explainedBy);
    }
    for (const [path, entry] of ctx.tar) {
      if (entry.type !== "file" || entry.unsafe || !(isBuildScript(path) || unverified.has(path))) continue;
      if (entry.size > RETAIN_MAX_BYTES) {
        ctx.skipOnce(path, `${isBuildScript(path) ? "build script" : "unverified file"} larger than ${RETAIN_MAX_BYTES} bytes: not scanned for suspicious patterns`);
        continue;
      }
      const text = unverified.has(path) ? ctx.tarText(path) : null;
      const hits = text !== null ? scanBehaviour(text, path) : (ctx.behaviourHits.get(path) ?? []);
      if (hits.length === 0) continue;
      const g = ctx.tree.get(path);
      // Bytes proven to be git's, a known upstream copy's or the toolchain's own output (regenerated
      // from the tag) are not the tarball author's: their hits are shown, at low, like git's.
      const proven = explanationOf.get(path);
      const identical = g?.oid === entry.oid || (proven?.trust === "verified" && (proven.verifiedBy === "regeneration" || proven.verifiedBy === "known-copy"));
      const gitText = !identical && g ? await ctx.gitText(path) : null;
      const gitLines = identical ? null : new Set((gitText ?? "").split("\n").map((l) => l.trim()));
      const upstream = identical ? null : await ctx.gitBuildLines();
      let severity: Severity = "low";
      const lines: string[] = [];
      const kinds = new Set<string>();
      for (const h of hits) {
        const inGit = identical || gitLines!.has(h.text) || upstream!.has(h.text);
        // Lines autoconf, automake, libtool or gettext themselves ship are upstream tooling, not this tarball's.
        if (!inGit && isKnownUpstreamLine(h.text)) continue;
        if (!inGit) severity = "high";
        kinds.add(`${h.pattern.id} (${h.pattern.explain})`);
        lines.push(`${path}:${h.line}: [${h.pattern.id}${inGit ? ", also in git" : ""}] ${h.text}`);
      }
      if (lines.length === 0) continue;
      const where = identical
        ? g?.oid === entry.oid
          ? "The file is identical to git, so this is upstream's code; it is reported so a reviewer can see it."
          : `The file is ${proven!.verifiedBy === "regeneration" ? "reproduced byte for byte from the tag (--regenerate)" : "byte-identical to a known upstream copy"}, so this is the toolchain's code; it is reported so a reviewer can see it.`
        : severity === "high"
          ? `These lines are not in the tagged tree${g ? "" : " (the file is tarball-only)"}.`
          : "The same lines are in the tagged tree.";
      report({
        path,
        severity,
        message: `${path} ${[...kinds].join("; ")}. ${where}`,
        evidence: { lines },
      });
    }
  },
});
