import { defineRule } from "./define-rule.js";
import { provenanceChecks } from "../analysis/provenance.js";
import { addedTextEvidence } from "./evidence.js";

export default defineRule({
  id: "m4-unknown-macro",
  severity: "medium",
  title: "m4 macro in the tarball that neither git nor any known upstream has",
  async check(ctx, report) {
    for (const c of await provenanceChecks(ctx)) {
      if (c.result.status !== "unknown-name" || c.result.kind !== "m4" || ctx.tree.has(c.path)) continue;
      const change = ctx.changes.find((x) => x.path === c.path);
      report({
        path: c.path,
        message: `${c.path} is a tarball-only m4 macro whose name no known upstream (autoconf, automake, libtool, gettext, gnulib, autoconf-archive, pkg-config, …) ships. aclocal pulled it from the release machine; review where it came from.`,
        ...(change ? { evidence: addedTextEvidence(ctx, change) } : {}),
      });
    }
  },
});
