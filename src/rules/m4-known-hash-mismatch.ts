import { defineRule } from "./define-rule.js";
import { aclocalChecks, knownFileVerdict, provenanceChecks } from "../analysis/provenance.js";

export default defineRule({
  id: "m4-known-hash-mismatch",
  severity: "high",
  title: "m4 macro, aclocal.m4 or autotools helper claims a known upstream file but matches no known copy",
  async check(ctx, report) {
    for (const c of await provenanceChecks(ctx)) {
      const verdict = knownFileVerdict(c);
      if (!verdict) continue;
      const r = c.result;
      const sources = r.status === "body-mismatch" ? ` (known copies of that version: ${r.knownSources.slice(0, 3).join(", ")})` : "";
      report({
        path: c.path,
        severity: verdict.severity,
        message: `${c.path} claims to be the upstream ${r.kind === "m4" ? "macro" : "helper"} ${r.name}, ${verdict.why}${sources}. A known name is not evidence: only a byte-identical known copy is.${verdict.severity === "high" ? " Someone may have edited an upstream file and kept its name and version stamp; review the lines below." : ""}`,
        evidence: { lines: verdict.lines.slice(0, 60) },
      });
    }
    for (const a of await aclocalChecks(ctx)) {
      if (a.novel.length === 0) continue;
      const bad = a.novel.filter((l) => a.danger.has(l));
      report({
        path: a.path,
        severity: bad.length ? "high" : "medium",
        message: `${a.path} holds ${a.novel.length} line(s) that are in no known upstream macro and in no build file of the tagged tree; aclocal only copies known macro files, so these lines were written by hand${bad.length ? `, and ${bad.length} of them do something dangerous at build time` : ""}.`,
        evidence: { lines: [...bad.map((l) => `${a.danger.get(l)}: ${l}`), ...a.novel.filter((l) => !a.danger.has(l))].slice(0, 60) },
      });
    }
  },
});
