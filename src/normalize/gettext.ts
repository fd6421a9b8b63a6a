import { posix } from "node:path";
import { defineProfile } from "./profile.js";

/** gettext infrastructure that autopoint/gettextize copies into po/ and the tree. */
const GETTEXT_COPIED = new Set([
  "Makefile.in.in", "Rules-quot", "boldquot.sed", "quot.sed", "en@quot.header", "en@boldquot.header",
  "insert-header.sin", "remove-potcdate.sin", "insert-header.sed", "remove-potcdate.sed", "Makevars.template", "stamp-po",
]);

/** Lines of a PO file that msgmerge/xgettext rewrite at release time without changing a translation. */
const VOLATILE_PO_LINE = /^(#:.*|#,.*|"(POT-Creation-Date|PO-Revision-Date|Project-Id-Version|Report-Msgid-Bugs-To|X-Generator):.*"|#~.*)$/;

const stableLines = (text: string): string =>
  text.split(/\r?\n/).filter((l) => !VOLATILE_PO_LINE.test(l)).join("\n");

export const gettext = defineProfile({
  id: "gettext",
  description: "gettext catalogs and the po/ infrastructure gettextize/autopoint copy.",
  async explain(change, ctx) {
    const { path } = change;
    const base = posix.basename(path);
    const dir = posix.dirname(path) === "." ? "" : posix.dirname(path);
    const poDir = /(^|\/)po$/.test(dir);
    if (change.kind === "added") {
      if (base.endsWith(".gmo")) {
        const po = path.replace(/\.gmo$/, ".po");
        if (ctx.hasGit(po) || ctx.tar.has(po)) return `compiled by msgfmt from ${po}`;
        return null;
      }
      if (poDir && GETTEXT_COPIED.has(base)) return "gettext infrastructure copied by gettextize/autopoint";
      if (base === "ABOUT-NLS" || base === "config.rpath") return "gettext file copied by gettextize/autopoint";
      const hasPotfiles = ctx.hasGit(`${dir}/POTFILES.in`) || ctx.hasGit(`${dir}/meson.build`);
      if (poDir && base.endsWith(".pot") && hasPotfiles) return `message template extracted by xgettext (listed sources: ${dir}/POTFILES.in)`;
      if (poDir && (base.endsWith(".po") || base === "LINGUAS") && hasPotfiles) {
        return "translation catalog added at release time (e.g. from the Translation Project); translations are data, not code";
      }
      return null;
    }
    if (change.kind === "modified" && /\.(po|pot)$/.test(base)) {
      const tar = ctx.tarText(path);
      const git = tar === null ? null : await ctx.gitText(path);
      if (tar !== null && git !== null && stableLines(tar) === stableLines(git)) {
        return "only header dates, source references (#:) and flags changed, as msgmerge does at release time";
      }
    }
    return null;
  },
});
