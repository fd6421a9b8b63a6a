import { defineProfile, verified } from "./profile.js";

/** Generated files that --regenerate rebuilt from the tag, in a sandbox, byte for byte. */
export const regenerated = defineProfile({
  id: "regeneration",
  description: "Generated files rebuilt from the tag in a sandbox (--regenerate) and found identical.",
  explain(change, ctx) {
    const r = ctx.regeneration?.files.get(change.path);
    if (!r || r.status !== "reproduced" || (change.kind !== "added" && change.kind !== "modified")) return null;
    return verified("regeneration", `rebuilt from the tag in a sandbox by the ${r.step} step and identical${r.reason ? ` (${r.reason})` : ""}`);
  },
});
