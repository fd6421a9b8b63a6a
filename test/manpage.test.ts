import { describe, it, expect, beforeAll } from "vitest";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { runScenario, explained, findingsOf, tmp } from "./helpers.js";
import { makeRepo, makeTarball } from "../samples/lib/fixture.js";
import { isDate, thArguments, thStamp } from "../src/normalize/manpage.js";
import type { AuditResult } from "../src/types.js";

/** A roff page as curl ships them: a comment block, .TH, sections. */
const page = (th: string, body = "foo \\- do things\n.SH DESCRIPTION\nIt does.\n"): string => `.\\" **********\n.\\" * Copyright\n.\\"\n${th}\n.SH NAME\n${body}`;
const GIT_TH = '.TH foo 3 "22 Aug 2007" "libcurl 7.17.0" "libcurl Manual"';
const STAMPED = '.TH foo 3 "January 02, 2023" "libcurl 1.0" "libcurl Manual"';
const base = { "src/a.c": "int a;\n", "docs/foo.3": page(GIT_TH) };

const stampOf = (r: AuditResult, path: string) => r.changes.find((c) => c.path === path)?.explainedBy;
/** The page is judged like any other changed file: not explained away as a stamp, and reported. */
const notAStamp = (r: AuditResult, path: string) => {
  expect(explained(r, path)).not.toBe("manpage-stamp");
  expect(stampOf(r, path)?.trust).not.toBe("verified");
  expect(findingsOf(r, "manpage-stamp")).toEqual([]);
  const reported = r.findings.some((f) => f.severity !== "info" && (f.path === path || f.evidence?.lines?.some((l) => l.startsWith(`${path}:`))));
  expect(reported, `${path} is reported at low or above`).toBe(true);
};

describe("manpage-stamp: positive", () => {
  it("verifies a .TH date and version stamp (with curl's blank line after it) and reports one info finding", async () => {
    const r = await runScenario({ git: base, tarball: { ...base, "docs/foo.3": page(`${STAMPED}\n`) } });
    expect(stampOf(r, "docs/foo.3")).toMatchObject({ profile: "manpage-stamp", trust: "verified", verifiedBy: "reproduction" });
    expect(stampOf(r, "docs/foo.3")!.reason).toContain('date "22 Aug 2007" → "January 02, 2023", version "libcurl 7.17.0" → "libcurl 1.0"');
    expect(findingsOf(r, "manpage-stamp")).toEqual(["info docs/foo.3"]);
    expect(findingsOf(r, "other-file-changed")).toEqual([]);
    expect(findingsOf(r, "unverified-files")).toEqual([]);
  });
  it("groups hundreds of stamped pages into one finding that counts and lists them", async () => {
    const git: Record<string, string> = { "src/a.c": "int a;\n" };
    const tar: Record<string, string> = { ...git };
    for (let i = 0; i < 120; i++) {
      const dir = i % 2 ? "docs/libcurl/opts" : "docs/libcurl";
      git[`${dir}/p${i}.3`] = page(`.TH p${i} 3 "${(i % 28) + 1} Sep 2014" "libcurl" "libcurl Manual"`);
      tar[`${dir}/p${i}.3`] = page(`.TH p${i} 3 "2023-01-02" "libcurl 1.0" "libcurl Manual"\n`);
    }
    const r = await runScenario({ git, tarball: tar });
    const f = r.findings.filter((x) => x.rule === "manpage-stamp");
    expect(f).toHaveLength(1);
    expect(f[0]!.path).toBe("docs/libcurl/");
    expect(f[0]!.message).toMatch(/^120 man page\(s\) differ from git only in the date and version fields/);
    expect(f[0]!.evidence!.lines).toHaveLength(120);
    expect(r.findings.filter((x) => x.severity !== "info")).toEqual([]);
  });
  it("accepts a date-only change and an ISO date, with no blank line", async () => {
    const git = { ...base, "man/tool.1": '.TH TOOL 1 "2024-01-01" "tool" "User Commands"\n.SH NAME\ntool\n' };
    const r = await runScenario({ git, tarball: { ...git, "man/tool.1": '.TH TOOL 1 "2024-02-24" "tool" "User Commands"\n.SH NAME\ntool\n' } });
    expect(explained(r, "man/tool.1")).toBe("manpage-stamp");
  });
});

