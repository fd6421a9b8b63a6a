/**
 * Clean control: an ordinary autotools release. The tarball adds what `make dist` adds
 * (configure, Makefile.in, aclocal.m4, config.h.in, build-aux helpers, a gettext macro,
 * compiled .gmo catalogs, a ChangeLog from git history) and drops git housekeeping.
 * distvet must explain every difference: no high or medium finding.
 */
import { defineSample } from "../lib/sample.js";
import type { Files } from "../lib/fixture.js";
import { aclocalM4, compiledCatalog, configHIn, configureScript, makefileIn, upstreamGettextM4, upstreamHelpers } from "../lib/autotools-shapes.js";

const git: Files = {
  "configure.ac": `AC_INIT([hello], [2.12], [bug@example.org])\nAC_CONFIG_AUX_DIR([build-aux])\nAC_CONFIG_MACRO_DIR([m4])\nAC_CONFIG_HEADERS([config.h])\nAM_INIT_AUTOMAKE([foreign])\nAM_GNU_GETTEXT([external])\nAC_CONFIG_FILES([Makefile src/Makefile])\nAC_OUTPUT\n`,
  "Makefile.am": "SUBDIRS = src po\n",
  "src/Makefile.am": "bin_PROGRAMS = hello\nhello_SOURCES = hello.c\n",
  "src/hello.c": '#include <stdio.h>\nint main(void) { puts("Hello, world!"); return 0; }\n',
  "po/POTFILES.in": "src/hello.c\n",
  "po/de.po": 'msgid ""\nmsgstr ""\n"Project-Id-Version: hello 2.12\\n"\n"Content-Type: text/plain; charset=UTF-8\\n"\n\nmsgid "Hello, world!"\nmsgstr "Hallo, Welt!"\n',
  "README": "GNU-style hello, a distvet sample.\n",
  ".gitignore": "*.o\n/configure\nMakefile.in\n",
  ".github/workflows/ci.yml": "on: push\njobs: {}\n",
  "m4/.gitignore": "gettext.m4\n",
};

const tarball: Files = { ...git };
delete tarball[".gitignore"];
delete tarball[".github/workflows/ci.yml"];

export default defineSample({
  name: "clean-autotools",
  description: "an ordinary autotools release: every difference from git is generated and explained",
  history: [{ files: git, message: "Release 2.12", tag: "v2.12", annotated: true }],
  tarballName: "hello-2.12.tar.gz",
  root: "hello-2.12",
  tarball: {
    ...tarball,
    configure: { content: configureScript("hello", "2.12"), mode: 0o755 },
    "Makefile.in": makefileIn(""),
    "src/Makefile.in": makefileIn("src/"),
    "aclocal.m4": aclocalM4(Object.keys(upstreamGettextM4())),
    "config.h.in": configHIn,
    ...upstreamHelpers(),
    ...upstreamGettextM4(),
    "po/de.gmo": compiledCatalog(git["po/de.po"] as string),
    ChangeLog: "2024-02-24  Sample Maintainer  <maintainer@example.org>\n\n\tRelease 2.12\n",
  },
});
