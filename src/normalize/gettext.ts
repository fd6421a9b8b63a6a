import { posix } from "node:path";
import { defineProfile, unverified, verified } from "./profile.js";
import { catalogOf, isSystemDependent, parseMo, parsePo, sameCatalog } from "../analysis/catalogs.js";

/** gettext infrastructure that autopoint/gettextize copies into po/ (build scripts: their content is analysed). */
const GETTEXT_COPIED = new Set([
  "Makefile.in.in", "Rules-quot", "boldquot.sed", "quot.sed", "en@quot.header", "en@boldquot.header",
  "insert-header.sin", "remove-potcdate.sin", "insert-header.sed", "remove-potcdate.sed", "Makevars.template", "stamp-po",
]);

const TRANSLATIONS_TO_VERIFY = "translations are data, but check them against the project's translation platform; distvet checks their format directives";

export const gettext = defineProfile({
  id: "gettext",
  description: "gettext catalogs (compiled catalogs proven equal to their .po) and the po/ infrastructure gettextize/autopoint copy.",
  async explain(change, ctx) {
    const { path } = change;
    const base = posix.basename(path);
    const dir = posix.dirname(path) === "." ? "" : posix.dirname(path);
    const poDir = /(^|\/)po$/.test(dir);
    if (change.kind === "added") {
      if (/\.g?mo$/.test(base)) {
        // Read the compiled catalog and its source: msgfmt's output holds exactly the .po's messages.
        const po = path.replace(/\.g?mo$/, ".po");
        const [moBytes, poBytes] = [await ctx.fileBytes(path), await ctx.fileBytes(po)];
        const mo = moBytes && parseMo(moBytes);
        const src = poBytes && parsePo(poBytes);
        if (!mo || !src || !sameCatalog(catalogOf(mo, { skipSystemDependent: true }), catalogOf(src, { skipSystemDependent: true }))) return null;
        const sysdep = [...catalogOf(src).keys()].filter((k) => isSystemDependent(k)).length;
        if (sysdep) ctx.skip(path, `${sysdep} message(s) with <inttypes.h> macros (%<PRIu64>…) sit in the catalog's system-dependent section, which distvet does not read; the other messages equal ${po}`);
        const poFromGit = ctx.tree.get(po)?.oid === ctx.tar.get(po)?.oid;
        return poFromGit
          ? verified("reproduction", `holds exactly the messages of ${po} in the tagged tree (what msgfmt compiles)`)
          : unverified("translations", `holds exactly the messages of ${po}, which the tagged tree does not have as shipped`, TRANSLATIONS_TO_VERIFY);
      }
      if (poDir && GETTEXT_COPIED.has(base)) return unverified("gettext-infrastructure", "named like a file gettextize/autopoint copy into po/", "run distvet with --regenerate (autopoint) to compare with gettext's own copy");
      if (base === "ABOUT-NLS") return unverified("release-docs", "named like the notes gettextize copies", "compare with gettext's own ABOUT-NLS");
      const hasPotfiles = ctx.hasGit(`${dir}/POTFILES.in`) || ctx.hasGit(`${dir}/meson.build`);
      if (poDir && base.endsWith(".pot") && hasPotfiles) return unverified("translations", `message template, named like xgettext's output for ${dir}/POTFILES.in`, "regenerate it with xgettext from the tag");
      if (poDir && (base.endsWith(".po") || base === "LINGUAS") && hasPotfiles) {
        return unverified("translations", "translation catalog added at release time (e.g. from the Translation Project)", TRANSLATIONS_TO_VERIFY);
      }
      return null;
    }
    if (change.kind === "modified" && /\.(po|pot)$/.test(base) && change.git) {
      // Compare what msgfmt compiles (fuzzy flags included), not lines: "#, fuzzy" decides what ships.
      const tar = ctx.tarBytes(path);
      const git = tar === null ? null : await ctx.gitBlob(change.git.oid);
      const a = tar && parsePo(tar);
      const b = git && parsePo(git);
      if (a && b && sameCatalog(catalogOf(a), catalogOf(b)) && a.headers["Plural-Forms"] === b.headers["Plural-Forms"]) {
        return verified("git", "same compiled messages as git: only comments, source references and header dates differ, as msgmerge writes them at release time");
      }
    }
    return null;
  },
});