describe("manpage-stamp: negative", () => {
  it("a .TH stamp plus any other changed line is not a stamp", async () => {
    const r = await runScenario({ git: base, tarball: { ...base, "docs/foo.3": page(STAMPED, "foo \\- do other things\n.SH DESCRIPTION\nIt does.\n") } });
    notAStamp(r, "docs/foo.3");
    expect(findingsOf(r, "other-file-changed")).toEqual(["low docs/foo.3"]);
  });
  it("a version that is not the release's, or a date that is not a date, is not a stamp", async () => {
    for (const th of ['.TH foo 3 "January 02, 2023" "libcurl 9.9.9" "libcurl Manual"', '.TH foo 3 "soon" "libcurl 1.0" "libcurl Manual"', '.TH foo 3 "January 32, 2023" "libcurl 1.0" "libcurl Manual"']) {
      const r = await runScenario({ git: base, tarball: { ...base, "docs/foo.3": page(th) } });
      notAStamp(r, "docs/foo.3");
    }
  });
  it("a line added after .TH that is not empty is not a stamp", async () => {
    const r = await runScenario({ git: base, tarball: { ...base, "docs/foo.3": page(`${STAMPED}\n.pso sh -c 'id'`) } });
    notAStamp(r, "docs/foo.3");
  });
});

describe("manpage-stamp: evasion", () => {
  it("a .TH line carrying a roff escape (\\X device control, \\* string, \\n register) is not a stamp", async () => {
    for (const th of [
      ".TH foo 3 \"January 02, 2023\" \"libcurl 1.0\\X'ps: exec'\" \"libcurl Manual\"",
      '.TH foo 3 "January 02, 2023\\*(Ev" "libcurl 1.0" "libcurl Manual"',
      '.TH foo 3 "January 02, 2023" "libcurl 1.0" "libcurl Manual" \\" .sy id',
    ]) {
      const r = await runScenario({ git: base, tarball: { ...base, "docs/foo.3": page(th) } });
      notAStamp(r, "docs/foo.3");
      // Not accepted by shape either: a .TH line with an escape is never a stamp.
      expect(findingsOf(r, "other-file-changed")).toEqual(["low docs/foo.3"]);
    }
  });
  it("a changed title, section or manual name is not a stamp", async () => {
    for (const th of [
      '.TH evil 3 "January 02, 2023" "libcurl 1.0" "libcurl Manual"',
      '.TH foo 8 "January 02, 2023" "libcurl 1.0" "libcurl Manual"',
      '.TH foo 3 "January 02, 2023" "libcurl 1.0" "Evil Manual"',
      '.TH foo 3 "January 02, 2023" "libcurl 1.0" "libcurl Manual" extra',
      '.TH  foo 3 "January 02, 2023" "libcurl 1.0" "libcurl Manual"',
    ]) {
      const r = await runScenario({ git: base, tarball: { ...base, "docs/foo.3": page(th) } });
      notAStamp(r, "docs/foo.3");
    }
  });
  it("a file that is not a roff page is not a stamp, whatever its name", async () => {
    const script = (th: string) => `#!/bin/sh\n.TH() { eval "$4"; }\n${th}\n.SH NAME\n`;
    const git = { ...base, "docs/run.1": script('.TH x 1 "2020-01-01" "x 0.9"'), "tools/mkman.sh": script('.TH x 1 "2020-01-01" "x 0.9"') };
    const r = await runScenario({ git, tarball: { ...git, "docs/run.1": script('.TH x 1 "2023-01-01" "x 1.0"'), "tools/mkman.sh": script('.TH x 1 "2023-01-01" "x 1.0"') } });
    notAStamp(r, "docs/run.1");
    notAStamp(r, "tools/mkman.sh");
    // A page whose .TH has no section heading after it is not a man page either.
    const g2 = { ...base, "docs/x.1": '.TH x 1 "2020-01-01" "x 0.9"\nsome text\n' };
    const r2 = await runScenario({ git: g2, tarball: { ...g2, "docs/x.1": '.TH x 1 "2023-01-01" "x 1.0"\nsome text\n' } });
    notAStamp(r2, "docs/x.1");
  });
  it("bytes are compared as bytes: swapping one invalid UTF-8 byte for another is a change", async () => {
    const withByte = (th: string, b: number) => Buffer.concat([Buffer.from(page(th, "foo \\- ")), Buffer.from([b]), Buffer.from("\n.SH DESCRIPTION\n")]);
    const git = { ...base, "docs/foo.3": withByte(GIT_TH, 0xff) };
    const r = await runScenario({ git, tarball: { ...git, "docs/foo.3": withByte(STAMPED, 0xfe) } });
    expect(explained(r, "docs/foo.3")).not.toBe("manpage-stamp");
    expect(findingsOf(r, "manpage-stamp")).toEqual([]);
  });
});

