import type { AuditResult, Severity } from "../types.js";
import { bySeverity, changeStats, countsLine, headline } from "./common.js";

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const COLOR: Record<Severity, string> = { high: "#b00020", medium: "#b26a00", low: "#00639b", info: "#666" };

/** A self-contained HTML page (no scripts, no external resources). */
export function renderHtml(r: AuditResult): string {
  const body: string[] = [];
  body.push(`<h1>distvet report</h1><p><code>${esc(headline(r))}</code></p>`);
  body.push(`<p><strong>${esc(countsLine(r))}</strong><br>${esc(changeStats(r))}</p>`);
  for (const [sev, list] of bySeverity(r.findings)) {
    body.push(`<h2 style="color:${COLOR[sev]}">${sev} (${list.length})</h2>`);
    for (const f of list) {
      const ev = f.evidence?.diff ?? f.evidence?.lines?.join("\n") ?? f.evidence?.bytes;
      body.push(
        `<section><h3><code>${esc(f.path)}</code> <small>[<a href="${esc(f.docs)}">${esc(f.rule)}</a>]</small></h3>` +
          `<p>${esc(f.message)}</p>${ev ? `<details><summary>evidence</summary><pre>${esc(ev)}</pre></details>` : ""}</section>`,
      );
    }
  }
  const explained = r.changes.filter((c) => c.explainedBy);
  if (explained.length) {
    body.push(`<h2>Explained differences (${explained.length})</h2><table><tr><th>change</th><th>path</th><th>why</th></tr>`);
    for (const c of explained) body.push(`<tr><td>${c.kind}</td><td><code>${esc(c.path)}</code></td><td>${esc(c.explainedBy!.reason)}</td></tr>`);
    body.push("</table>");
  }
  if (r.notChecked.length) {
    body.push(`<h2>Not checked (${r.notChecked.length})</h2><ul>`);
    for (const n of r.notChecked) body.push(`<li><code>${esc(n.path)}</code>: ${esc(n.reason)}</li>`);
    body.push("</ul>");
  }
  const css = "body{font:14px/1.5 system-ui,sans-serif;max-width:70em;margin:2em auto;padding:0 1em}pre{background:#f6f6f6;padding:.5em;overflow:auto}table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:.2em .5em;text-align:left}";
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>distvet: ${esc(headline(r))}</title><style>${css}</style></head><body>\n${body.join("\n")}\n</body></html>\n`;
}
