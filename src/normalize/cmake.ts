import { defineProfile, verified } from "./profile.js";
import { perAudit } from "../context.js";

/** Regexes of CPACK_SOURCE_IGNORE_FILES in the top-level CMakeLists.txt (CMake regex ≈ JS regex here). */
const cpackIgnores = perAudit(async (ctx) => {
  const text = (await ctx.gitText("CMakeLists.txt")) ?? "";
  const out: RegExp[] = [];
  for (const m of text.matchAll(/set\s*\(\s*CPACK_SOURCE_IGNORE_FILES\b([^)]*)\)/gi)) {
    for (const q of m[1]!.matchAll(/"([^"]+)"/g)) {
      try {
        out.push(new RegExp(q[1]!.replace(/\\\\/g, "\\").replace(/\$\{[^}]+\}/g, "")));
      } catch {
        /* a pattern JS cannot read: ignore it */
      }
    }
  }
  return out;
});

export const cmake = defineProfile({
  id: "cmake",
  description: "Files a CPack source package leaves out on purpose (CPACK_SOURCE_IGNORE_FILES).",
  async explain(change, ctx) {
    if (change.kind !== "removed" || !ctx.hasGit("CMakeLists.txt")) return null;
    const re = (await cpackIgnores(ctx)).find((r) => r.test(`/${change.path}`));
    return re ? verified("git", `left out by CPack: matches CPACK_SOURCE_IGNORE_FILES pattern ${re.source} of the tagged CMakeLists.txt`) : null;
  },
});