describe("manpage-stamp: field parsing", () => {
  it("splits .TH arguments as troff does and refuses escapes", () => {
    expect(thArguments('.TH a 1 "x y" "say ""hi""" z')!.map((a) => a.value)).toEqual(["a", "1", "x y", 'say "hi"', "z"]);
    expect(thArguments('.TH a 1 "x"y')).toBeNull();
    expect(thArguments(".TH a 1 \\fB")).toBeNull();
    expect(thArguments(".THX a 1")).toBeNull();
    expect(thArguments("'TH a 1")).toBeNull();
  });
  it("knows dates", () => {
    for (const d of ["2023-02-19", "February 19 2023", "January 02, 2023", "19 Feb 2023", "February 2023", "Sept 9, 2021"]) expect(isDate(d), d).toBe(true);
    for (const d of ["2023-13-01", "Feb 40 2023", "19 Feb 1900", "tomorrow", "2023", "Feb 19 2023; rm"]) expect(isDate(d), d).toBe(false);
  });
  it("says why a pair is not a stamp", () => {
    expect(thStamp(page(GIT_TH), page(STAMPED), ["1.0"])).toMatchObject({ line: 4, blankAdded: false });
    expect(thStamp(page(GIT_TH), page(STAMPED) + "x\n", ["1.0"])).toBe("a line other than one blank line after .TH was added");
    expect(thStamp(`x\n${page(GIT_TH)}`, `x\n${page(STAMPED)}`, ["1.0"])).toBe("git's page has a line that is not a roff comment before .TH");
    // The release version comes from the tarball's name too: a name that is not a plain version stamps nothing.
    expect(thStamp(page(GIT_TH), page('.TH foo 3 "January 02, 2023" "libcurl 1.0 x" "libcurl Manual"'), ["1.0 x"])).toMatch(/is not the release's version/);
  });
});

describe("CLI on a stamped release", () => {
  const CLI = join(import.meta.dirname, "..", "dist", "cli", "main.js");
  const run = (...args: string[]) => {
    const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };
  let repo: string;
  let tarball: string;
  beforeAll(async () => {
    const dir = tmp();
    const git: Record<string, string> = { "src/a.c": "int a;\n" };
    const tar: Record<string, string> = { ...git };
    for (let i = 0; i < 40; i++) {
      git[`docs/p${i}.3`] = page(`.TH p${i} 3 "19 Sep 2014" "libcurl 7.38.0" "libcurl Manual"`);
      tar[`docs/p${i}.3`] = page(`.TH p${i} 3 "January 02, 2023" "libcurl 1.0" "libcurl Manual"\n`);
    }
    // One page whose stamp hides another change: it stays a finding of its own.
    git["docs/bad.3"] = page('.TH bad 3 "19 Sep 2014" "libcurl 7.38.0" "libcurl Manual"');
    tar["docs/bad.3"] = page('.TH bad 3 "January 02, 2023" "libcurl 1.0" "libcurl Manual"', "bad \\- changed\n");
    repo = join(dir, "repo");
    makeRepo(repo, [{ files: git, tag: "v1.0" }]);
    tarball = join(dir, "pkg-1.0.tar.gz");
    await makeTarball(tarball, { root: "pkg-1.0", files: tar });
  });
  it("text: one info line with the count; the other change stays low; exit 0 under the default gate", () => {
    const r = run("audit", tarball, "--repo", repo);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^ {2}\[manpage-stamp\] docs\/: 40 man page\(s\) differ from git only in the date and version/m);
    expect(r.out.match(/manpage-stamp/g)).toHaveLength(2); // the summary row and the one info line
    expect(r.out).toContain("docs/bad.3  [other-file-changed]");
    expect(r.out).not.toContain("docs/p7.3");
    expect(r.out).toContain("Result: 0 high, 0 medium, 1 low, 1 info.");
    const v = run("audit", tarball, "--repo", repo, "--verbose");
    for (let i = 0; i < 40; i++) expect(v.out).toContain(`| docs/p${i}.3: .TH line 4: date "19 Sep 2014" → "January 02, 2023"`);
    expect(run("audit", tarball, "--repo", repo, "--fail-on", "info").code).toBe(1);
  });
  it("JSON, SARIF and Markdown carry the one grouped finding", () => {
    const j = JSON.parse(run("audit", tarball, "--repo", repo, "--format", "json").out) as AuditResult;
    expect(j.findings.filter((f) => f.rule === "manpage-stamp")).toHaveLength(1);
    expect(j.changes.filter((c) => c.explainedBy?.profile === "manpage-stamp")).toHaveLength(40);
    const s = JSON.parse(run("audit", tarball, "--repo", repo, "--format", "sarif").out);
    const res = s.runs[0].results.filter((x: { ruleId: string }) => x.ruleId === "manpage-stamp");
    expect(res).toHaveLength(1);
    expect(res[0].message.text).toMatch(/^40 man page/);
    const md = run("audit", tarball, "--repo", repo, "--format", "markdown").out;
    expect(md.match(/\n- \[manpage-stamp\]\([^)]*\) `docs\/`: 40 man page\(s\)/g)).toHaveLength(1);
  });
});

