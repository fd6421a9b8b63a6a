/**
 * The evasion suite through the whole audit: a payload spelled to dodge line patterns, inside a
 * file the profiles explain as generated (configure beside configure.ac, Makefile.in beside
 * Makefile.am), must still be a high build-script-suspicious-pattern finding.
 */
import { describe, it, expect } from "vitest";
import { findingsOf, runScenario } from "./helpers.js";
import { configureScript, makefileIn } from "../samples/lib/autotools-shapes.js";

const git = {
  "configure.ac": "AC_INIT([pkg], [1.0])\nAM_INIT_AUTOMAKE\nAC_PROG_CC\nAC_CONFIG_FILES([Makefile])\nAC_OUTPUT\n",
  "Makefile.am": "bin_PROGRAMS = pkg\npkg_SOURCES = main.c\n",
  "main.c": "int main(void) { return 0; }\n",
  "tests/files/good-1.xz": "not really xz, but a test file\n",
};

const withConfigure = (extra: string) => {
  const base = configureScript("pkg", "1.0");
  const lines = base.split("\n");
  lines.splice(Math.floor(lines.length / 2), 0, extra);
  return { ...git, configure: { content: lines.join("\n"), mode: 0o755 }, "Makefile.in": makefileIn("") };
};

describe("evasion through the audit", () => {
  it("configure: renamed variables, \\-continuation and a variable-held tr map", async () => {
    const payload = ["pm_m='tr \"\\t \\-_\" \" \\t_\\-\"'", "pm_f=`grep -aErls \"####x####\" $srcdir/ 2>/dev/null`", "sed \"r\\n\" $pm_f \\", "  | eval $pm_m \\", "  | xz -d 2>/dev/null | $SHELL"].join("\n");
    const r = await runScenario({ git, tarball: withConfigure(payload) });
    expect(findingsOf(r, "build-script-suspicious-pattern")).toEqual(["high configure"]);
  });

  it("configure: printf-octal eval of a test file after 5000 characters of padding", async () => {
    const payload = `: ${"z".repeat(5000)}; e=$(printf '\\145\\166\\141\\154'); $e "$(xz -dc $srcdir/tests/files/good-1.xz)"`;
    const r = await runScenario({ git, tarball: withConfigure(payload) });
    expect(findingsOf(r, "build-script-suspicious-pattern")).toEqual(["high configure"]);
  });

  it("Makefile.in: a recipe that pipes a test file into the shell through make variables", async () => {
    const mk = `${makefileIn("")}\nFX = $(srcdir)/tests/files\nall-local:\n\tcat $(FX)/good-1.xz | $(SHELL)\n`;
    const r = await runScenario({ git, tarball: { ...git, configure: { content: configureScript("pkg", "1.0"), mode: 0o755 }, "Makefile.in": mk } });
    expect(findingsOf(r, "build-script-suspicious-pattern")).toEqual(["high Makefile.in"]);
  });

  it("stock-shaped generated files alone give no finding", async () => {
    const r = await runScenario({ git, tarball: { ...git, configure: { content: configureScript("pkg", "1.0"), mode: 0o755 }, "Makefile.in": makefileIn("") } });
    expect(findingsOf(r, "build-script-suspicious-pattern")).toEqual([]);
  });
});
