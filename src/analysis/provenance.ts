import { submoduleCopyOf } from "../normalize/submodules.js";
import { perAudit, type AuditContext } from "../context.js";
import type { Severity, TarEntry } from "../types.js";
import { checkHelper, checkM4, isKnownUpstreamLine, isTrackedHelper, normalizedLines, type ProvenanceResult } from "../provenance/index.js";
import { scanBehaviour } from "../content/behaviour.js";
import { posix } from "node:path";

export interface ProvenanceCheck {
  path: string;
  entry: TarEntry;
  text: string;
  result: ProvenanceResult;
  /** The tarball's copy is byte-identical to git's. */
  inGit: boolean;
}

/**
 * Provenance of every m4 macro and autotools helper script in the tarball, computed once per
 * audit and shared by the m4-* and helper-script rules. Files identical to git are included
 * (a doctored macro committed to git is still a doctored macro), flagged with inGit.
 */
export const provenanceChecks = perAudit(async (ctx): Promise<ProvenanceCheck[]> => {
  const out: ProvenanceCheck[] = [];
  for (const [path, entry] of ctx.tar) {
    if (entry.type !== "file" || entry.unsafe) continue;
    const base = posix.basename(path);
    const m4 = base.endsWith(".m4") && base !== "aclocal.m4" && base !== "acinclude.m4" && base !== "configure.m4";
    if (!m4 && !isTrackedHelper(base)) continue;
    // Bytes of a submodule at the commit the tag pins are that upstream's, whatever the database knows.
    if (entry.oid && submoduleCopyOf(ctx, path, entry.oid)) continue;
    const text = await ctx.fileText(path);
    if (text === null) continue;
    const result = m4 ? checkM4(base, text) : checkHelper(base, text);
    if (result) out.push({ path, entry, text, result, inGit: ctx.tree.get(path)?.oid === entry.oid });
  }
  return out;
});

/** Provenance of one tarball path (m4 macro or tracked helper), or undefined. */
export async function provenanceOf(ctx: AuditContext, path: string): Promise<ProvenanceCheck | undefined> {
  return (await provenanceByPath(ctx)).get(path);
}

/** provenanceChecks by path: profiles and rules ask once per change. */
const provenanceByPath = perAudit(async (ctx) => new Map((await provenanceChecks(ctx)).map((c) => [c.path, c])));

export interface KnownFileVerdict {
  severity: Severity;
  why: string;
  /** The lines no known copy has, dangerous ones first, each marked with what it does. */
  lines: string[];
}

const norm = (l: string): string => l.trim().replace(/\s+/g, " ");

/**
 * Lines of `text` (normalised as the provenance database normalises them) on which the content
 * analysis found something dangerous: reading the source tree, carving or decoding bytes, eval,
 * sourcing, downloads, writes into the tree. Line -> what it does.
 */
export function dangerousLines(text: string, path: string): Map<string, string> {
  const out = new Map<string, string>();
  const lines = text.split("\n");
  for (const h of scanBehaviour(text, path)) {
    const line = norm(lines[h.line - 1] ?? h.text);
    out.set(line, out.has(line) ? `${out.get(line)}, ${h.pattern.id}` : h.pattern.id);
  }
  return out;
}

/**
 * The known-file policy, without thresholds. A file that claims a known upstream name (and version)
 * but is not byte-identical to a known copy is judged by the lines no known copy has: each such
 * line runs at build time, so any of them is at least medium, and high when it does something
 * dangerous. A known name at a version nobody has seen is medium even when every line is known.
 */
/**
 * A line that runs nothing: the assignment of a literal to a variable (`VERSION=2.4.7-dirty`,
 * `timestamp='2021-06-03'`) or an m4 definition of a literal (`m4_define([LT_PACKAGE_VERSION], [2.4.7])`).
 * No expansion, substitution, command or separator may appear in it.
 */
