import { defineProfile, unverified } from "./profile.js";
import { classifyHunks } from "../diff/classify-hunks.js";

export const versionStamp = defineProfile({
  id: "version-stamp",
  description: "Modified text files whose every changed hunk is a version or date stamp.",
  async explain(change, ctx) {
    if (change.kind !== "modified") return null;
    const d = await ctx.diff(change);
    if (!d || !d.hunks || d.hunks.length === 0) return null;
    const verdicts = classifyHunks(change.path, d.hunks);
    if (verdicts.some((v) => v.stamps === null)) return null;
    const kinds = [...new Set(verdicts.flatMap((v) => v.stamps!))];
    return unverified(
      "version-stamps",
      `every changed line is shaped like a version/date stamp (${kinds.join(", ")}; ${verdicts.length} hunk${verdicts.length > 1 ? "s" : ""})`,
      "check the stamped values against the release's version and date",
    );
  },
});
