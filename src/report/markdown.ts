import type { AuditResult } from "../types.js";
import { bySeverity, changeStats, countsLine, headline } from "./common.js";

const cell = (s: string): string => s.replace(/\|/g, "\\|").replace(/\n/g, " ");
const fence = (s: string): string => {
  const ticks = s.includes("```") ? "````" : "```";
  return `${ticks}\n${s}\n${ticks}`;
};

/** Markdown for pull-request comments and issue reports. */
export function renderMarkdown(r: AuditResult): string {
  const out: string[] = [`## distvet: ${cell(headline(r))}`, "", `**${countsLine(r)}** — ${changeStats(r)}.`, ""];
  const shown = r.findings.filter((f) => f.severity !== "info");
  if (shown.length) {
    out.push("| severity | path | rule | finding |", "|---|---|---|---|");
    for (const f of shown) out.push(`| ${f.severity} | \`${cell(f.path)}\` | [${f.rule}](${f.docs}) | ${cell(f.message)} |`);
    out.push("");
  } else out.push("No finding at low severity or above.", "");
  for (const [sev, list] of bySeverity(shown)) {
    if (sev === "low") continue;
    for (const f of list) {
      const ev = f.evidence?.diff ?? f.evidence?.lines?.join("\n") ?? f.evidence?.bytes;
      if (!ev) continue;
      out.push(`<details><summary>${sev}: ${cell(f.path)} (${f.rule})</summary>`, "", fence(ev), "", "</details>", "");
    }
  }
  if (r.notChecked.length) {
    out.push("### Not checked", "");
    for (const n of r.notChecked) out.push(`- \`${cell(n.path)}\`: ${cell(n.reason)}`);
    out.push("");
  }
  return out.join("\n");
}
