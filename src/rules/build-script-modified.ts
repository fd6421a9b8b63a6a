import { defineRule } from "./define-rule.js";
import { unexplained } from "./roles.js";
import { modifiedTextEvidence } from "./evidence.js";
import { provenanceOf } from "../analysis/provenance.js";

export default defineRule({
  id: "build-script-modified",
  severity: "high",
  title: "Build script differs from git",
  async check(ctx, report) {
    for (const c of unexplained(ctx, "modified", "build-script")) {
      // A known upstream file (m4 macro, helper) is judged by its novel lines in m4-known-hash-mismatch.
      const prov = await provenanceOf(ctx, c.path);
      if (prov && prov.result.status !== "unknown-name") continue;
      const { evidence, summary } = await modifiedTextEvidence(ctx, c);
      report({ path: c.path, message: `${c.path} runs at build time and differs from the tagged tree (${summary}).`, evidence });
    }
  },
});
