import { posix } from "node:path";
import { defineRule } from "./define-rule.js";
import type { Change, Severity } from "../types.js";

/** What each kind of unverified file is, for the summary's message. */
const KINDS: Record<string, string> = {
  "autotools-output": "autotools output (configure, Makefile.in, aclocal.m4, config.h.in) recognised by its name and place",
  "parser-output": "parser or scanner sources whose header names bison/yacc/flex",
  "generated-source": "generated sources that a build file in git declares",
  "gettext-infrastructure": "gettext build files recognised by their name in po/",
  translations: "translation catalogs and templates that the tagged tree does not have as shipped",
  "rendered-docs": "documentation renderings (Info, PDF, HTML, man) recognised by their name",
  "release-docs": "release documents (ChangeLog from git history, ABOUT-NLS)",
  "version-stamps": "files whose every change is shaped like a version or date stamp",
  "python-metadata": "Python sdist metadata (PKG-INFO, egg-info)",
  "python-version-file": "Python version files written at release time",
  "cpan-metadata": "CPAN distribution metadata",
  "cpan-generated": "files Dist::Zilla generates",
  "meson-subproject": "meson subprojects: another project's files shipped beside their .wrap",
  "npm-build-output": "npm build outputs declared in package.json \"files\"",
};

/** Kinds whose files are compiled into the product from another project's release: never below medium. */
const ALWAYS_MEDIUM = new Set(["meson-subproject"]);
const LIST_MAX = 50;

const commonDir = (paths: string[]): string => {
  let dir = posix.dirname(paths[0]!);
  for (const p of paths) while (dir !== "." && !p.startsWith(`${dir}/`)) dir = posix.dirname(dir);
  return dir === "." ? "." : `${dir}/`;
};

export default defineRule({
  id: "unverified-files",
  severity: "low",
  title: "Files recognised by kind but not proven to come from the tag",
  check(ctx, report) {
    const byKind = new Map<string, Change[]>();
    for (const c of ctx.changes) {
      const e = c.explainedBy;
      if (e?.trust !== "unverified") continue;
      const kind = e.kind ?? e.profile;
      byKind.set(kind, [...(byKind.get(kind) ?? []), c]);
    }
    for (const [kind, changes] of [...byKind].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const paths = changes.map((c) => c.path).sort();
      const severity: Severity = ctx.strict || ALWAYS_MEDIUM.has(kind) ? "medium" : "low";
      const toVerify = [...new Set(changes.map((c) => c.explainedBy!.toVerify).filter(Boolean))];
      const lines = changes
        .sort((a, b) => (a.path < b.path ? -1 : 1))
        .slice(0, LIST_MAX)
        .map((c) => `${c.path}: ${c.explainedBy!.reason}`);
      if (changes.length > LIST_MAX) lines.push(`… and ${changes.length - LIST_MAX} more (all in --format json: changes[].explainedBy)`);
      report({
        path: paths.length === 1 ? paths[0]! : commonDir(paths),
        severity,
        title: `Unverified: ${KINDS[kind] ?? kind}`,
        message: `${paths.length} file(s) are ${KINDS[kind] ?? kind}, but nothing the tarball's author cannot forge proves their content; it was analysed in full like any unexplained file. To verify: ${toVerify.join("; ")}.`,
        evidence: { lines },
      });
    }
  },
});
