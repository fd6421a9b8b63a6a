import type { AuditResult, Finding, Severity } from "../types.js";
import { SEVERITIES } from "../types.js";
import { regenerationHtml } from "./regeneration.js";
import { changeStats, countsLine, docsUrl, groupFindings, headline, summaryTables, type RenderOptions } from "./common.js";

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const GROUP_MIN = 4;

const CSS = `
:root{--high:#b00020;--medium:#a15c00;--low:#00639b;--info:#666;--bg:#fff;--fg:#1b1b1b;--muted:#5f6368;--line:#e0e0e0}
*{box-sizing:border-box}body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);background:var(--bg);max-width:80em;margin:0 auto;padding:1.5em}
h1{font-size:1.5em;margin:.2em 0}h2{font-size:1.15em;margin:1.6em 0 .5em;border-bottom:1px solid var(--line);padding-bottom:.2em}
code{font:12.5px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
.sub{color:var(--muted);margin:.2em 0}
.counts{display:flex;gap:.5em;flex-wrap:wrap;margin:.8em 0}
.pill{border-radius:1em;padding:.15em .8em;color:#fff;font-weight:600}
.pill.high,.badge.high{background:var(--high)}.pill.medium,.badge.medium{background:var(--medium)}.pill.low,.badge.low{background:var(--low)}.pill.info,.badge.info{background:var(--info)}.pill.allowed,.badge.allowed{background:#2e7d32}
.badge{display:inline-block;min-width:4.5em;text-align:center;border-radius:3px;color:#fff;font-size:11px;font-weight:700;text-transform:uppercase;padding:.1em .4em;margin-right:.5em}
.tables{display:flex;gap:2em;flex-wrap:wrap}
table{border-collapse:collapse;margin:.3em 0}td,th{border-bottom:1px solid var(--line);padding:.25em .7em;text-align:left;vertical-align:baseline}th{font-weight:600;color:var(--muted)}td.n{text-align:right;font-variant-numeric:tabular-nums}
.filters{position:sticky;top:0;background:var(--bg);padding:.6em 0;border-bottom:1px solid var(--line);display:flex;gap:1.2em;align-items:center;flex-wrap:wrap;z-index:1}
.filters label{cursor:pointer}
.finding{border:1px solid var(--line);border-left:4px solid var(--info);border-radius:4px;padding:.5em .8em;margin:.5em 0}
.finding.high{border-left-color:var(--high)}.finding.medium{border-left-color:var(--medium)}.finding.low{border-left-color:var(--low)}
.finding p{margin:.3em 0}.finding a.rule{color:var(--muted);font-size:12px;margin-left:.5em}
details>summary{cursor:pointer;color:var(--muted)}
pre{background:#f7f7f8;border:1px solid var(--line);border-radius:4px;padding:.5em;overflow:auto;max-height:32em;margin:.4em 0}
pre .add{background:#e6ffec;color:#116329;display:block}pre .del{background:#ffebe9;color:#82071e;display:block}pre .hunk{color:#0550ae;display:block}pre .file{color:var(--muted);font-weight:600;display:block}
ul.group{margin:.3em 0;padding-left:1.2em}
.trust-verified{color:#2e7d32;font-weight:600}.trust-unverified{color:var(--medium);font-weight:600}
[hidden]{display:none!important}
`;

const SCRIPT = `
(function(){
  function apply(){
    var sev={};document.querySelectorAll('input[name=sev]').forEach(function(i){sev[i.value]=i.checked;});
    var rule=document.getElementById('rule').value;var shown=0;
    document.querySelectorAll('#findings [data-severity]').forEach(function(el){
      var ok=sev[el.getAttribute('data-severity')]&&(rule===''||el.getAttribute('data-rule')===rule);
      el.hidden=!ok;if(ok)shown+=Number(el.getAttribute('data-count')||1);
    });
    document.getElementById('shown').textContent=shown+' shown';
  }
  document.querySelectorAll('input[name=sev],#rule').forEach(function(el){el.addEventListener('change',apply);});
  apply();
})();
`;

