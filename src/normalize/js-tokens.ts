import { tokenizer, type Options } from "acorn";
import { defineProfile, verified } from "./profile.js";

const OPTIONS: Options = { ecmaVersion: "latest", sourceType: "module", allowHashBang: true, allowReturnOutsideFunction: true, allowAwaitOutsideFunction: true };

/** The token stream of a JavaScript file (types and values, comments and whitespace left out); null when it does not tokenize. */
function tokens(text: string): string[] | null {
  try {
    const out: string[] = [];
    for (const t of tokenizer(text, OPTIONS)) out.push(`${t.type.label}\u0000${text.slice(t.start, t.end)}`);
    return out;
  } catch {
    return null;
  }
}

/**
 * A published JavaScript file whose tokens are exactly git's: tools such as clean-publish strip
 * comments and blank lines. Same tokens in the same order is the same program, so the bytes are
 * verified against git, whatever the layout.
 */
export const jsTokens = defineProfile({
  id: "js-same-tokens",
  description: "JavaScript files that differ from git only in comments and whitespace (same token stream).",
  async explain(change, ctx) {
    if (change.kind !== "modified" || !/\.(m?js|cjs)$/.test(change.path)) return null;
    const tar = ctx.tarText(change.path);
    const git = tar === null ? null : await ctx.gitText(change.path);
    if (tar === null || git === null) return null;
    const a = tokens(git);
    const b = a && tokens(tar);
    if (!a || !b || a.length !== b.length || a.some((t, i) => t !== b[i])) return null;
    return verified("reproduction", `the same ${a.length} JavaScript tokens as git in the same order: only comments and whitespace differ (as clean-publish or a minifier's comment stripping leaves them)`);
  },
});
