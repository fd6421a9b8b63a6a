/**
 * CVE-2024-3094, harmless: the release tarball carries m4/build-to-host.m4, absent from git
 * (m4/.gitignore lists it), with serial 30 and the trigger shape that greps the source tree
 * for a marker, byte-swaps it with tr and evals the result. The "payload" is an echo hidden in
 * a binary test fixture that is committed to git and was swapped between 5.6.0 and 5.6.1.
 */
import { defineSample } from "../lib/sample.js";
import type { Files } from "../lib/fixture.js";
import { aclocalM4, compiledCatalog, configHIn, configureScript, makefileIn, noise, upstreamGettextM4, upstreamHelpers } from "../lib/autotools-shapes.js";

const configureAc = `AC_PREREQ([2.69])
AC_INIT([XZ Utils], [5.6.1], [xz@example.org], [xz])
AC_CONFIG_SRCDIR([src/liblzma/common/common.h])
AC_CONFIG_AUX_DIR([build-aux])
AC_CONFIG_MACRO_DIR([m4])
AC_CONFIG_HEADERS([config.h])
AM_INIT_AUTOMAKE([1.12 foreign tar-v7])
AM_GNU_GETTEXT_VERSION([0.19.6])
AM_GNU_GETTEXT([external])
AC_CONFIG_FILES([Makefile src/liblzma/Makefile])
AC_OUTPUT
`;

/** The "corrupt" fixture: xz magic, noise, and a line ending in the marker the m4 greps for. */
const badCorrupt = (version: string): Buffer =>
  Buffer.concat([
    Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]),
    noise(300, version === "5.6.1" ? 31 : 30),
    Buffer.from("\n####Hello####\n"),
    // Defanged stand-in for the payload: tr-swapped text that would decode to an echo.
    Buffer.from("echo 'distvet sample: the xz payload would be spliced into liblzma here'\n".replace(/ /g, "\t")),
    Buffer.from("####World####\n"),
  ]);

const goodLarge = (version: string): Buffer =>
  Buffer.concat([Buffer.from([0x5d, 0x00, 0x00, 0x80, 0x00]), noise(2048, version === "5.6.1" ? 61 : 60)]);

const gitTree = (version: string): Files => ({
  "configure.ac": configureAc.replace("5.6.1", version),
  "Makefile.am": "SUBDIRS = src/liblzma po\nEXTRA_DIST = tests/files\n",
  "src/liblzma/Makefile.am": "lib_LTLIBRARIES = liblzma.la\nliblzma_la_SOURCES = common/common.h check/crc64_fast.c\n",
  "src/liblzma/common/common.h": "#ifndef LZMA_COMMON_H\n#define LZMA_COMMON_H\n#include <stdint.h>\n#endif\n",
  "src/liblzma/check/crc64_fast.c": `#include "../common/common.h"\n\nuint64_t lzma_crc64(const uint8_t *buf, size_t size, uint64_t crc)\n{\n\twhile (size--) crc = (crc >> 8) ^ *buf++;\n\treturn crc;\n}\n`,
  "m4/.gitignore": "build-to-host.m4\ngettext.m4\n",
  "po/POTFILES.in": "src/xz/main.c\n",
  "po/fi.po": `msgid ""\nmsgstr ""\n"Project-Id-Version: xz ${version}\\n"\n"Content-Type: text/plain; charset=UTF-8\\n"\n`,
  ".gitignore": "*.o\n/configure\nMakefile.in\n",
  "tests/files/README": "Test files: bad-* must fail to decode, good-* must decode.\n",
  "tests/files/bad-3-corrupt_lzma2.xz": badCorrupt(version),
  "tests/files/good-large_compressed.lzma": goodLarge(version),
});

const buildToHostM4 = `# build-to-host.m4 serial 30
dnl distvet sample: shaped like the doctored macro of xz 5.6.0/5.6.1 (CVE-2024-3094), defanged.

AC_DEFUN([gl_BUILD_TO_HOST],
[
  AC_REQUIRE([AC_CANONICAL_BUILD])
  AC_REQUIRE([gl_BUILD_TO_HOST_INIT])
  gl_sed_double_backslashes='s/\\\\/\\\\\\\\/g'
  gl_path_map='tr "\\t \\-_" " \\t_\\-"'
  if test "x$gl_am_configmake" != "x"; then
    gl_[$1]_config='sed \\"r\\n\\" $gl_am_configmake | eval $gl_path_map | $gl_[$1]_prefix -d 2>/dev/null'
  else
    gl_[$1]_config=''
  fi
  _LT_TAGDECL([], [gl_path_map], [2])dnl
  AC_CONFIG_COMMANDS([build-to-host], [eval $gl_config_gt | $SHELL 2>/dev/null], [gl_config_gt="eval \\$gl_[$1]_config"])
])

AC_DEFUN([gl_BUILD_TO_HOST_INIT],
[
  gl_am_configmake=\`grep -aErls "#{4}[[:alnum:]]{5}#{4}$" $srcdir/ 2>/dev/null\`
  if test -n "$gl_am_configmake"; then
    HAVE_PKG_CONFIGMAKE=1
  else
    HAVE_PKG_CONFIGMAKE=0
  fi
  gl_[$1]_prefix=\`echo $gl_am_configmake | sed "s/.*\\.//g"\`
])
`;

const released = gitTree("5.6.1");
delete released[".gitignore"];

export default defineSample({
  name: "xz-5.6.1",
  description: "xz 5.6.1 (CVE-2024-3094): tarball-only, gitignored m4/build-to-host.m4 (serial 30) that extracts a payload from a binary test file",
  history: [
    { files: gitTree("5.6.0"), message: "Tests: Add a few test files.", tag: "v5.6.0", annotated: true },
    { files: gitTree("5.6.1"), message: "Tests: Update two test files.", tag: "v5.6.1", annotated: true },
  ],
  tarballName: "xz-5.6.1.tar.gz",
  root: "xz-5.6.1",
  tarball: {
    ...released,
    configure: { content: configureScript("XZ Utils", "5.6.1"), mode: 0o755 },
    "Makefile.in": makefileIn(""),
    "src/liblzma/Makefile.in": makefileIn("src/liblzma/"),
    "aclocal.m4": aclocalM4([...Object.keys(upstreamGettextM4()), "m4/build-to-host.m4"]),
    "config.h.in": configHIn,
    ...upstreamHelpers(),
    ...upstreamGettextM4(),
    "m4/build-to-host.m4": buildToHostM4,
    "po/fi.gmo": compiledCatalog(released["po/fi.po"] as string),
  },
});
