import { posix } from "node:path";
import { defineRule } from "./define-rule.js";
import { isBuildScript } from "../content/kinds.js";
import { provenanceOf } from "../analysis/provenance.js";
import { isKnownUpstreamLine } from "../provenance/index.js";
import { roleOf } from "./roles.js";

export default defineRule({
  id: "build-script-uses-added-file",
  severity: "high",
  title: "Build script names a file that only the tarball has",
  async check(ctx, report) {
    // Unexplained tarball-only code, scripts and binaries, by basename.
    const added = new Map<string, string>();
    for (const c of ctx.changes) {
      if (c.kind !== "added" || c.explainedBy || c.tarball?.type !== "file" || c.tarball.unsafe) continue;
      if (roleOf(c, ctx) === "other") continue;
      // m4 macros and autotools helpers are judged on their own (m4-* rules); aclocal.m4 and
      // Makefile.in naming them is how autotools work, not a second finding.
      if (await provenanceOf(ctx, c.path)) continue;
      const base = posix.basename(c.path);
      if (base.length >= 5) added.set(base, c.path);
    }
    if (added.size === 0) return;
    // Names the tagged tree itself mentions are upstream's business, not the tarball's.
    for (const base of [...added.keys()]) if (await ctx.gitBuildMentions(base)) added.delete(base);
    if (added.size === 0) return;
    for (const [path, e] of ctx.tar) {
      if (e.type !== "file" || !isBuildScript(path)) continue;
      const text = await ctx.fileText(path);
      if (text === null) continue;
      const candidates = [...added].filter(([base, file]) => file !== path && text.includes(base));
      if (candidates.length === 0) continue;
      // A line that upstream autotools/gettext ship verbatim (gettext's Makefile.in.in naming
      // POTFILES) is the tool's, not the tarball's: one unexplained file must not make every stock
      // script that names it a finding.
      const textLines = text.split("\n");
      const naming = (base: string) => textLines.flatMap((l, i) => (l.includes(base) && !isKnownUpstreamLine(l) ? [i] : []));
      const named = candidates.filter(([base]) => naming(base).length > 0);
      if (named.length === 0) continue;
      const lines = [...new Set(named.flatMap(([b]) => naming(b)))].sort((a, b) => a - b).map((i) => `${path}:${i + 1}: ${textLines[i]!.trim().slice(0, 200)}`).slice(0, 20);
      report({
        path,
        message: `${path} names ${named.map(([, f]) => f).join(", ")}, which only the tarball has and no file in the tagged tree mentions: the build would pick up code from outside the reviewed source (OpenSSH 3.4p1's trojaned Makefile.in built and ran a tarball-only bf-test.c).`,
        evidence: { lines },
      });
    }
  },
});
