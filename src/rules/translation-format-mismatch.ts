import { defineRule } from "./define-rule.js";
import { parseMo, parsePo, unsafeTranslations } from "../analysis/catalogs.js";

export default defineRule({
  id: "translation-format-mismatch",
  severity: "high",
  title: "A translation changes the printf directives of its message (%n, extra or retyped arguments)",
  async check(ctx, report) {
    for (const c of ctx.changes) {
      if ((c.kind !== "added" && c.kind !== "modified") || c.tarball?.type !== "file" || c.tarball.unsafe) continue;
      const po = /\.pot?$/.test(c.path);
      if (!po && !/\.g?mo$/.test(c.path)) continue;
      const bytes = ctx.tarBytes(c.path);
      if (!bytes) {
        ctx.skipOnce(c.path, "catalog too large to keep in memory: its translations' format directives were not checked");
        continue;
      }
      const catalog = po ? parsePo(bytes) : parseMo(bytes);
      if (!catalog) {
        if (po) ctx.skipOnce(c.path, "not a catalog gettext-parser can read: its translations' format directives were not checked");
        continue;
      }
      const bad = unsafeTranslations(catalog);
      if (bad.length === 0) continue;
      report({
        path: c.path,
        message: `${c.path} has ${bad.length} translation(s) whose printf directives differ from the message's: a C program passes the translation to printf with the message's arguments, so an added %n writes to memory and an extra or retyped argument reads the stack. The check reads the bytes, whatever the catalog's c-format flags say.`,
        evidence: { lines: bad.slice(0, 30) },
      });
    }
  },
});
