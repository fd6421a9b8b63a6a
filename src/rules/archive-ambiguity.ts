import { defineRule } from "./define-rule.js";

/**
 * Places where extractors disagree about what the archive unpacks to. distvet audits the tree GNU
 * tar leaves (what dpkg-source runs); these are the spots where another extractor, or another
 * reader of the same bytes, sees something else: each is where a second payload can hide.
 */
export default defineRule({
  id: "archive-ambiguity",
  severity: "high",
  title: "Extractors disagree about what this archive unpacks to",
  check(ctx, report) {
    const seen = new Set<string>();
    for (const a of ctx.ambiguities) {
      const key = `${a.path}\0${a.what}`;
      if (seen.has(key)) continue;
      seen.add(key);
      report({
        path: a.path,
        ...(a.severity ? { severity: a.severity } : {}),
        message: `${a.path}: ${a.what}.`,
        ...(a.extractors ? { evidence: { lines: Object.entries(a.extractors).map(([tool, result]) => `${tool}: ${result}`) } } : {}),
      });
    }
  },
});
