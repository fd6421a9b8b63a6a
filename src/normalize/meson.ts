import { defineProfile } from "./profile.js";

export const meson = defineProfile({
  id: "meson",
  description: "Subprojects that `meson dist --include-subprojects` adds from their .wrap files.",
  explain(change, ctx) {
    if (change.kind !== "added" || !ctx.hasGit("meson.build")) return null;
    const m = /^subprojects\/([^/]+)\//.exec(change.path);
    if (!m) return null;
    const wrap = `subprojects/${m[1]}.wrap`;
    if (!ctx.hasGit(wrap)) return null;
    ctx.skipOnce(`subprojects/${m[1]}/`, `subproject content comes from the source named in ${wrap}, not from this repository; verify it against that upstream`);
    return `subproject added by meson dist from ${wrap}`;
  },
});
