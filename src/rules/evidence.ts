import type { Change, Evidence } from "../types.js";
import type { AuditContext } from "../context.js";
import { describeBinary } from "../content/classify.js";
import { capEvidence, renderHunks } from "../diff/text-diff.js";
import { classifyHunks } from "../diff/classify-hunks.js";

const HEAD_LINES = 40;

/** Evidence for an added text file: its first lines (bounded). */
export function addedTextEvidence(ctx: AuditContext, change: Change): Evidence | undefined {
  const text = ctx.tarText(change.path);
  if (text === null) return undefined;
  const lines = capEvidence(text).split("\n").slice(0, HEAD_LINES);
  return { lines };
}

/** Evidence for a modified text file: the bounded unified diff, or a summary when the bound was hit. */
export async function modifiedTextEvidence(ctx: AuditContext, change: Change): Promise<{ evidence?: Evidence; summary: string }> {
  const d = await ctx.diff(change);
  if (!d) {
    if (!ctx.tarBytes(change.path)) ctx.skip(change.path, "content too large to keep in memory for a diff; compared by blob id only");
    return { summary: "content differs from git" };
  }
  if (d.hunks) {
    // Show only the hunks that are not version/date stamps.
    const verdicts = classifyHunks(change.path, d.hunks);
    const real = verdicts.filter((v) => v.stamps === null).map((v) => v.hunk);
    const stamps = verdicts.length - real.length;
    if (stamps > 0 && real.length > 0) {
      return {
        evidence: { diff: renderHunks(change.path, real) },
        summary: `${real.length} changed hunk(s) shown; ${stamps} version/date stamp hunk(s) omitted`,
      };
    }
  }
  return { evidence: { diff: d.text }, summary: d.bounded ? `too different for a bounded line diff` : `${d.added} line(s) added, ${d.removed} removed` };
}

/** Evidence for a binary: type, size, entropy, and a short hex head. */
export function binaryEvidence(ctx: AuditContext, change: Change): Evidence | undefined {
  const sample = ctx.tarSample(change.path);
  if (!sample || !change.tarball) return undefined;
  return { bytes: `${describeBinary(change.path, sample, change.tarball.size)}; head: ${sample.subarray(0, 32).toString("hex")}` };
}

export const gitignoreNote = async (ctx: AuditContext, path: string): Promise<string> => {
  const by = await ctx.gitignored(path);
  return by ? ` It is not in git because ${by} ignores it: a tarball-only file hidden this way is how the xz backdoor shipped m4/build-to-host.m4.` : "";
};
