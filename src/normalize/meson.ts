import { posix } from "node:path";
import { defineProfile, unverified } from "./profile.js";
import { perAudit } from "../context.js";

/** For every subprojects/ directory in git: "<dir>/subprojects/<folder>" -> the .wrap file that provides it. */
const wrapFolders = perAudit(async (ctx) => {
  const out = new Map<string, string>();
  for (const path of ctx.tree.keys()) {
    if (!/(^|\/)subprojects\/[^/]+\.wrap$/.test(path)) continue;
    const dir = posix.dirname(path);
    const text = (await ctx.gitText(path)) ?? "";
    const folder = /^\s*directory\s*=\s*(\S+)/m.exec(text)?.[1] ?? posix.basename(path, ".wrap");
    out.set(`${dir}/${folder}`, path);
  }
  return out;
});

export const meson = defineProfile({
  id: "meson",
  description: "Subprojects that `meson dist --include-subprojects` (or a wrap download) adds from their .wrap files.",
  async explain(change, ctx) {
    if (change.kind !== "added") return null;
    const m = /^(.*?(?:^|\/)subprojects\/[^/]+)\//.exec(change.path);
    if (!m) return null;
    const wrap = (await wrapFolders(ctx)).get(m[1]!);
    if (!wrap) return null;
    return unverified("meson-subproject", `under a subproject folder that ${wrap} names: its content comes from another project's release, not from this repository`, `compare it with the archive ${wrap} names (source_url, checked against its source_hash) or that project's own tag`);
  },
});
