import type { AuditResult, Finding } from "../types.js";
import { regenerationMarkdown } from "./regeneration.js";
import { changeStats, countsLine, countsText, diffExcerpt, docsUrl, evidenceText, groupFindings, headline, summaryTables, type RenderOptions } from "./common.js";

/** GitHub's limit for an issue or pull-request comment body. */
export const MARKDOWN_LIMIT = 65_536;
const GROUP_MIN = 4;
const EVIDENCE_LINES = 40;

const cell = (s: string): string => s.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
const fence = (s: string): string => {
  let ticks = "```";
  while (s.includes(ticks)) ticks += "`";
  return `${ticks}\n${s}\n${ticks}`;
};
const link = (rule: string): string => `[${rule}](${docsUrl(rule)})`;

function excerpt(f: Finding): string | undefined {
  if (f.evidence?.diff) {
    const { lines, omitted } = diffExcerpt(f.evidence.diff, EVIDENCE_LINES);
    return lines.join("\n") + (omitted ? `\n… ${omitted} more lines` : "");
  }
  const ev = evidenceText(f);
  if (!ev) return undefined;
  const lines = ev.split("\n");
  return lines.length > EVIDENCE_LINES ? `${lines.slice(0, EVIDENCE_LINES).join("\n")}\n… ${lines.length - EVIDENCE_LINES} more lines` : ev;
}

function summaryTable(r: AuditResult): string[] {
  if (!r.findings.length) return [];
  const { byRule } = summaryTables(r.findings);
  return ["| rule | findings |", "|---|---|", ...byRule.map((x) => `| ${link(x.rule)} | ${countsText(x.counts)} |`), ""];
}

/** A short summary for $GITHUB_STEP_SUMMARY: counts, the table by rule and the high/medium findings. */
function renderSummary(r: AuditResult): string {
  const allowed = r.allowed?.length ?? 0;
  const out = [`### distvet: ${cell(headline(r))}`, "", `**${countsLine(r)}**${allowed ? `, ${allowed} allowed by config` : ""} — ${changeStats(r)}.`, ""];
  out.push(...summaryTable(r));
  const alarms = r.findings.filter((f) => f.severity === "high" || f.severity === "medium");
  const SHOWN = 30;
  if (alarms.length) {
    out.push("| severity | path | rule |", "|---|---|---|");
    for (const f of alarms.slice(0, SHOWN)) out.push(`| ${f.severity} | \`${cell(f.path)}\` | ${link(f.rule)} |`);
    if (alarms.length > SHOWN) out.push(`| … | ${alarms.length - SHOWN} more | |`);
    out.push("");
  }
  out.push("Full report: the SARIF, HTML or JSON output of this run.", "");
  return out.join("\n");
}

/**
 * Info findings as one line per rule (count and what they are; a single finding shows its
 * message): "484 man pages differ only in their .TH stamp" is one line, not 484 rows.
 */
function infoLines(r: AuditResult): string[] {
  const info = r.findings.filter((f) => f.severity === "info");
  if (!info.length) return [];
  const byRule = new Map<string, Finding[]>();
  for (const f of info) (byRule.get(f.rule) ?? byRule.set(f.rule, []).get(f.rule)!).push(f);
  const out = [`### Info (${info.length})`, ""];
  for (const [rule, fs] of byRule) {
    out.push(fs.length === 1 ? `- ${link(rule)} \`${cell(fs[0]!.path)}\`: ${cell(fs[0]!.message)}` : `- ${link(rule)}: ${fs.length} findings: ${cell(fs[0]!.title)}`);
  }
  out.push("", "_Every info finding, with its evidence, is in the JSON, SARIF and HTML reports._", "");
  return out;
}

/**
 * Markdown for pull-request comments and issue reports, at most 65,536 characters: when the full
 * report is longer, evidence blocks and then rows are left out, and the report says how many.
 */
export function renderMarkdown(r: AuditResult, opts: RenderOptions = {}): string {
  if (opts.summary) return renderSummary(r);
  const allowedList = r.allowed ?? [];
  const head = [`## distvet: ${cell(headline(r))}`, "", `**${countsLine(r)}**${allowedList.length ? `, ${allowedList.length} allowed by config` : ""} — ${changeStats(r)}.`, "", ...summaryTable(r)];
  const rows: string[] = [];
  const shown = r.findings.filter((f) => f.severity !== "info");
  for (const g of groupFindings(shown)) {
    if (g.severity === "low" && g.findings.length >= GROUP_MIN && !opts.verbose) {
      rows.push(`| low | \`${cell(g.dir)}/\` (${g.findings.length} files) | ${link(g.rule)} | ${cell(g.findings[0]!.title)}; e.g. \`${cell(g.findings[0]!.path)}\` |`);
    } else for (const f of g.findings) rows.push(`| ${f.severity} | \`${cell(f.path)}\` | ${link(f.rule)} | ${cell(f.message)} |`);
  }
  const details: string[] = [];
  for (const f of shown) {
    if (f.severity === "low") continue;
    const ev = excerpt(f);
    if (ev) details.push(["<details><summary>" + `${f.severity}: ${cell(f.path)} (${f.rule})`.replace(/</g, "&lt;") + "</summary>", "", fence(ev), "", "</details>", ""].join("\n"));
  }
  const tail: string[] = [...infoLines(r)];
  if (allowedList.length) {
    tail.push(`### Allowed by config (${allowedList.length})`, "", "| severity | path | rule | reason |", "|---|---|---|---|");
    for (const f of allowedList) tail.push(`| ${f.severity} | \`${cell(f.path)}\` | ${link(f.rule)} | ${cell(f.allowReason)} |`);
    tail.push("");
  }
  tail.push(...regenerationMarkdown(r, cell));
  if (r.notChecked.length) {
    tail.push(`### Not checked (${r.notChecked.length})`, "");
    for (const n of r.notChecked) tail.push(`- \`${cell(n.path)}\`: ${cell(n.reason)}`);
    tail.push("");
  }

  const RESERVE = 400;
  let budget = MARKDOWN_LIMIT - RESERVE;
  const take = (parts: string[]): { kept: string[]; dropped: number } => {
    const kept: string[] = [];
    let i = 0;
    for (; i < parts.length; i++) {
      const cost = parts[i]!.length + 1;
      if (cost > budget) break;
      kept.push(parts[i]!);
      budget -= cost;
    }
    return { kept, dropped: parts.length - i };
  };
  const out = take(head).kept;
  const tableHead = ["| severity | path | rule | finding |", "|---|---|---|---|"];
  budget -= tableHead.join("\n").length + 2;
  // Rows first (every finding visible), then tail sections, then evidence as room allows.
  const rowPart = take(rows);
  const tailPart = take(tail);
  const detailPart = take(details);
  if (rows.length) out.push(...tableHead, ...rowPart.kept);
  else out.push("No finding at low severity or above.");
  if (rowPart.dropped) out.push(`| … | ${rowPart.dropped} more rows not shown (size limit) | | |`);
  out.push("");
  out.push(...detailPart.kept);
  if (detailPart.dropped) out.push(`_${detailPart.dropped} evidence blocks not shown to fit GitHub's 65,536-character limit; see the JSON or HTML report._`, "");
  out.push(...tailPart.kept);
  if (tailPart.dropped) out.push(`_${tailPart.dropped} lines of the allowed / not-checked lists not shown (size limit)._`, "");
  return out.join("\n");
}
