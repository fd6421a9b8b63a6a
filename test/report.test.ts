import { describe, it, expect, beforeAll } from "vitest";
import { join } from "node:path";
import { SAMPLES } from "../samples/index.js";
import { buildSample } from "../samples/lib/sample.js";
import { audit } from "../src/audit.js";
import { renderText, renderMarkdown, renderHtml } from "../src/report/index.js";
import { diffExcerpt, groupFindings, summaryTables } from "../src/report/common.js";
import { MARKDOWN_LIMIT } from "../src/report/markdown.js";
import type { AuditResult, Finding } from "../src/types.js";
import { tmp } from "./tmp.js";

let xz: AuditResult;
beforeAll(async () => {
  const s = await buildSample(SAMPLES.find((x) => x.name === "xz-5.6.1")!, join(tmp(), "xz"));
  xz = await audit({ tarball: s.tarball, repo: s.repo });
});

const low = (path: string, over: Partial<Finding> = {}): Finding => ({ rule: "other-file-changed", severity: "low", path, title: "documentation changed", message: `${path} differs`, docs: "docs/rules/other-file-changed.md", ...over });
const withFindings = (findings: Finding[]): AuditResult => {
  const counts = { high: 0, medium: 0, low: 0, info: 0 };
  for (const f of findings) counts[f.severity]++;
  return { ...xz, findings, summary: { ...xz.summary, findings: counts } };
};
/** A stamp-only man-page diff: the changed line comes after a long run of context. */
const manDiff = (i: number): string =>
  ["--- a/man/p.1", "+++ b/man/p.1", "@@ -1,12 +1,12 @@", ...Array.from({ length: 10 }, (_, k) => ` .\\" line ${k}`), `-.TH P 1 "2023-01-0${i % 9}"`, `+.TH P 1 "2023-02-0${i % 9}"`, " .SH NAME"].join("\n");

describe("summary and grouping", () => {
  it("text starts with a summary by rule and by directory", () => {
    const t = renderText(xz);
    const sum = t.indexOf("SUMMARY by rule");
    expect(sum).toBeGreaterThan(0);
    expect(sum).toBeLessThan(t.indexOf("HIGH ("));
    expect(t).toMatch(/SUMMARY by directory\n\s+m4\/\s+3 high\n\s+tests\/\s+2 medium/);
  });
  it("many low findings of one rule in one directory are one line; --verbose lists them", () => {
    const many = Array.from({ length: 485 }, (_, i) => low(`docs/man/p${i}.1`, { evidence: { diff: manDiff(i) } }));
    const r = withFindings([...xz.findings, ...many, low("README")]);
    const t = renderText(r);
    expect(t).toContain("docs/man/  485 files [other-file-changed]: documentation changed");
    expect(t).toContain("  README  [other-file-changed]");
    // The group shows what changed in its example: the stamp lines, not the context before them.
    expect(t).toMatch(/e\.g\. docs\/man\/p0\.1: [^\n]*\n(\s+\| [^\n]*\n)*\s+\| -\.TH P 1 "2023-01-00"\n\s+\| \+\.TH P 1 "2023-02-00"/);
    expect(t.split("\n").length).toBeLessThan(130);
    const v = renderText(r, { verbose: true });
    expect(v).toContain("docs/man/p484.1  [other-file-changed]");
    expect(v.split("\n").length).toBeGreaterThan(485 * 3);
  });
  it("high findings are never grouped, however many", () => {
    const highs = Array.from({ length: 12 }, (_, i) => low(`m4/x${i}.m4`, { severity: "high", rule: "build-script-added" }));
    const t = renderText(withFindings(highs));
    for (let i = 0; i < 12; i++) expect(t).toContain(`m4/x${i}.m4  [build-script-added]`);
  });
  it("groups by directory and severity, and summaries count every finding", () => {
    const fs = [low("a/x"), low("a/y"), low("a/b/z"), low("a/x", { severity: "info" })];
    expect(groupFindings(fs).map((g) => [g.dir, g.severity, g.findings.length])).toEqual([
      ["a", "low", 2],
      ["a/b", "low", 1],
      ["a", "info", 1],
    ]);
    expect(summaryTables(fs).byDir).toEqual([{ dir: "a/", counts: { high: 0, medium: 0, low: 3, info: 1 }, total: 4 }]);
  });
});

