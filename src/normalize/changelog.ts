import { defineProfile, unverified } from "./profile.js";

/** A ChangeLog written from git history at release time (gitlog-to-changelog, `git log` style). */
const GIT_LOG_SHAPE = /^(commit [0-9a-f]{7,40}$|\d{4}-\d{2}-\d{2} {1,2}\S.*<[^>]*>$)/m;

export const changelog = defineProfile({
  id: "changelog",
  description: "A ChangeLog generated from the git history at release time.",
  explain(change, ctx) {
    if (change.kind !== "added" && change.kind !== "modified") return null;
    if (!/(^|\/)ChangeLog$/.test(change.path)) return null;
    const text = ctx.tarText(change.path);
    if (text && GIT_LOG_SHAPE.test(text.slice(0, 8192))) {
      return unverified("release-docs", "looks generated from the git history at release time (git log / gitlog-to-changelog format)", "compare it with `git log` of the tag");
    }
    return null;
  },
});
