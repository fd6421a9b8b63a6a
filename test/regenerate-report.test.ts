/**
 * The regeneration section of every report format: with --regenerate the per-file table; without it,
 * how many generated files are unverified and the exact command that would verify them.
 */
import { describe, expect, it } from "vitest";
import { regenerateHint } from "../src/regenerate/hint.js";
import { render } from "../src/report/index.js";
import type { AuditResult } from "../src/types.js";

const base = (extra: Partial<AuditResult>): AuditResult => ({
  formatVersion: 1,
  tool: { name: "distvet", version: "0.0.0" },
  tarball: { source: "calc-1.0.tar.gz", sha256: "0".repeat(64), entries: 3, compression: "gzip" },
  git: { source: "repo", ref: "v1.0", commit: "a".repeat(40), entries: 2 },
  summary: { identical: 0, explained: 3, verified: 2, unverified: 1, findings: { high: 1, medium: 0, low: 0, info: 0 } },
  changes: [],
  findings: [],
  notChecked: [],
  ...extra,
});

const withRegen = base({
  regeneration: {
    summary: "1 of 3 generated files reproduced from the tag",
    reproduced: 1,
    total: 3,
    files: [
      { path: "configure", status: "reproduced", step: "input-bound: autoconf" },
      { path: "src/Makefile.in", status: "differs", step: "input-bound: automake", diff: "@@ -1 +1 @@\n-a\n+b\n" },
      { path: "build-aux/ltmain.sh", status: "not-regenerable", step: "toolchain: autoreconf", reason: "made with libtool 2.4.6; the installed libtool is 2.4.7" },
    ],
    steps: [],
    missingTools: ["libtool 2.4.6 is not installed"],
  },
});

describe("regeneration in the reports", () => {
  it("text lists every file with its status, step and reason, differing first", () => {
    const t = render(withRegen, "text");
    expect(t).toMatch(/REGENERATION: 1 of 3 generated files reproduced from the tag \(1 reproduced, 1 differ, 1 not regenerable\)/);
    const lines = t.split("\n");
    const at = (p: string) => lines.findIndex((l) => l.includes(` ${p}  [`));
    expect(lines[at("src/Makefile.in")]).toMatch(/^ {2}differs +src\/Makefile\.in {2}\[input-bound: automake\]$/);
    expect(lines[at("build-aux/ltmain.sh")]).toMatch(/not-regenerable .*: made with libtool 2\.4\.6/);
    expect(at("src/Makefile.in")).toBeLessThan(at("configure"));
    expect(t).toMatch(/missing tool: libtool 2\.4\.6 is not installed/);
  });
  it("markdown and html carry the same table", () => {
    const md = render(withRegen, "markdown");
    expect(md).toMatch(/\| differs \| `src\/Makefile\.in` \| input-bound: automake \|/);
    expect(md).toMatch(/\| not-regenerable \| `build-aux\/ltmain\.sh` \| toolchain: autoreconf \| made with libtool 2\.4\.6/);
    const html = render(withRegen, "html");
    expect(html).toMatch(/<h2 id="regeneration">Regeneration: 1 of 3 generated files reproduced from the tag<\/h2>/);
    expect(html).toMatch(/<code>src\/Makefile\.in<\/code><\/td><td>input-bound: automake<\/td>/);
  });
  it("html escapes a hostile path in the table", () => {
    const r = structuredClone(withRegen);
    r.regeneration!.files[0]!.path = `<img src=x onerror=alert(1)>`;
    expect(render(r, "html")).not.toContain("<img src=x");
  });
  it("without --regenerate every format says how many generated files are unverified and the command", () => {
    const r = base({ regenerateHint: { unverified: 12, command: "distvet audit calc-1.0.tar.gz --repo repo --ref v1.0 --regenerate" } });
    for (const f of ["text", "markdown", "html", "json"] as const) {
      const out = render(r, f);
      expect([f, out.includes("12")]).toEqual([f, true]);
      expect([f, out.includes("distvet audit calc-1.0.tar.gz --repo repo --ref v1.0 --regenerate")]).toEqual([f, true]);
    }
    expect(render(base({}), "text")).not.toMatch(/REGENERATION/);
  });
});

describe("regenerateHint", () => {
  const where = { tarball: "calc-1.0.tar.gz", repo: "/src/calc", ref: "v1.0" };
  const u = (kind: string) => ({ profile: "autotools", reason: "by name", trust: "unverified" as const, kind });
  it("counts the unverified generated files --regenerate rebuilds and names the exact command", () => {
    const h = regenerateHint(
      [
        { path: "configure", explainedBy: u("autotools-output") },
        { path: "src/parse.c", explainedBy: u("parser-output") },
        { path: "po/de.gmo", explainedBy: u("translations") },
        { path: "po/de.po", explainedBy: u("translations") },
        { path: "doc/calc.info", explainedBy: u("rendered-docs") },
        { path: "m4/libtool.m4", explainedBy: { profile: "autotools", reason: "known copy", trust: "verified", verifiedBy: "known-copy" } },
      ],
      where,
    );
    expect(h).toEqual({ unverified: 3, command: "distvet audit calc-1.0.tar.gz --repo /src/calc --ref v1.0 --regenerate" });
  });
  it("quotes what the shell would split or run", () => {
    const h = regenerateHint([{ path: "configure", explainedBy: u("autotools-output") }], { tarball: "my calc $(x).tar.gz", repo: "it's", ref: "v1.0", subdir: "sub dir" });
    expect(h!.command).toBe(`distvet audit 'my calc $(x).tar.gz' --repo 'it'\\''s' --ref v1.0 --subdir 'sub dir' --regenerate`);
  });
  it("says nothing when no generated file is unverified", () => {
    expect(regenerateHint([{ path: "README", explainedBy: u("release-docs") }], where)).toBeNull();
  });
});
