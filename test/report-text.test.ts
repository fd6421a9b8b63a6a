import { describe, it, expect } from "vitest";
import { renderText, renderMarkdown } from "../src/report/index.js";
import { collapseGroups } from "../src/report/common.js";
import type { AuditResult, Finding, Severity } from "../src/types.js";

const finding = (path: string, over: Partial<Finding> = {}): Finding => ({
  rule: "other-file-changed",
  severity: "low",
  path,
  title: "Documentation or data text differs from git",
  message: `${path} (text, neither code nor build script) differs from git (1 line(s) added, 1 removed).`,
  evidence: { diff: `--- a/${path}\n+++ b/${path}\n@@ -1,2 +1,2 @@\n-old ${path}\n+new ${path}\n ctx` },
  docs: "docs/rules/other-file-changed.md",
  ...over,
});

function result(findings: Finding[]): AuditResult {
  const counts: Record<Severity, number> = { high: 0, medium: 0, low: 0, info: 0 };
  for (const f of findings) counts[f.severity]++;
  return {
    formatVersion: 1,
    tool: { name: "distvet", version: "0.0.0" },
    tarball: { source: "pkg-1.0.tar.gz", sha256: "0".repeat(64), entries: 400, compression: "gzip" },
    git: { source: ".", ref: "v1.0", commit: "1".repeat(40), entries: 400 },
    summary: { identical: 0, explained: 0, verified: 0, unverified: 0, findings: counts },
    changes: [],
    findings,
    notChecked: [],
  };
}

describe("text report: collapsing", () => {
  const many = Array.from({ length: 300 }, (_, i) => finding(`share/data/f${String(i).padStart(3, "0")}.txt`));
  it("300 findings of one rule in one directory are one line with a count; --verbose lists every one", () => {
    const r = result([...many, finding("README")]);
    const t = renderText(r);
    const lines = t.split("\n");
    expect(lines.filter((l) => l.includes("300 files [other-file-changed]"))).toEqual(["  share/data/  300 files [other-file-changed]: Documentation or data text differs from git"]);
    expect(lines.filter((l) => /share\/data\/f\d+\.txt/.test(l))).toHaveLength(1 + 2); // the example line and its -/+ lines
    expect(t).toContain("  README  [other-file-changed]: README (text, neither code nor build script)");
    expect(lines.length).toBeLessThan(40);
    const v = renderText(r, { verbose: true });
    for (const f of many) expect(v).toContain(`  ${f.path}  [other-file-changed]`);
    expect(v).not.toContain("300 files");
  });
  it("findings spread one or two per sibling directory collapse at their parent, never above the top-level directory", () => {
    const spread = ["VC10", "VC11", "VC12", "VC14"].flatMap((v) => [finding(`projects/Windows/${v}/lib/libcurl.vcxproj`), finding(`projects/Windows/${v}/src/curl.vcxproj`)]);
    const t = renderText(result([...spread, finding("a/x.txt"), finding("b/y.txt")]));
    expect(t).toContain("  projects/Windows/  8 files [other-file-changed]");
    expect(t).toContain("  a/x.txt  [other-file-changed]");
    expect(t).toContain("  b/y.txt  [other-file-changed]");
    expect(collapseGroups([finding("a/x"), finding("a/b/z"), finding("a/c/w")], 4).map((g) => [g.dir, g.findings.length])).toEqual([["a", 3]]);
    expect(collapseGroups([finding("x"), finding("y/z")], 2).map((g) => [g.dir, g.findings.length])).toEqual([
      [".", 1],
      ["y", 1],
    ]);
  });
  it("three or more groups of one kind under one parent become one line at the parent", () => {
    const langs = ["de", "fr", "ko", "ro", "uk"].flatMap((l) => Array.from({ length: 6 }, (_, i) => finding(`po4a/man/${l}/p${i}.1`)));
    const t = renderText(result(langs));
    expect(t).toContain("  po4a/man/  30 files [other-file-changed]");
    expect(t).not.toContain("po4a/man/de/  ");
    // Two sibling groups stay two lines.
    const two = renderText(result(langs.slice(0, 12)));
    expect(two).toContain("  po4a/man/de/  6 files");
    expect(two).toContain("  po4a/man/fr/  6 files");
  });
  it("NOT CHECKED entries that say the same of different files are one line unless --verbose", () => {
    const nc = Array.from({ length: 23 }, (_, i) => ({ path: `po/l${i}.gmo`, reason: `${i % 3} message(s) sit in the catalog's system-dependent section; the other messages equal po/l${i}.po` }));
    const r = { ...result([]), notChecked: [...nc, { path: "big.bin", reason: "too large to read" }] };
    const t = renderText(r);
    expect(t).toMatch(/^ {2}23 files \(po\/l0\.gmo, po\/l1\.gmo, /m);
    expect(t).toContain("  big.bin: too large to read");
    expect(t.split("\n").filter((l) => l.includes("po/l")).length).toBe(2);
    const v = renderText(r, { verbose: true });
    for (const n of nc) expect(v).toContain(`  ${n.path}: ${n.reason}`);
  });
  it("every high and medium finding stays visible in full, however many and however long", () => {
    const long = "x".repeat(400);
    const alarms = Array.from({ length: 30 }, (_, i) => finding(`m4/h${i}.m4`, { severity: i % 2 ? "high" : "medium", rule: "build-script-added", message: `m4/h${i}.m4 ${long}` }));
    const t = renderText(result([...alarms, ...many]));
    for (const f of alarms) expect(t).toContain(`    ${f.message}\n`);
  });
  it("low and info lines stay within 100 columns by default; info is one line per rule", () => {
    const longLow = finding("tests/certs/gen.sh", { rule: "build-script-suspicious-pattern", message: "reads-test-data ".repeat(60), evidence: { lines: ["tests/certs/gen.sh:9: " + "openssl ".repeat(40)] } });
    const infos = [
      finding("docs/", { rule: "manpage-stamp", severity: "info", message: "484 man page(s) differ from git only in the date and version fields of their .TH line. " + "x".repeat(200), evidence: { lines: ["docs/a.1: stamp"] } }),
      ...Array.from({ length: 71 }, (_, i) => finding(`d${i % 9}/g${i}`, { rule: "git-only-file", severity: "info", title: "File in git that the tarball leaves out" })),
    ];
    const t = renderText(result([longLow, ...many, ...infos]));
    const body = t.slice(t.indexOf("LOW ("));
    for (const l of body.split("\n")) expect(l.length, l).toBeLessThanOrEqual(100);
    expect(t).toContain("INFO (72), one line per rule");
    expect(t).toMatch(/^ {2}\[manpage-stamp\] docs\/: 484 man page\(s\) differ/m);
    expect(t).toContain("  [git-only-file] 71 findings in 9 directories: File in git that the tarball leaves out");
    expect(t).not.toContain("d0/g0");
    expect(renderText(result(infos), { verbose: true })).toContain("  d0/g0  [git-only-file]");
  });
  it("markdown shows info findings one line per rule and stays under GitHub's limit", () => {
    const infos = Array.from({ length: 500 }, (_, i) => finding(`d/g${i}`, { rule: "git-only-file", severity: "info" }));
    const md = renderMarkdown(result([...many, ...infos]));
    expect(md).toContain("### Info (500)");
    expect(md.match(/\[git-only-file\]\(/g)).toHaveLength(2); // the summary table row and the info line
    expect(md.length).toBeLessThanOrEqual(65_536);
  });
});
