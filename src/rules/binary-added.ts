import { defineRule } from "./define-rule.js";
import { unexplained } from "./roles.js";
import { binaryEvidence } from "./evidence.js";
import { looksLikeTestPath } from "../content/kinds.js";

export default defineRule({
  id: "binary-added",
  severity: "medium",
  title: "Binary file in the tarball that git does not have",
  check(ctx, report) {
    for (const c of unexplained(ctx, "added", "binary")) {
      const fixture = looksLikeTestPath(c.path) ? " It sits under a test path; test fixtures can carry payloads (xz hid its backdoor in tests/files/)." : "";
      report({ path: c.path, message: `${c.path} is binary content that is not in the git tree.${fixture}`, evidence: binaryEvidence(ctx, c) });
    }
  },
});
