import type { AuditResult, Severity } from "../src/types.js";
import { severityRank } from "../src/types.js";

export const EXIT_CLEAN = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_ERROR = 2;

export type FailOn = Severity | "none";

/** 1 when any finding is at or above the threshold, else 0. */
export function exitCodeFor(result: AuditResult, failOn: FailOn): number {
  if (failOn === "none") return EXIT_CLEAN;
  const limit = severityRank(failOn);
  return result.findings.some((f) => severityRank(f.severity) <= limit) ? EXIT_FINDINGS : EXIT_CLEAN;
}
