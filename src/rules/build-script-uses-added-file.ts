import { posix } from "node:path";
import { defineRule } from "./define-rule.js";
import { isBuildScript } from "../content/kinds.js";
import { roleOf } from "./roles.js";
import { provenanceOf } from "../analysis/provenance.js";
import { isKnownUpstreamLine } from "../provenance/index.js";

/** Characters a file name is made of in build scripts; anything else ends a word (space, quote, `/`, `$`, `(`…). */
const WORD = /[A-Za-z0-9._+@~\-\u0080-\uffff]+/g;
const INNER_PUNCT = /[._+@~-]/g;
/** Runs of this many punctuation-separated pieces at most are looked up inside one word. */
const MAX_PIECES = 16;

/**
 * Finds which of many file names a text mentions, in one pass over the text: each word is looked
 * up in a Set, and so is every run of its punctuation-separated pieces (so `bf-test.c` is found in
 * `$(srcdir)/bf-test.c`, `"bf-test.c"` and `x.bf-test.c`), at a bounded cost per word. Names made
 * of other characters (rare: spaces, `$`) are searched for as substrings.
 */
export class NameMatcher {
  private readonly words = new Set<string>();
  private readonly odd: string[] = [];

  constructor(names: Iterable<string>) {
    for (const n of names) {
      if (/^[A-Za-z0-9._+@~\-\u0080-\uffff]+$/.test(n)) this.words.add(n);
      else this.odd.push(n);
    }
  }

  get size(): number {
    return this.words.size + this.odd.length;
  }

  /** Every name the text mentions (each at most once). */
  mentioned(text: string, into = new Set<string>()): Set<string> {
    if (this.words.size) {
      for (const m of text.matchAll(WORD)) this.lookupWord(m[0], into);
    }
    for (const n of this.odd) if (text.includes(n)) into.add(n);
    return into;
  }

  private lookupWord(word: string, into: Set<string>): void {
    if (this.words.has(word)) into.add(word);
    // Piece boundaries: starts after a punctuation mark, ends before one.
    const starts = [0];
    const ends: number[] = [];
    for (const p of word.matchAll(INNER_PUNCT)) {
      ends.push(p.index);
      starts.push(p.index + 1);
    }
    if (starts.length === 1) return;
    ends.push(word.length);
    ends.sort((a, b) => a - b);
    for (const s of starts) {
      let seen = 0;
      for (const e of ends) {
        if (e <= s) continue;
        if (++seen > MAX_PIECES) break;
        if (s === 0 && e === word.length) continue;
        const piece = word.slice(s, e);
        if (this.words.has(piece)) into.add(piece);
      }
    }
  }
}

export default defineRule({
  id: "build-script-uses-added-file",
  severity: "high",
  title: "Build script names a file that only the tarball has",
  async check(ctx, report) {
    // Unexplained tarball-only code, scripts and binaries, by basename.
    const added = new Map<string, string>();
    for (const c of ctx.changes) {
      if (c.kind !== "added" || c.explainedBy || c.tarball?.type !== "file" || c.tarball.unsafe) continue;
      if (roleOf(c, ctx) === "other") continue;
      // m4 macros and autotools helpers are judged on their own (m4-* rules); aclocal.m4 and
      // Makefile.in naming them is how autotools work, not a second finding.
      if (await provenanceOf(ctx, c.path)) continue;
      const base = posix.basename(c.path);
      if (base.length >= 5) added.set(base, c.path);
    }
    if (added.size === 0) return;
    // Names the tagged tree itself mentions are upstream's business, not the tarball's.
    const upstream = new NameMatcher(added.keys());
    const mentionedUpstream = new Set<string>();
    for (const line of await ctx.gitBuildLines()) upstream.mentioned(line, mentionedUpstream);
    // So are names that build files copied from a submodule at its pinned commit mention (gnulib's
    // m4 files name the parser sources its bootstrap generates).
    for (const c of ctx.changes) {
      if (c.explainedBy?.profile !== "submodule-copy" || !isBuildScript(c.path)) continue;
      const text = await ctx.fileText(c.path);
      if (text !== null) upstream.mentioned(text, mentionedUpstream);
    }
    for (const base of mentionedUpstream) added.delete(base);
    if (added.size === 0) return;
    const matcher = new NameMatcher(added.keys());
    for (const [path, e] of ctx.tar) {
      if (e.type !== "file" || !isBuildScript(path)) continue;
      const text = await ctx.fileText(path);
      if (text === null) continue;
      const candidates = [...matcher.mentioned(text)].filter((base) => added.get(base) !== path);
      if (candidates.length === 0) continue;
      // A line upstream autotools ship verbatim is the tool's, not the tarball's: one unexplained
      // file must not make every stock script that names it a finding.
      const one = new NameMatcher(candidates);
      const lines: string[] = [];
      const namedBy = new Set<string>();
      const all = text.split("\n");
      for (let i = 0; i < all.length; i++) {
        const hit = one.mentioned(all[i]!);
        if (hit.size === 0 || isKnownUpstreamLine(all[i]!)) continue;
        for (const b of hit) namedBy.add(b);
        if (lines.length < 20) lines.push(`${path}:${i + 1}: ${all[i]!.trim().slice(0, 200)}`);
      }
      const named = [...namedBy];
      if (named.length === 0) continue;
      const files = named.map((b) => added.get(b)!).sort();
      report({
        path,
        message: `${path} names ${files.length > 20 ? `${files.slice(0, 20).join(", ")} and ${files.length - 20} more` : files.join(", ")}, which only the tarball has and no file in the tagged tree mentions: the build would pick up code from outside the reviewed source (OpenSSH 3.4p1's trojaned Makefile.in built and ran a tarball-only bf-test.c).`,
        evidence: { lines },
      });
    }
  },
});
