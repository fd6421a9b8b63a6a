import type { AuditResult, Finding, Severity } from "../types.js";
import { bySeverity, changeStats, countsLine, headline } from "./common.js";

export interface TextOptions {
  color?: boolean;
  /** Show info findings and explained changes one by one. */
  verbose?: boolean;
  /** Lines of evidence per finding. */
  evidenceLines?: number;
}

const COLORS: Record<Severity, string> = { high: "\x1b[1;31m", medium: "\x1b[33m", low: "\x1b[36m", info: "\x1b[2m" };
const RESET = "\x1b[0m";
const LOW_PER_RULE = 10;

function evidenceLines(f: Finding): string[] {
  const e = f.evidence;
  if (!e) return [];
  if (e.diff) return e.diff.split("\n");
  if (e.lines) return e.lines;
  if (e.bytes) return [e.bytes];
  return [];
}

export function renderText(r: AuditResult, opts: TextOptions = {}): string {
  const paint = (s: Severity, text: string) => (opts.color ? `${COLORS[s]}${text}${RESET}` : text);
  // Low findings are context, not alarms: a short excerpt is enough in a terminal.
  const maxFor = (s: Severity): number => opts.evidenceLines ?? (s === "low" ? 6 : 30);
  const out: string[] = [];
  out.push(`distvet ${r.tool.version}: ${headline(r)}`);
  out.push(changeStats(r));
  out.push("");
  for (const [sev, list] of bySeverity(r.findings)) {
    if (sev === "info" && !opts.verbose) {
      out.push(paint(sev, `INFO (${list.length})`) + " not listed; use --verbose or --format json to see them");
      out.push("");
      continue;
    }
    out.push(paint(sev, `${sev.toUpperCase()} (${list.length})`));
    // Low findings of one rule can number hundreds (generated docs): show the first few per rule.
    const shownPerRule = new Map<string, number>();
    const hidden = new Map<string, number>();
    for (const f of list) {
      const n = shownPerRule.get(f.rule) ?? 0;
      if (sev === "low" && !opts.verbose && n >= LOW_PER_RULE) {
        hidden.set(f.rule, (hidden.get(f.rule) ?? 0) + 1);
        continue;
      }
      shownPerRule.set(f.rule, n + 1);
      out.push(`  ${paint(sev, f.path)}  [${f.rule}]`);
      out.push(`    ${f.message}`);
      const ev = evidenceLines(f);
      const max = maxFor(sev);
      for (const l of ev.slice(0, max)) out.push(`    | ${l}`);
      if (ev.length > max) out.push(`    | … ${ev.length - max} more lines (see --format json)`);
      out.push(`    docs: ${f.docs}`);
    }
    for (const [rule, n] of hidden) out.push(`  … ${n} more [${rule}] findings (use --verbose or --format json)`);
    out.push("");
  }
  if (opts.verbose) {
    const explained = r.changes.filter((c) => c.explainedBy);
    if (explained.length) {
      out.push(`EXPLAINED (${explained.length})`);
      for (const c of explained) out.push(`  ${c.kind.padEnd(8)} ${c.path}: ${c.explainedBy!.reason} [${c.explainedBy!.profile}]`);
      out.push("");
    }
  }
  if (r.notChecked.length) {
    out.push(`NOT CHECKED (${r.notChecked.length})`);
    for (const n of r.notChecked) out.push(`  ${n.path}: ${n.reason}`);
    out.push("");
  }
  out.push(`Result: ${countsLine(r)}.`);
  return out.join("\n") + "\n";
}
