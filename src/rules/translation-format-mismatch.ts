import { defineRule } from "./define-rule.js";
import { noFormatIds, parseMo, parsePo, unsafeTranslations } from "../analysis/catalogs.js";
import { perAudit } from "../context.js";

/**
 * msgids that the tagged tree's own catalogs (.po/.pot in git) flag `no-c-format`: upstream's
 * xgettext run says the program does not pass them to printf ("unrecognized '%' directive").
 * Read from git, never from the tarball, whose flags are its author's to write.
 */
const gitNoFormat = perAudit(async (ctx) => {
  const ids = new Set<string>();
  for (const [p, e] of ctx.tree) {
    if (!/\.pot?$/.test(p) || e.mode === "120000") continue;
    const b = await ctx.gitBlob(e.oid);
    const t = b ? parsePo(b) : null;
    if (t) for (const id of noFormatIds(t)) ids.add(id);
  }
  return ids;
});

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
      if (unsafeTranslations(catalog).length === 0) continue;
      const bad = unsafeTranslations(catalog, await gitNoFormat(ctx));
      if (bad.length === 0) continue;
      report({
        path: c.path,
        message: `${c.path} has ${bad.length} translation(s) whose printf directives differ from the message's: a C program passes the translation to printf with the message's arguments, so an added %n writes to memory and an extra or retyped argument reads the stack. The check reads the bytes, whatever the catalog's c-format flags say.`,
        evidence: { lines: bad.slice(0, 30) },
      });
    }
  },
});
