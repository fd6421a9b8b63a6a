/**
 * The regeneration section of the text, Markdown and HTML reports: with --regenerate, the per-file
 * table (reproduced / differs / not regenerable and why); without it, how many generated files are
 * unverified and the command that would verify them.
 */
import type { AuditResult } from "../types.js";

/** Reproduced files listed by name in the text report before the rest are counted (all with --verbose). */
const REPRODUCED_SHOWN = 10;
const STATUS_ORDER = ["differs", "not-regenerable", "reproduced"] as const;

const files = (r: AuditResult) => {
  const all = r.regeneration?.files ?? [];
  return STATUS_ORDER.flatMap((s) => all.filter((f) => f.status === s));
};
const count = (r: AuditResult, s: string) => (r.regeneration?.files ?? []).filter((f) => f.status === s).length;
const counts = (r: AuditResult) => `${count(r, "reproduced")} reproduced, ${count(r, "differs")} differ, ${count(r, "not-regenerable")} not regenerable`;
const hintLine = (h: NonNullable<AuditResult["regenerateHint"]>) => `${h.unverified} generated file(s) are accepted by their kind only, not verified. To rebuild them from the tag in a sandbox and compare: ${h.command}`;

export function regenerationText(r: AuditResult, opts: { verbose?: boolean } = {}): string[] {
  const g = r.regeneration;
  if (!g) return r.regenerateHint ? [`REGENERATION not run`, `  ${hintLine(r.regenerateHint)}`, ""] : [];
  const out = [`REGENERATION: ${g.summary} (${counts(r)})`];
  let reproducedShown = 0;
  for (const f of files(r)) {
    if (f.status === "reproduced" && !opts.verbose && reproducedShown++ >= REPRODUCED_SHOWN) continue;
    out.push(`  ${f.status.padEnd(15)} ${f.path}  [${f.step}]${f.reason ? `: ${f.reason}` : ""}`);
  }
  if (!opts.verbose && reproducedShown > REPRODUCED_SHOWN) out.push(`  … ${reproducedShown - REPRODUCED_SHOWN} more reproduced (--verbose or --format json lists them)`);
  for (const m of g.missingTools) out.push(`  missing tool: ${m}`);
  out.push("");
  return out;
}

export function regenerationMarkdown(r: AuditResult, cell: (s: string) => string): string[] {
  const g = r.regeneration;
  if (!g) return r.regenerateHint ? [`### Regeneration not run`, "", `${r.regenerateHint.unverified} generated file(s) are accepted by their kind only, not verified. To rebuild them from the tag in a sandbox and compare:`, "", "```sh", r.regenerateHint.command, "```", ""] : [];
  const out = [`### Regeneration: ${cell(g.summary)}`, "", `${counts(r)}.`, "", "| status | path | step | reason |", "|---|---|---|---|"];
  for (const f of files(r)) out.push(`| ${f.status} | \`${cell(f.path)}\` | ${cell(f.step)} | ${cell(f.reason ?? "")} |`);
  out.push("");
  for (const m of g.missingTools) out.push(`- missing tool: ${cell(m)}`);
  if (g.missingTools.length) out.push("");
  return out;
}

export function regenerationHtml(r: AuditResult, esc: (s: string) => string): string[] {
  const g = r.regeneration;
  if (!g) return r.regenerateHint ? [`<h2 id="regeneration">Regeneration not run</h2><p>${esc(`${r.regenerateHint.unverified} generated file(s) are accepted by their kind only, not verified. To rebuild them from the tag in a sandbox and compare:`)}</p><pre>${esc(r.regenerateHint.command)}</pre>`] : [];
  const out = [`<h2 id="regeneration">Regeneration: ${esc(g.summary)}</h2><p class="sub">${esc(counts(r))}</p>`];
  out.push(`<details${g.files.length <= 50 ? " open" : ""}><summary>per-file table</summary><table><tr><th>status</th><th>path</th><th>step</th><th>reason</th></tr>`);
  for (const f of files(r)) {
    const cls = f.status === "differs" ? "badge high" : f.status === "reproduced" ? "trust-verified" : "trust-unverified";
    out.push(`<tr><td><span class="${cls}">${esc(f.status)}</span></td><td><code>${esc(f.path)}</code></td><td>${esc(f.step)}</td><td>${esc(f.reason ?? "")}</td></tr>`);
  }
  out.push(`</table></details>`);
  if (g.missingTools.length) out.push(`<ul>${g.missingTools.map((m) => `<li>missing tool: ${esc(m)}</li>`).join("")}</ul>`);
  return out;
}
