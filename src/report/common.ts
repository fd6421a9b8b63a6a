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

/** Where the rule pages are published; every format links there (relative links lead nowhere in CI logs). */
export const DOCS_URL = "https://github.com/distvet/distvet/blob/main/docs/rules/";

/** What the presenters know about one rule: passed in as data, so presenters do not depend on the rules. */
export interface RuleInfo {
  id: string;
  severity: Severity;
  title: string;
  /** First paragraph of docs/rules/<id>.md, as plain text. */
  description: string;
  /** The whole rule page (markdown). */
  help: string;
  helpUri: string;
  tags: string[];
}

export type RuleCatalogue = ReadonlyMap<string, RuleInfo>;

/** Options every presenter accepts. */
export interface RenderOptions {
  color?: boolean;
  /** Expand grouped findings and list info findings and explained differences one by one. */
  verbose?: boolean;
  /** Lines of evidence per finding (text). */
  evidenceLines?: number;
  /** Rule descriptions and help pages (from docs/rules). */
  catalogue?: RuleCatalogue;
  /** Markdown: a short summary for $GITHUB_STEP_SUMMARY instead of the full report. */
  summary?: boolean;
}

/** Absolute documentation URL for a rule id. */
export const docsUrl = (rule: string): string => `${DOCS_URL}${encodeURIComponent(rule)}.md`;

export type AllowedFinding = Finding & { allowReason: string };

/** The directory of a path ("." for top-level files). */
export const dirOf = (path: string): string => {
  const i = path.lastIndexOf("/");
  return i < 0 ? "." : path.slice(0, i);
};

export interface Group {
  rule: string;
  severity: Severity;
  dir: string;
  findings: Finding[];
}

