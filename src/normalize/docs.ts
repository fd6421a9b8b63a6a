import { posix } from "node:path";
import { defineProfile, unverified } from "./profile.js";

const RENDERED = /\.(pdf|ps|html?|txt|dvi)$/i;
const MAN_PAGE = /\.[1-9][a-z]*$/;

/** Man pages rendered to PDF/HTML/text for the release (xz ships doc/man/pdf-a4/xz-a4.pdf from src/xz/xz.1). */
export const renderedDocs = defineProfile({
  id: "rendered-docs",
  description: "PDF, PostScript, HTML or text renderings of man pages that are in git.",
  explain(change, ctx) {
    if (change.kind !== "added" || !RENDERED.test(change.path) || !/(^|\/)(doc|docs|man)\//i.test(change.path)) return null;
    const stem = posix.basename(change.path).replace(RENDERED, "").replace(/[-_.](a4|letter)$/i, "");
    for (const p of ctx.tree.keys()) {
      const b = posix.basename(p);
      if (MAN_PAGE.test(b) && (b.replace(MAN_PAGE, "") === stem || b === stem)) return unverified("rendered-docs", `named like a rendering of the man page ${p}`, "render the man page from the tag (groff/man2html) and compare");
    }
    return null;
  },
});
