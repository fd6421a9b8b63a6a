import { defineRule } from "./define-rule.js";
import { unexplained } from "./roles.js";
import { addedTextEvidence, gitignoreNote } from "./evidence.js";
import { provenanceOf } from "../analysis/provenance.js";
import { unreachedMakefile } from "../analysis/reach.js";

export default defineRule({
  id: "build-script-added",
  severity: "high",
  title: "Build script in the tarball that git does not have",
  async check(ctx, report) {
    for (const c of unexplained(ctx, "added", "build-script")) {
      // Files that claim an upstream name (m4 macros, autotools helpers) are judged by the m4-* rules,
      // by the lines no known copy has; an unknown m4 name is m4-unknown-macro's.
      const prov = await provenanceOf(ctx, c.path);
      if (prov && (prov.result.kind === "m4" || prov.result.status !== "unknown-name")) continue;
      // A makefile that nothing the build runs names (libarchive's doc/pdf/Makefile, written by a
      // maintainer script) is inert for `./configure && make`: still listed, at low.
      if (await unreachedMakefile(ctx, c.path)) {
        report({
          path: c.path,
          severity: "low",
          message: `${c.path} is a makefile that is not in the git tree, but no build file reached from the top directory names it or its directory, so \`./configure && make\` (or cmake/meson) never runs it. Read it before running make there by hand.${await gitignoreNote(ctx, c.path)}`,
          evidence: addedTextEvidence(ctx, c),
        });
        continue;
      }
      report({
        path: c.path,
        message: `${c.path} runs at build time, is not in the git tree, and no profile explains it as generated.${await gitignoreNote(ctx, c.path)}`,
        evidence: addedTextEvidence(ctx, c),
      });
    }
  },
});