/** Findings of one rule and severity in one directory, in report order. */
export function groupFindings(findings: readonly Finding[]): Group[] {
  const groups = new Map<string, Group>();
  for (const f of findings) {
    const key = `${f.severity}\0${f.rule}\0${dirOf(f.path)}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { rule: f.rule, severity: f.severity, dir: dirOf(f.path), findings: [] }));
    g.findings.push(f);
  }
  return [...groups.values()];
}

/** Counts per rule (with severity) and per top-level directory, most first. */
export function summaryTables(findings: readonly Finding[]): { byRule: { rule: string; counts: Record<Severity, number>; total: number }[]; byDir: { dir: string; counts: Record<Severity, number>; total: number }[] } {
  const zero = (): Record<Severity, number> => ({ high: 0, medium: 0, low: 0, info: 0 });
  const rules = new Map<string, Record<Severity, number>>();
  const dirs = new Map<string, Record<Severity, number>>();
  for (const f of findings) {
    const top = f.path.includes("/") ? f.path.slice(0, f.path.indexOf("/") + 1) : "./";
    (rules.get(f.rule) ?? rules.set(f.rule, zero()).get(f.rule)!)[f.severity]++;
    (dirs.get(top) ?? dirs.set(top, zero()).get(top)!)[f.severity]++;
  }
  const rank = (c: Record<Severity, number>): number[] => SEVERITIES.map((s) => -c[s]);
  const cmp = (a: number[], b: number[]): number => a.reduce((acc, x, i) => acc || x - b[i]!, 0);
  const total = (c: Record<Severity, number>): number => c.high + c.medium + c.low + c.info;
  return {
    byRule: [...rules].map(([rule, counts]) => ({ rule, counts, total: total(counts) })).sort((a, b) => cmp(rank(a.counts), rank(b.counts)) || (a.rule < b.rule ? -1 : 1)),
    byDir: [...dirs].map(([dir, counts]) => ({ dir, counts, total: total(counts) })).sort((a, b) => cmp(rank(a.counts), rank(b.counts)) || (a.dir < b.dir ? -1 : 1)),
  };
}

/** "2 high, 3 low" (only the non-zero counts). */
export const countsText = (c: Record<Severity, number>): string =>
  SEVERITIES.filter((s) => c[s] > 0)
    .map((s) => `${c[s]} ${s}`)
    .join(", ");

/** Line number from evidence lines written as `path:LINE: text` for this path. */
export function evidenceLine(f: Finding): number | undefined {
  for (const l of f.evidence?.lines ?? []) {
    if (!l.startsWith(`${f.path}:`)) continue;
    const m = /^(\d+):/.exec(l.slice(f.path.length + 1));
    if (m) return Number(m[1]);
  }
  return undefined;
}

/** The evidence as one text block (diff, lines or bytes). */
export const evidenceText = (f: Finding): string | undefined => f.evidence?.diff ?? f.evidence?.lines?.join("\n") ?? f.evidence?.bytes;

const isChange = (l: string): boolean => (l.startsWith("+") && !l.startsWith("+++")) || (l.startsWith("-") && !l.startsWith("---"));

/**
 * At most `max` lines of a unified diff that always include the changed lines: file headers and
 * hunk headers are kept, context lines are dropped first (one line of context before a change is kept
 * when room allows). Returns the excerpt and how many lines were left out.
 */
export function diffExcerpt(diff: string, max: number): { lines: string[]; omitted: number } {
  const all = diff.split("\n");
  if (all.length <= max) return { lines: all, omitted: 0 };
  const keep = new Set<number>();
  const changes = all.map((l, i) => (isChange(l) ? i : -1)).filter((i) => i >= 0);
  // Changed lines first, in order, then the hunk header above each kept change.
  for (const i of changes) {
    if (keep.size >= max) break;
    keep.add(i);
  }
  for (const i of [...keep]) {
    for (let j = i - 1; j >= 0; j--) {
      if (all[j]!.startsWith("@@")) {
        if (keep.size < max) keep.add(j);
        break;
      }
      if (isChange(all[j]!)) continue;
      if (j === i - 1 && keep.size < max && !keep.has(j)) keep.add(j);
    }
  }
  if (!changes.length) for (let i = 0; i < max; i++) keep.add(i);
  const idx = [...keep].sort((a, b) => a - b);
  const lines: string[] = [];
  let prev = -1;
  for (const i of idx) {
    if (prev >= 0 && i > prev + 1) lines.push("…");
    lines.push(all[i]!);
    prev = i;
  }
  return { lines, omitted: all.length - idx.length };
}

/**
 * Like groupFindings, but a directory with fewer than `min` findings of a rule hands them to its
 * parent, so twelve findings spread one or two per sibling directory (projects/Windows/VC10/lib,
 * VC10/src, VC11/lib, ...) become one group at their common parent. Findings never rise above their
 * top-level directory: top-level files and top-level directories keep their own groups. Groups
 * come in the order of their first finding.
 */
export function collapseGroups(findings: readonly Finding[], min: number): Group[] {
  const depth = (d: string): number => (d === "." ? 0 : d.split("/").length);
  const parent = (d: string): string => dirOf(d);
  const order = new Map<Finding, number>(findings.map((f, i) => [f, i]));
  const out: Group[] = [];
  const byKind = new Map<string, Finding[]>();
  for (const f of findings) {
    const key = `${f.severity}\0${f.rule}`;
    (byKind.get(key) ?? byKind.set(key, []).get(key)!).push(f);
  }
  for (const list of byKind.values()) {
    const at = new Map<string, Finding[]>();
    for (const f of list) (at.get(dirOf(f.path)) ?? at.set(dirOf(f.path), []).get(dirOf(f.path))!).push(f);
    // Deepest directories first, so what a directory hands up is counted at its parent.
    const pending = [...at.keys()].sort((a, b) => depth(b) - depth(a));
    while (pending.length) {
      const d = pending.shift()!;
      const here = at.get(d)!;
      if (here.length >= min || depth(d) <= 1) {
        out.push({ rule: here[0]!.rule, severity: here[0]!.severity, dir: d, findings: here.sort((a, b) => order.get(a)! - order.get(b)!) });
        continue;
      }
      const p = parent(d);
      if (!at.has(p)) {
        at.set(p, []);
        // Keep deepest-first: insert the parent before the first shallower directory.
        const i = pending.findIndex((x) => depth(x) < depth(p));
        pending.splice(i < 0 ? pending.length : i, 0, p);
      }
      at.get(p)!.push(...here);
    }
  }
  // Then sibling groups: three or more groups of one kind under one parent (po4a/man/de/, fr/, ko/,
  // ...) become one group at the parent, up to the top-level directory.
  for (let merged = true; merged; ) {
    merged = false;
    const siblings = new Map<string, Group[]>();
    for (const g of out) {
      if (depth(g.dir) <= 1) continue;
      const key = `${g.severity}\0${g.rule}\0${parent(g.dir)}`;
      (siblings.get(key) ?? siblings.set(key, []).get(key)!).push(g);
    }
    for (const gs of siblings.values()) {
      if (gs.length < 3) continue;
      const all = gs.flatMap((g) => g.findings).sort((a, b) => order.get(a)! - order.get(b)!);
      const p = parent(gs[0]!.dir);
      const existing = out.find((g) => g.dir === p && g.rule === gs[0]!.rule && g.severity === gs[0]!.severity);
      for (const g of gs) out.splice(out.indexOf(g), 1);
      if (existing) existing.findings = [...existing.findings, ...all].sort((a, b) => order.get(a)! - order.get(b)!);
      else out.push({ rule: gs[0]!.rule, severity: gs[0]!.severity, dir: p, findings: all });
      merged = true;
    }
  }
  return out.sort((a, b) => order.get(a.findings[0]!)! - order.get(b.findings[0]!)!);
}

/** `s` cut to `max` characters, with "…" when something was cut. */
export const clip = (s: string, max: number): string => (s.length <= max ? s : `${s.slice(0, Math.max(0, max - 1))}…`);