describe("generated-source names the generator the header names", () => {
  it("credits curl.1 to gen.pl, not to a curl.py elsewhere in the tree", async () => {
    const git = {
      "src/a.c": "int a;\n",
      // Named by a build file, but not as a rule's target: only the header says how it is made.
      "docs/Makefile.am": "man_MANS = curl.1\n",
      "docs/cmdline-opts/gen.pl": "print 1;\n",
      "tests/http/testenv/curl.py": "pass\n",
    };
    const man = '.\\"\n.\\" DO NOT EDIT. Generated by the curl project gen.pl man page generator.\n.\\"\n.TH curl 1 "February 19 2023" "curl 1.0" "curl Manual"\n.SH NAME\ncurl\n';
    const r = await runScenario({ git, tarball: { ...git, "docs/curl.1": man } });
    const e = r.changes.find((c) => c.path === "docs/curl.1")!.explainedBy!;
    expect(e).toMatchObject({ profile: "generated-source", trust: "unverified" });
    expect(e.reason).toContain("generated by gen.pl (docs/cmdline-opts/gen.pl is in git)");
    // A header whose phrase names no file of the tree is judged as before (and stays unverified).
    const r2 = await runScenario({ git, tarball: { ...git, "docs/curl.1": man.replace("gen.pl", "other.pl") } });
    expect(r2.changes.find((c) => c.path === "docs/curl.1")!.explainedBy?.reason).not.toContain("gen.pl");
    // With the make rule in git (curl's own docs/Makefile.am), the declaration is the evidence.
    const ruled = { ...git, "docs/Makefile.am": "man_MANS = curl.1\ncurl.1: cmdline-opts/gen.pl\n\tperl cmdline-opts/gen.pl mainpage > curl.1\n" };
    const r3 = await runScenario({ git: ruled, tarball: { ...ruled, "docs/curl.1": man } });
    expect(r3.changes.find((c) => c.path === "docs/curl.1")!.explainedBy?.reason).toBe("docs/Makefile.am:2 declares it as a build output (make rule)");
  });
});
