import { defineRule } from "./define-rule.js";
import { unexplained } from "./roles.js";
import { binaryEvidence } from "./evidence.js";
import { describeBinary } from "../content/classify.js";
import { looksLikeTestPath } from "../content/kinds.js";

export default defineRule({
  id: "binary-modified",
  severity: "medium",
  title: "Binary file differs from git",
  async check(ctx, report) {
    for (const c of unexplained(ctx, "modified", "binary")) {
      const before = c.git ? await ctx.gitBlob(c.git.oid) : null;
      const was = before ? ` In git: ${describeBinary(c.path, before, before.length)}.` : "";
      const fixture = looksLikeTestPath(c.path) ? " It sits under a test path; test fixtures can carry payloads (xz hid its backdoor in tests/files/)." : "";
      report({ path: c.path, message: `${c.path} is binary and its bytes differ from the tagged tree.${was}${fixture}`, evidence: binaryEvidence(ctx, c) });
    }
  },
});
