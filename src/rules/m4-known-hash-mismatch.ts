import { defineRule } from "./define-rule.js";
import { provenanceChecks } from "../analysis/provenance.js";

export default defineRule({
  id: "m4-known-hash-mismatch",
  severity: "high",
  title: "m4 macro or autotools helper claims a known upstream version but its content differs",
  async check(ctx, report) {
    for (const c of await provenanceChecks(ctx)) {
      const r = c.result;
      if (r.status !== "body-mismatch") continue;
      const what = r.kind === "m4" ? `serial ${r.stamp}` : `version stamp ${r.stamp}`;
      report({
        path: c.path,
        message: `${c.path} claims to be ${r.name} ${what}, a version distvet knows from ${r.knownSources.slice(0, 3).join(", ")}, but its content (comments and whitespace aside) matches none of them. Someone edited an upstream file and kept its version stamp.${c.inGit ? " The same copy is committed to git." : ""}`,
        evidence: { lines: [`known copies of ${r.name} ${what}: ${r.knownSources.join(", ")}`] },
      });
    }
  },
});
