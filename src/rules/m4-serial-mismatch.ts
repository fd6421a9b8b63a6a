import { defineRule } from "./define-rule.js";
import { gitignoreNote } from "./evidence.js";
import { provenanceChecks } from "../analysis/provenance.js";
import { SERIAL_MARGIN } from "../provenance/index.js";

export default defineRule({
  id: "m4-serial-mismatch",
  severity: "high",
  title: "m4 macro claims a serial far above any upstream release",
  async check(ctx, report) {
    for (const c of await provenanceChecks(ctx)) {
      const r = c.result;
      if (r.status !== "serial-above-known") continue;
      report({
        path: c.path,
        // Committed to git as is: the project's own macro, reviewable at the tag (coreutils'
        // jm-macros.m4 has moved on from the gnulib copy of 2005 the database knows).
        ...(c.inGit ? { severity: "low" as const } : {}),
        message: `${c.path} says '# serial ${r.serial}', but the highest serial of ${r.name} in any known upstream copy is ${r.maxKnown} (${r.knownSources.slice(0, 3).join(", ")}). aclocal keeps the copy with the highest serial, so an inflated serial makes a doctored macro win over the real one: xz 5.6.0/5.6.1 shipped build-to-host.m4 as serial 30 against gnulib's 3.${c.inGit ? " The file is committed to git as is." : await gitignoreNote(ctx, c.path)}`,
        evidence: { lines: [`serial ${r.serial} > highest known ${r.maxKnown} + margin ${SERIAL_MARGIN}`] },
      });
    }
  },
});
