import { defineRule } from "./define-rule.js";
import { copyVerdict, provenanceChecks } from "../analysis/provenance.js";

export default defineRule({
  id: "m4-known-hash-mismatch",
  severity: "high",
  title: "m4 macro or autotools helper claims a known upstream version but its content differs",
  async check(ctx, report) {
    for (const c of await provenanceChecks(ctx)) {
      const r = c.result;
      const verdict = copyVerdict(c);
      if (r.status !== "body-mismatch" || !verdict) continue;
      const what = r.kind === "m4" ? `serial ${r.stamp}` : `version stamp ${r.stamp}`;
      const lead = `${c.path} claims to be ${r.name} ${what}, a version distvet knows from ${r.knownSources.slice(0, 3).join(", ")}, but its content (comments and whitespace aside) matches none of them: ${verdict.why}.`;
      report({
        path: c.path,
        severity: verdict.severity,
        message: verdict.severity === "high" ? `${lead} Someone may have edited an upstream file and kept its version stamp; review the lines below.` : lead,
        evidence: { lines: r.novel.length ? r.novel.slice(0, 40).map((l) => `not in any known copy: ${l}`) : [`known copies of ${r.name} ${what}: ${r.knownSources.join(", ")}`] },
      });
    }
  },
});