function diffHtml(diff: string): string {
  return diff
    .split("\n")
    .map((l) => {
      const cls = l.startsWith("+++") || l.startsWith("---") ? "file" : l.startsWith("@@") ? "hunk" : l.startsWith("+") ? "add" : l.startsWith("-") ? "del" : "";
      return cls ? `<span class="${cls}">${esc(l)}</span>` : `${esc(l)}\n`;
    })
    .join("");
}

function evidence(f: Finding): string {
  const e = f.evidence;
  if (!e) return "";
  const open = f.severity === "high" || f.severity === "medium" ? " open" : "";
  if (e.diff) return `<details${open}><summary>diff (${e.diff.split("\n").length} lines)</summary><pre class="diff">${diffHtml(e.diff)}</pre></details>`;
  const text = e.lines?.join("\n") ?? e.bytes;
  return text ? `<details${open}><summary>evidence</summary><pre>${esc(text)}</pre></details>` : "";
}

const ruleLink = (rule: string): string => `<a class="rule" href="${esc(docsUrl(rule))}">${esc(rule)}</a>`;

function findingHtml(f: Finding): string {
  return (
    `<div class="finding ${f.severity}" data-severity="${f.severity}" data-rule="${esc(f.rule)}">` +
    `<div><span class="badge ${f.severity}">${f.severity}</span><code>${esc(f.path)}</code>${ruleLink(f.rule)}</div>` +
    `<p>${esc(f.message)}</p>${evidence(f)}</div>`
  );
}

function countRow(label: string, c: Record<Severity, number>): string {
  return `<tr><td>${label}</td>${SEVERITIES.map((s) => `<td class="n">${c[s] || ""}</td>`).join("")}</tr>`;
}

