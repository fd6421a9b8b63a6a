import type { AuditResult, Finding, Severity } from "../types.js";
import { SEVERITIES } from "../types.js";

export const shortCommit = (c: string): string => c.slice(0, 12);

export function headline(r: AuditResult): string {
  return `${r.tarball.source} vs ${r.git.ref} (${shortCommit(r.git.commit)})${r.git.subdir ? ` subdir ${r.git.subdir}` : ""}`;
}

export function countsLine(r: AuditResult): string {
  const f = r.summary.findings;
  return `${f.high} high, ${f.medium} medium, ${f.low} low, ${f.info} info`;
}

export function bySeverity(findings: Finding[]): [Severity, Finding[]][] {
  return SEVERITIES.map((s) => [s, findings.filter((f) => f.severity === s)] as [Severity, Finding[]]).filter(([, l]) => l.length > 0);
}

export function changeStats(r: AuditResult): string {
  const explained = r.summary.explained;
  const unexplained = r.changes.length - explained;
  return `${r.tarball.entries} tarball entries, ${r.git.entries} git entries: ${r.summary.identical} identical, ${explained} expected differences explained, ${unexplained} not explained`;
}