const LITERAL_ASSIGNMENT = /^(?:[A-Za-z_]\w*=(?:'[^'\n]*'|"[^"$`\\\n]*"|[\w.@%+,:/-]*)(?:\s*;?\s*#.*)?|m4_define\(\[\w+\],\s*\[[\w.@+ :/-]*\]\))$/;
export const runsNothing = (line: string): boolean => LITERAL_ASSIGNMENT.test(line);

/** A version token: what a stamp may put into a line without making it run anything new. */
const VERSION_TOKEN = /^[\w.+~:-]+$/;

/**
 * Is `line` a known upstream line with its version token swapped: the same line some known copy
 * of this name has, with that copy's stamp where this file has its own ("version: $progname
 * $scriptversion Debian-2.4.6-14" for -15's)? Only version-shaped tokens are swapped, so no
 * command can come in through the swap.
 */
export function stampSwappedLine(line: string, stamp: string | null, knownStamps: readonly string[]): boolean {
  if (!stamp) return false;
  const mine = stamp.split(/\s+/);
  if (!mine.every((w) => VERSION_TOKEN.test(w))) return false;
  for (const other of knownStamps) {
    const theirs = other.split(/\s+/);
    if (theirs.length !== mine.length || !theirs.every((w) => VERSION_TOKEN.test(w))) continue;
    let swapped = line;
    mine.forEach((w, i) => {
      if (w.length >= 3 && w !== theirs[i]) swapped = swapped.split(w).join(theirs[i]!);
    });
    if (swapped !== line && isKnownUpstreamLine(swapped)) return true;
  }
  return false;
}

export function knownFileVerdict(c: ProvenanceCheck): KnownFileVerdict | null {
  const r = c.result;
  if (r.status !== "body-mismatch" && r.status !== "stamp-unknown") return null;
  const danger = dangerousLines(c.text, c.path);
  const bad = r.novel.filter((l) => danger.has(l));
  // Lines no known copy has, except literal assignments (a new version string executes nothing)
  // and known lines that differ only by carrying this file's version instead of a known one.
  const swappable = r.status === "stamp-unknown" ? r.knownStamps : [];
  const code = r.novel.filter((l) => !runsNothing(l) && !stampSwappedLine(l, r.stamp, swappable));
  const lines = [...bad.map((l) => `not in any known copy, ${danger.get(l)}: ${l}`), ...r.novel.filter((l) => !danger.has(l)).map((l) => `not in any known copy: ${l}`)];
  // A file tracked by body only (config.rpath) has no version to be unknown.
  const unknownVersion = r.status === "stamp-unknown" && !(r.stamp === null && r.knownStamps.includes("(none)"));
  const version = unknownVersion ? `version ${r.stamp ?? "(no stamp)"}, which no known copy has (known: ${r.knownStamps.slice(-5).join(", ")})` : `version ${r.stamp ?? "(body-only)"}`;
  if (c.inGit) {
    return { severity: "low", why: `${version}; the same copy is committed to git, so the tag carries it too${r.novel.length ? ` (${r.novel.length} line(s) in no known copy)` : ""}`, lines };
  }
  if (bad.length) return { severity: "high", why: `${version}; ${bad.length} of the ${r.novel.length} line(s) no known copy has do something dangerous at build time`, lines };
  if (code.length) return { severity: "medium", why: `${version}; ${code.length} line(s) that run at build time are in no known copy`, lines };
  if (unknownVersion) {
    return { severity: "medium", why: `${version}; every line that runs is in some known copy of ${r.name}, but not in this order and version: likely a release the provenance database lacks, which only a byte-identical copy or --regenerate can prove`, lines };
  }
  return {
    severity: "low",
    why: r.novel.length
      ? `${version}; every line that runs is in some known copy, and the only new lines assign literal values (${r.novel.length}: a version or timestamp string)`
      : `${version}; every line is in some known copy, only their combination is new (a mix of upstream versions, or lines removed)`,
    lines,
  };
}

/** What one aclocal.m4 says beyond the known macros it is made of. */
export interface AclocalCheck {
  path: string;
  novel: string[];
  danger: Map<string, string>;
}

const M4_INCLUDE = /^m4_include\(\[([^\]]+)\]\)$/;

/**
 * aclocal.m4 is aclocal's concatenation of known macro files (plus m4_include lines for the
 * project's own m4 directory). Every line must be in some known upstream macro, in a build file of
 * the tagged tree, or an m4_include of a file the tarball has (that file is checked on its own).
 */
export const aclocalChecks = perAudit(async (ctx): Promise<AclocalCheck[]> => {
  const out: AclocalCheck[] = [];
  for (const [path, entry] of ctx.tar) {
    if (entry.type !== "file" || entry.unsafe || posix.basename(path) !== "aclocal.m4") continue;
    if (ctx.tree.get(path)?.oid === entry.oid) continue;
    const text = await ctx.fileText(path);
    if (text === null) continue;
    const gitLines = await ctx.gitBuildLines();
    const dir = posix.dirname(path) === "." ? "" : `${posix.dirname(path)}/`;
    const novel = [...new Set(normalizedLines(text, "m4"))].filter((l) => {
      const inc = M4_INCLUDE.exec(l);
      if (inc) return !ctx.tar.has(posix.normalize(dir + inc[1]!));
      return !isKnownUpstreamLine(l) && !gitLines.has(l);
    });
    out.push({ path, novel, danger: dangerousLines(text, path) });
  }
  return out;
});