/** A self-contained HTML page: inline style and script, no external resources; filter by severity and rule. */
export function renderHtml(r: AuditResult, opts: RenderOptions = {}): string {
  const allowed = r.allowed ?? [];
  const body: string[] = [];
  body.push(`<header><h1>distvet report</h1><p class="sub"><code>${esc(headline(r))}</code></p><p class="sub">${esc(changeStats(r))}</p>`);
  body.push(
    `<div class="counts">${SEVERITIES.map((s) => `<span class="pill ${s}">${r.summary.findings[s]} ${s}</span>`).join("")}` +
      `${allowed.length ? `<span class="pill allowed">${allowed.length} allowed</span>` : ""}</div></header>`,
  );
  if (r.findings.length) {
    const { byRule, byDir } = summaryTables(r.findings);
    const th = `<tr><th></th>${SEVERITIES.map((s) => `<th>${s}</th>`).join("")}</tr>`;
    body.push(
      `<h2>Summary</h2><div class="tables" id="summary">` +
        `<table><caption>by rule</caption>${th}${byRule.map((x) => countRow(ruleLink(x.rule), x.counts)).join("")}</table>` +
        `<table><caption>by directory</caption>${th}${byDir.map((x) => countRow(`<code>${esc(x.dir)}</code>`, x.counts)).join("")}</table></div>`,
    );
  }
  const rules = [...new Set(r.findings.map((f) => f.rule))].sort();
  body.push(
    `<h2>Findings (${r.findings.length})</h2><div class="filters" id="filters">` +
      SEVERITIES.map((s) => `<label><input type="checkbox" name="sev" value="${s}"${s === "info" && !opts.verbose ? "" : " checked"}> ${s} (${r.summary.findings[s]})</label>`).join("") +
      `<label>rule <select id="rule"><option value="">all rules</option>${rules.map((x) => `<option>${esc(x)}</option>`).join("")}</select></label><span id="shown" class="sub"></span></div>`,
  );
  body.push(`<div id="findings">`);
  if (!r.findings.length) body.push(`<p>No findings.</p>`);
  for (const g of groupFindings(r.findings)) {
    const hiddenAttr = g.severity === "info" && !opts.verbose ? " hidden" : "";
    if ((g.severity === "low" || g.severity === "info") && g.findings.length >= GROUP_MIN && !opts.verbose) {
      const first = g.findings[0]!;
      body.push(
        `<details class="finding ${g.severity}" data-severity="${g.severity}" data-rule="${esc(g.rule)}" data-count="${g.findings.length}"${hiddenAttr}>` +
          `<summary><span class="badge ${g.severity}">${g.severity}</span><code>${esc(g.dir)}/</code> ${g.findings.length} files ${ruleLink(g.rule)}: ${esc(first.title)}</summary>` +
          `<ul class="group">${g.findings.map((f) => `<li><code>${esc(f.path)}</code>: ${esc(f.message)}${evidence(f)}</li>`).join("")}</ul></details>`,
      );
    } else for (const f of g.findings) body.push(hiddenAttr ? findingHtml(f).replace("<div ", `<div hidden `) : findingHtml(f));
  }
  body.push(`</div>`);
  if (allowed.length) {
    body.push(`<h2 id="allowed">Allowed by config (${allowed.length})</h2><p class="sub">Reviewed findings accepted by an allow entry; not counted towards the exit status.</p><table><tr><th>severity</th><th>path</th><th>rule</th><th>reason</th></tr>`);
    for (const f of allowed) body.push(`<tr><td><span class="badge ${f.severity}">${f.severity}</span></td><td><code>${esc(f.path)}</code></td><td>${ruleLink(f.rule)}</td><td>${esc(f.allowReason)}</td></tr>`);
    body.push(`</table>`);
  }
  const explained = r.changes.filter((c) => c.explainedBy);
  if (explained.length) {
    const trustOf = (c: (typeof explained)[number]): string | undefined => (c.explainedBy as { trust?: string }).trust;
    const verified = explained.filter((c) => trustOf(c) === "verified").length;
    const unverified = explained.filter((c) => trustOf(c) === "unverified").length;
    const trustNote = verified || unverified ? ` — ${verified} verified, ${unverified} unverified` : "";
    body.push(`<h2 id="explained">Explained differences (${explained.length}${trustNote})</h2><details${explained.length <= 50 ? " open" : ""}><summary>show the list</summary><table><tr><th>change</th><th>path</th><th>why</th><th>profile</th></tr>`);
    for (const c of explained) {
      const t = trustOf(c);
      body.push(
        `<tr><td>${esc(c.kind)}</td><td><code>${esc(c.path)}</code></td><td>${esc(c.explainedBy!.reason)}${t ? ` <span class="trust-${esc(t)}">${esc(t)}</span>` : ""}</td><td>${esc(c.explainedBy!.profile)}</td></tr>`,
      );
    }
    body.push("</table></details>");
  }
  body.push(...regenerationHtml(r, esc));
  if (r.notChecked.length) {
    body.push(`<h2 id="not-checked">Not checked (${r.notChecked.length})</h2><ul>`);
    for (const n of r.notChecked) body.push(`<li><code>${esc(n.path)}</code>: ${esc(n.reason)}</li>`);
    body.push("</ul>");
  }
  body.push(`<p class="sub">Result: ${esc(countsLine(r))}. distvet ${esc(r.tool.version)}; rule pages: <a href="${esc(docsUrl("").replace(/\.md$/, ""))}">docs/rules</a></p>`);
  const csp = `default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:`;
  return (
    `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">` +
    `<meta http-equiv="Content-Security-Policy" content="${csp}"><title>distvet: ${esc(headline(r))}</title><style>${CSS}</style></head><body>\n` +
    `${body.join("\n")}\n<script>${SCRIPT}</script>\n</body></html>\n`
  );
}