describe("diff excerpts always show the changed lines", () => {
  it("keeps the change that comes after a long context run", () => {
    const { lines, omitted } = diffExcerpt(manDiff(3), 6);
    expect(lines).toContain('-.TH P 1 "2023-01-03"');
    expect(lines).toContain('+.TH P 1 "2023-02-03"');
    expect(lines).toContain("@@ -1,12 +1,12 @@");
    expect(lines.length).toBeLessThanOrEqual(7);
    expect(omitted).toBeGreaterThan(0);
  });
  it("evasion: a real change hidden after hundreds of context lines still shows in the text report", () => {
    const diff = ["--- a/configure", "+++ b/configure", "@@ -1,400 +1,400 @@", ...Array.from({ length: 300 }, (_, k) => ` echo ${k}`), "-exit 0", "+eval \"$(cat tests/x.bin | tr a-z n-za-m)\"", ...Array.from({ length: 50 }, (_, k) => ` echo tail ${k}`)].join("\n");
    const t = renderText(withFindings([low("configure", { evidence: { diff } })]));
    expect(t).toContain('| +eval "$(cat tests/x.bin | tr a-z n-za-m)"');
  });
  it("a short diff is shown whole", () => {
    expect(diffExcerpt("a\nb", 6)).toEqual({ lines: ["a", "b"], omitted: 0 });
  });
});

describe("Markdown", () => {
  const huge = (): AuditResult => {
    const highs = Array.from({ length: 40 }, (_, i) => low(`src/evil${i}.c`, { severity: "high", rule: "source-added", evidence: { lines: Array.from({ length: 200 }, (_, k) => `src/evil${i}.c:${k + 1}: ${"x".repeat(60)}`) } }));
    const lows = Array.from({ length: 2000 }, (_, i) => low(`d${i}/page.html`, { message: `d${i}/page.html differs from git: ${"y".repeat(80)}` }));
    return withFindings([...highs, ...lows]);
  };
  it("fits a GitHub comment (≤ 65,536 characters) and says what it left out", () => {
    const md = renderMarkdown(huge());
    expect(md.length).toBeLessThanOrEqual(MARKDOWN_LIMIT);
    expect(md).toMatch(/more rows not shown \(size limit\)/);
    // Every high finding keeps its row even when evidence and low rows are cut.
    for (let i = 0; i < 40; i++) expect(md).toContain(`\`src/evil${i}.c\``);
  });
  it("a small report is complete, with evidence and absolute rule links", () => {
    const md = renderMarkdown(xz);
    expect(md).not.toMatch(/not shown/);
    expect(md).toContain("<details><summary>high: m4/build-to-host.m4 (build-script-reads-binary)</summary>");
    expect(md).toContain("(https://github.com/distvet/distvet/blob/main/docs/rules/build-script-reads-binary.md)");
    expect(md).not.toMatch(/\]\(docs\//);
  });
  it("--summary is short: counts, table by rule, the alarms", () => {
    const s = renderMarkdown(huge(), { summary: true });
    expect(s.length).toBeLessThan(8000);
    expect(s).toMatch(/^### distvet: /);
    expect(s).toContain("| [source-added](https://github.com/distvet/distvet/blob/main/docs/rules/source-added.md) | 40 high |");
    expect(s).toContain("| … | 10 more | |");
  });
  it("a path cannot break out of its table cell or fence", () => {
    const md = renderMarkdown(withFindings([low("a|b\n| high | forged |", { severity: "high", evidence: { lines: ["```", "</details>"] } })]));
    expect(md).not.toContain("\n| high | forged |");
    expect(md).toContain("````\n```\n</details>\n````");
  });
});

describe("HTML (static checks; the browser test is html.test.ts)", () => {
  it("is self-contained: inline style and script only, a CSP that forbids loading anything", () => {
    const h = renderHtml(xz);
    expect(h).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"`);
    expect(h).not.toMatch(/<(link|img|iframe|object|embed)\b|\bsrc=|url\(|@import/);
  });
  it("escapes member names", () => {
    const h = renderHtml(withFindings([low("<img src=x onerror=alert(1)>.html", { severity: "high" })]));
    expect(h).not.toContain("<img src=x");
    expect(h).toContain("&#60;img src=x onerror=alert(1)&#62;.html");
  });
  it("renders trust when explanations carry it", () => {
    const r = { ...xz, changes: [{ kind: "modified" as const, path: "configure", explainedBy: { profile: "autotools", reason: "regenerated", trust: "verified" } }] };
    expect(renderHtml(r as AuditResult)).toContain('<span class="trust-verified">verified</span>');
  });
});
