import { defineRule } from "./define-rule.js";
import { isVerified } from "./roles.js";
import { compiledKind } from "../analysis/compiled.js";
import { binaryEvidence } from "./evidence.js";

export default defineRule({
  id: "compiled-code",
  severity: "high",
  title: "Compiled code (object file, library, executable, bytecode) that git does not have",
  check(ctx, report) {
    for (const c of ctx.changes) {
      if (c.kind === "removed" || c.kind === "mode" || isVerified(c) || c.tarball?.type !== "file" || c.tarball.unsafe) continue;
      const sample = ctx.tarSample(c.path);
      const kind = sample && compiledKind(c.path, sample);
      if (!kind) continue;
      const how = c.kind === "added" ? "is not in the git tree" : "differs from the tagged tree";
      report({
        path: c.path,
        message: `${c.path} is compiled code (${kind}) and ${how}. Nothing in a source release needs a prebuilt object: it cannot be reviewed against the tag, and it runs or links wherever it is used${c.explainedBy ? ` (${c.explainedBy.reason}: a name or place is not evidence)` : ""}.`,
        evidence: binaryEvidence(ctx, c),
      });
    }
  },
});
