import { defineRule } from "./define-rule.js";

/**
 * With --regenerate: a generated file (configure, Makefile.in, aclocal.m4, config.h.in, a macro
 * file or helper, parser output, .gmo) that the tag's inputs, rebuilt with the same tool versions in
 * a sandbox, do not reproduce. The tarball-only lines are the evidence.
 */
export default defineRule({
  id: "regeneration-mismatch",
  severity: "high",
  title: "Generated file differs from what the tag's sources regenerate",
  check(ctx, report) {
    const r = ctx.regeneration;
    if (!r) return;
    for (const f of r.files.values()) {
      if (f.status !== "differs") continue;
      const step = r.steps.find((s) => s.name === f.step);
      const tools = step ? Object.entries(step.tools).map(([t, v]) => `${t} ${v}`).join(", ") : "";
      const n = f.tarballOnly?.length ?? 0;
      report({
        path: f.path,
        message:
          `${f.path} is not what ${f.step}${tools ? ` (${tools})` : ""} produces from the tag` +
          (step?.tarballInputs.length ? ` and the tarball's own macro files and helpers` : "") +
          (n ? `: ${n} line${n === 1 ? "" : "s"} only in the tarball` : f.reason ? `: ${f.reason}` : ""),
        evidence: { ...(f.diff ? { diff: f.diff } : {}), ...(n ? { lines: f.tarballOnly!.slice(0, 50) } : {}) },
      });
    }
  },
});
