import type { AuditResult, Finding, Severity } from "../types.js";
import { regenerationText } from "./regeneration.js";
import { changeStats, countsLine, countsText, diffExcerpt, docsUrl, groupFindings, headline, summaryTables, type RenderOptions } from "./common.js";

export type TextOptions = RenderOptions;

const COLORS: Record<Severity, string> = { high: "\x1b[1;31m", medium: "\x1b[33m", low: "\x1b[36m", info: "\x1b[2m" };
const RESET = "\x1b[0m";
/** Low findings of one rule in one directory collapse into one line from this many on. */
const GROUP_MIN = 4;
/** Ungrouped low findings listed per rule before the rest are counted. */
const LOW_PER_RULE = 10;
/** Evidence lines shown for the example of a group. */
const GROUP_EXCERPT = 4;
/** Rows of the summary by directory. */
const SUMMARY_DIRS = 8;

function evidenceLines(f: Finding, max: number): string[] {
  const e = f.evidence;
  if (!e) return [];
  if (e.diff) {
    const { lines, omitted } = diffExcerpt(e.diff, max);
    return omitted ? [...lines, `… ${omitted} more lines (see --format json or html)`] : lines;
  }
  const lines = e.lines ?? (e.bytes ? [e.bytes] : []);
  return lines.length > max ? [...lines.slice(0, max), `… ${lines.length - max} more lines (see --format json or html)`] : lines;
}

export function renderText(r: AuditResult, opts: RenderOptions = {}): string {
  const paint = (s: Severity, text: string) => (opts.color ? `${COLORS[s]}${text}${RESET}` : text);
  // Low findings are context, not alarms: a short excerpt is enough in a terminal.
  const maxFor = (s: Severity): number => opts.evidenceLines ?? (s === "low" ? 6 : 30);
  const out: string[] = [];
  out.push(`distvet ${r.tool.version}: ${headline(r)}`);
  out.push(changeStats(r));
  out.push("");

  if (r.findings.length) {
    const { byRule, byDir } = summaryTables(r.findings);
    const w = Math.max(...byRule.map((x) => x.rule.length), ...byDir.slice(0, SUMMARY_DIRS).map((x) => x.dir.length), 10);
    out.push("SUMMARY by rule");
    for (const x of byRule) out.push(`  ${x.rule.padEnd(w)}  ${countsText(x.counts)}`);
    out.push("SUMMARY by directory");
    for (const x of byDir.slice(0, SUMMARY_DIRS)) out.push(`  ${x.dir.padEnd(w)}  ${countsText(x.counts)}`);
    if (byDir.length > SUMMARY_DIRS) out.push(`  … ${byDir.length - SUMMARY_DIRS} more directories`);
    out.push("");
  }

  const listOne = (f: Finding): void => {
    out.push(`  ${paint(f.severity, f.path)}  [${f.rule}]`);
    out.push(`    ${f.message}`);
    for (const l of evidenceLines(f, maxFor(f.severity))) out.push(`    | ${l}`);
    out.push(`    docs: ${docsUrl(f.rule)}`);
  };

  for (const sev of ["high", "medium", "low", "info"] as const) {
    const list = r.findings.filter((f) => f.severity === sev);
    if (!list.length) continue;
    if (sev === "info" && !opts.verbose) {
      out.push(paint(sev, `INFO (${list.length})`) + " not listed; use --verbose or --format json to see them");
      out.push("");
      continue;
    }
    out.push(paint(sev, `${sev.toUpperCase()} (${list.length})`));
    if (opts.verbose || sev === "high" || sev === "medium") {
      for (const f of list) listOne(f);
    } else {
      // Low findings: many of one rule in one directory (generated pages, stamped man pages) are one line.
      const shownPerRule = new Map<string, number>();
      const hidden = new Map<string, number>();
      for (const g of groupFindings(list)) {
        if (g.findings.length >= GROUP_MIN) {
          const f = g.findings[0]!;
          out.push(`  ${paint(sev, `${g.dir}/`)}  ${g.findings.length} files [${g.rule}]: ${f.title}`);
          out.push(`    e.g. ${f.path}: ${f.message}`);
          // What changed in the example, changed lines first (a stamp-only group shows its stamp).
          for (const l of evidenceLines(f, GROUP_EXCERPT)) out.push(`    | ${l}`);
          continue;
        }
        for (const f of g.findings) {
          const n = shownPerRule.get(f.rule) ?? 0;
          if (n >= LOW_PER_RULE) {
            hidden.set(f.rule, (hidden.get(f.rule) ?? 0) + 1);
            continue;
          }
          shownPerRule.set(f.rule, n + 1);
          listOne(f);
        }
      }
      for (const [rule, n] of hidden) out.push(`  … ${n} more [${rule}] findings (use --verbose or --format json)`);
      out.push(`  (grouped by directory; --verbose lists every file)`);
    }
    out.push("");
  }
  const allowed = r.allowed ?? [];
  if (allowed.length) {
    out.push(`ALLOWED BY CONFIG (${allowed.length}) not counted towards --fail-on`);
    for (const f of allowed) out.push(`  ${f.severity.padEnd(6)} ${f.path}  [${f.rule}]: ${f.allowReason}`);
    out.push("");
  }
  if (opts.verbose) {
    const explained = r.changes.filter((c) => c.explainedBy);
    if (explained.length) {
      out.push(`EXPLAINED (${explained.length})`);
      for (const c of explained) {
        const trust = (c.explainedBy as { trust?: string }).trust;
        out.push(`  ${c.kind.padEnd(8)} ${c.path}: ${c.explainedBy!.reason} [${c.explainedBy!.profile}${trust ? `, ${trust}` : ""}]`);
      }
      out.push("");
    }
  }
  out.push(...regenerationText(r, { verbose: !!opts.verbose }));
  if (r.notChecked.length) {
    out.push(`NOT CHECKED (${r.notChecked.length})`);
    for (const n of r.notChecked) out.push(`  ${n.path}: ${n.reason}`);
    out.push("");
  }
  out.push(`Result: ${countsLine(r)}${allowed.length ? `, ${allowed.length} allowed by config` : ""}.`);
  return out.join("\n") + "\n";
}
