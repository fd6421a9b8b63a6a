import { perAudit, type AuditContext } from "../context.js";
import type { TarEntry } from "../types.js";
import { checkHelper, checkM4, isTrackedHelper, normalizedLines, type ProvenanceResult } from "../provenance/index.js";
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
    const text = await ctx.fileText(path);
    if (text === null) continue;
    const result = m4 ? checkM4(base, text) : checkHelper(base, text);
    if (result) out.push({ path, entry, text, result, inGit: ctx.tree.get(path)?.oid === entry.oid });
  }
  return out;
});

/** Provenance of one tarball path (m4 macro or tracked helper), or undefined. */
export async function provenanceOf(ctx: AuditContext, path: string): Promise<ProvenanceCheck | undefined> {
  return (await provenanceChecks(ctx)).find((c) => c.path === path);
}

/** A copy whose novel lines exceed this share of its body is not "a patched upstream copy" any more. */
const NOVEL_SHARE = 0.1;
const NOVEL_MAX = 50;
/** Below this many novel lines, the share does not matter (ltversion.m4 from a "2.4.7-dirty" libtool has 2 of 5). */
const NOVEL_MIN = 5;

export interface CopyVerdict {
  /** "low": a known upstream file with a small, benign-looking local difference; "high": substantially different or suspicious. */
  severity: "low" | "high";
  why: string;
}

/**
 * How worrying is a copy whose version stamp is known but whose body matches no known copy?
 * Real releases do this all the time (distributions patch libtool; automake edits helpers
 * without bumping scriptversion), so the lines no known copy has decide: any behaviour-pattern
 * hit among them, or a large share of novel lines, is high; a few plain lines are low.
 */
export function copyVerdict(c: ProvenanceCheck): CopyVerdict | null {
  const r = c.result;
  if (r.status !== "body-mismatch") return null;
  const total = Math.max(1, new Set(normalizedLines(c.text, r.kind)).size);
  const hits = scanBehaviour(r.novel.join("\n"));
  if (hits.length && !c.inGit) {
    return { severity: "high", why: `lines no known copy has include ${[...new Set(hits.map((h) => h.pattern.id))].join(", ")}` };
  }
  const share = r.novel.length / total;
  if (!c.inGit && ((share > NOVEL_SHARE && r.novel.length > NOVEL_MIN) || r.novel.length > NOVEL_MAX)) {
    return { severity: "high", why: `${r.novel.length} of its ${total} lines are in no known copy` };
  }
  return {
    severity: "low",
    why: r.novel.length
      ? `${r.novel.length} of its ${total} lines are in no known copy (typical of a distribution's patch or an upstream edit without a version bump)${c.inGit ? "; the same copy is committed to git" : ""}`
      : `every line appears in some known copy: a mix of upstream versions${c.inGit ? "; the same copy is committed to git" : ""}`,
  };
}
