import type { AuditResult, Finding, NotChecked, Severity } from "../types.js";
import { regenerationText } from "./regeneration.js";
import { changeStats, clip, collapseGroups, countsLine, countsText, diffExcerpt, docsUrl, dirOf, headline, summaryTables, type RenderOptions } from "./common.js";

export type TextOptions = RenderOptions;

const COLORS: Record<Severity, string> = { high: "\x1b[1;31m", medium: "\x1b[33m", low: "\x1b[36m", info: "\x1b[2m" };
const RESET = "\x1b[0m";
/** Low findings of one rule in one directory collapse into one line from this many on. */
const GROUP_MIN = 4;
/** Ungrouped low findings listed per rule before the rest are counted. */
const LOW_PER_RULE = 10;
/** Evidence lines shown for the example of a group. */
const GROUP_EXCERPT = 3;
/** Rows of the summary by directory. */
const SUMMARY_DIRS = 5;

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

/** Columns the default (not --verbose) text report keeps low and info lines within. */
const WIDTH = 100;
/** Evidence lines of one low finding in the default report. */
const LOW_EVIDENCE = 2;

/**
 * `text` in at most `lines` lines of at most `width` characters, broken at spaces where possible
 * (continuation lines are 2 narrower, for their indent); the last line ends with "…" when cut.
 */
function wrap(text: string, width: number, lines: number): string[] {
  const out: string[] = [];
  let rest = text;
  while (rest && out.length < lines) {
    const w = out.length ? width - 2 : width;
    if (rest.length <= w) {
      out.push(rest);
      rest = "";
      break;
    }
    if (out.length === lines - 1) {
      out.push(clip(rest, w));
      rest = "";
      break;
    }
    const at = rest.lastIndexOf(" ", w);
    const cut = at > w / 2 ? at : w;
    out.push(rest.slice(0, cut));
    rest = rest.slice(cut).replace(/^ /, "");
  }
  return out;
}

type Paint = (s: Severity, text: string) => string;

/**
 * Low findings in the default report, sized for a terminal: many of one rule in one place are one
 * line with a count (see collapseGroups), single findings get their path, a message cut to two
 * lines and a few evidence lines (changed lines first), each within WIDTH columns. --verbose and
 * --format json/html have everything.
 */
function lowSection(list: Finding[], paint: Paint, evidenceMax?: number): string[] {
  const out: string[] = [];
  const shownPerRule = new Map<string, number>();
  const hidden = new Map<string, number>();
  // The "… N more lines" note is left out: the section's last line says where everything is.
  const ev = (f: Finding, max: number): string[] =>
    evidenceLines(f, max)
      .filter((l) => !/^… \d+ more lines \(see/.test(l))
      .map((l) => clip(`    | ${l}`, WIDTH));
  for (const g of collapseGroups(list, GROUP_MIN)) {
    if (g.findings.length >= GROUP_MIN) {
      const f = g.findings[0]!;
      out.push(clip(`  ${paint("low", `${g.dir}/`)}  ${g.findings.length} files [${g.rule}]: ${f.title}`, WIDTH + (paint("low", "").length)));
      out.push(clip(`    e.g. ${f.path}: ${f.message}`, WIDTH));
      // What changed in the example, changed lines first (a stamp-only group shows its stamp).
      out.push(...ev(f, evidenceMax ?? GROUP_EXCERPT));
      continue;
    }
    for (const f of g.findings) {
      const n = shownPerRule.get(f.rule) ?? 0;
      if (n >= LOW_PER_RULE) {
        hidden.set(f.rule, (hidden.get(f.rule) ?? 0) + 1);
        continue;
      }
      shownPerRule.set(f.rule, n + 1);
      // Path, rule and message on at most two lines, then the first evidence lines.
      const [first, second] = wrap(`${f.path}  [${f.rule}]: ${f.message}`, WIDTH - 2, 2);
      out.push(`  ${paint("low", f.path)}${first!.slice(f.path.length)}`);
      if (second) out.push(`    ${second}`);
      out.push(...ev(f, evidenceMax ?? LOW_EVIDENCE));
    }
  }
  for (const [rule, n] of hidden) out.push(`  … ${n} more [${rule}] findings (use --verbose or --format json)`);
  return out;
}

/** Info findings in the default report: one line per rule with its count and what it is. */
function infoSummary(list: Finding[], paint: Paint): string[] {
  const out = [paint("info", `INFO (${list.length})`) + ", one line per rule; --verbose or --format json lists each"];
  const byRule = new Map<string, Finding[]>();
  for (const f of list) (byRule.get(f.rule) ?? byRule.set(f.rule, []).get(f.rule)!).push(f);
  for (const [rule, fs] of byRule) {
    const dirs = new Set(fs.map((f) => dirOf(f.path))).size;
    const line = fs.length === 1 ? `  [${rule}] ${fs[0]!.path}: ${fs[0]!.message}` : `  [${rule}] ${fs.length} findings in ${dirs} director${dirs === 1 ? "y" : "ies"}: ${fs[0]!.title}`;
    out.push(clip(line, WIDTH));
  }
  out.push("");
  return out;
}

/**
 * NOT CHECKED: entries whose reasons say the same thing about different files (23 catalogs with
 * the same unread section) are one line with a count unless --verbose; the rest are listed.
 */
function notCheckedSection(list: readonly NotChecked[], verbose: boolean): string[] {
  const out = [`NOT CHECKED (${list.length})`];
  const shape = (n: NotChecked): string => n.reason.split(n.path.replace(/\.[^./]*$/, "")).join("\0").replace(/\d+/g, "0");
  const kinds = new Map<string, NotChecked[]>();
  for (const n of list) (kinds.get(shape(n)) ?? kinds.set(shape(n), []).get(shape(n))!).push(n);
  for (const n of list) {
    const same = kinds.get(shape(n))!;
    if (verbose || same.length < GROUP_MIN) {
      out.push(`  ${n.path}: ${n.reason}`);
    } else if (same[0] === n) {
      out.push(clip(`  ${same.length} files (${same.map((x) => x.path).join(", ")})`, WIDTH));
      out.push(clip(`    e.g. ${n.path}: ${n.reason}`, WIDTH));
    }
  }
  out.push("");
  return out;
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
    // --verbose lists evidence that is a list (the pages of a grouped finding) in full; diffs stay bounded.
    const max = opts.verbose && !opts.evidenceLines && f.evidence?.lines ? Infinity : maxFor(f.severity);
    for (const l of evidenceLines(f, max)) out.push(`    | ${l}`);
    out.push(`    docs: ${docsUrl(f.rule)}`);
  };

  for (const sev of ["high", "medium", "low", "info"] as const) {
    const list = r.findings.filter((f) => f.severity === sev);
    if (!list.length) continue;
    if (sev === "info" && !opts.verbose) {
      out.push(...infoSummary(list, paint));
      continue;
    }
    const note = sev === "low" && !opts.verbose ? ` grouped by place, lines cut at ${WIDTH} columns; --verbose shows every finding in full` : "";
    out.push(paint(sev, `${sev.toUpperCase()} (${list.length})`) + note);
    if (opts.verbose || sev === "high" || sev === "medium") {
      for (const f of list) listOne(f);
    } else {
      out.push(...lowSection(list, paint, opts.evidenceLines));
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
  if (r.notChecked.length) out.push(...notCheckedSection(r.notChecked, opts.verbose ?? false));
  out.push(`Result: ${countsLine(r)}${allowed.length ? `, ${allowed.length} allowed by config` : ""}.`);
  return out.join("\n") + "\n";
}
