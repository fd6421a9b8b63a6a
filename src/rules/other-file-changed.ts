import { defineRule } from "./define-rule.js";
import { roleOf } from "./roles.js";
import { addedTextEvidence, modifiedTextEvidence } from "./evidence.js";
import type { AuditContext } from "../context.js";
import type { Change } from "../types.js";

/**
 * Unexplained added or modified regular files that are neither code, build script nor binary, one
 * at a time (a tarball of a million added files is not copied into another array first).
 */
function* others(ctx: AuditContext, kind: "added" | "modified"): Generator<Change> {
  for (const c of ctx.changes) {
    if (c.kind === kind && !c.explainedBy && c.tarball?.type === "file" && !c.tarball.unsafe && roleOf(c, ctx) === "other") yield c;
  }
}

export default defineRule({
  id: "other-file-changed",
  severity: "low",
  title: "Documentation or data text differs from git",
  async check(ctx, report, folds) {
    // Past the listing limit a finding is only counted (with its path): no message or evidence is built.
    for (const c of others(ctx, "added")) {
      if (folds()) report({ path: c.path, message: "" });
      else report({ path: c.path, message: `${c.path} (text, neither code nor build script) is in the tarball only.`, evidence: addedTextEvidence(ctx, c) });
    }
    // Modified files are always looked at in full: the diff notes what it could not compare (notChecked).
    for (const c of others(ctx, "modified")) {
      const { evidence, summary } = await modifiedTextEvidence(ctx, c);
      report({ path: c.path, message: `${c.path} (text, neither code nor build script) differs from git (${summary}).`, evidence });
    }
  },
});
