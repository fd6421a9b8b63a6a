import { createRequire } from "node:module";
import { performance } from "node:perf_hooks";
import type { StructuredPatchHunk } from "diff";

/** jsdiff is loaded on the first diff only: most audits of a clean release never need it. */
let jsdiff: typeof import("diff") | undefined;
const lib = (): typeof import("diff") => (jsdiff ??= createRequire(import.meta.url)("diff") as typeof import("diff"));

/** Caps that keep jsdiff bounded: unrelated 1 MB files can otherwise take minutes. */
export const DIFF_TIMEOUT_MS = 2000;
/** Time all the text diffs of one audit may take together; past it, diffs are not computed (and counted). */
export const DIFF_TOTAL_BUDGET_MS = 10_000;
export const DIFF_MAX_EDIT_LENGTH = 5000;
export const EVIDENCE_MAX_CHARS = 16 * 1024;

export interface TextDiff {
  /** Unified diff, capped at EVIDENCE_MAX_CHARS; or a short message when the diff was too costly. */
  text: string;
  hunks: StructuredPatchHunk[] | null;
  added: number;
  removed: number;
  /** True when the bound was hit and only a summary is available. */
  bounded: boolean;
  /** True when no diff was attempted because the audit's total diff time budget was used up. */
  notComputed?: boolean;
}

const countLines = (s: string): number => (s.length === 0 ? 0 : s.split("\n").length - (s.endsWith("\n") ? 1 : 0));

export function capEvidence(text: string, max = EVIDENCE_MAX_CHARS): string {
  if (text.length <= max) return text;
  const cut = text.lastIndexOf("\n", max);
  const kept = text.slice(0, cut > 0 ? cut : max);
  return `${kept}\n… (${text.length - kept.length} more characters not shown)`;
}

/** Bounded unified diff of two texts (git side first, tarball side second). */
export function textDiff(path: string, gitText: string, tarText: string, timeoutMs = DIFF_TIMEOUT_MS): TextDiff {
  const opts = { context: 3, timeout: Math.max(1, Math.floor(timeoutMs)), maxEditLength: DIFF_MAX_EDIT_LENGTH };
  const patch = lib().structuredPatch(`a/${path}`, `b/${path}`, gitText, tarText, "git", "tarball", opts);
  if (!patch) {
    const a = countLines(gitText);
    const b = countLines(tarText);
    return {
      text: `files differ too much for a line diff within the bounds (git: ${a} lines, tarball: ${b} lines)`,
      hunks: null,
      added: b,
      removed: a,
      bounded: true,
    };
  }
  let added = 0;
  let removed = 0;
  for (const h of patch.hunks) {
    for (const l of h.lines) {
      if (l.startsWith("+")) added++;
      else if (l.startsWith("-")) removed++;
    }
  }
  return { text: renderHunks(path, patch.hunks), hunks: patch.hunks, added, removed, bounded: false };
}

/** Render selected hunks as a unified diff (used to show only the unexplained hunks). */
export function renderHunks(path: string, hunks: StructuredPatchHunk[]): string {
  const out = [`--- a/${path}\tgit`, `+++ b/${path}\ttarball`];
  for (const h of hunks) {
    out.push(`@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@`, ...h.lines);
  }
  return capEvidence(out.join("\n") + "\n");
}

/**
 * One audit's total time for text diffs. Each diff gets at most DIFF_TIMEOUT_MS and never more
 * than what is left; once the budget is spent, diffs are not computed and only counted, so 40
 * rewritten files cost at most the budget instead of 40 timeouts. The clock is injectable for tests.
 */
export class DiffBudget {
  private spentMs = 0;
  /** Diffs not computed because the budget was spent. */
  notComputed = 0;
  constructor(
    readonly totalMs = DIFF_TOTAL_BUDGET_MS,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get remainingMs(): number {
    return Math.max(0, this.totalMs - this.spentMs);
  }

  diff(path: string, gitText: string, tarText: string): TextDiff {
    const left = this.remainingMs;
    if (left <= 0) {
      this.notComputed++;
      const a = countLines(gitText);
      const b = countLines(tarText);
      return {
        text: `diff not computed: the time budget for text diffs (${Math.round(this.totalMs / 1000)} s per audit) was used up (git: ${a} lines, tarball: ${b} lines)`,
        hunks: null,
        added: b,
        removed: a,
        bounded: true,
        notComputed: true,
      };
    }
    const t0 = this.now();
    try {
      return textDiff(path, gitText, tarText, Math.min(DIFF_TIMEOUT_MS, left));
    } finally {
      this.spentMs += Math.max(0, this.now() - t0);
    }
  }
}
