/** A small autotools C project shared by the C-incident samples; only what each incident touches differs. */
import type { Files } from "./fixture.js";
import { aclocalM4, configHIn, configureScript, makefileIn, upstreamHelpers } from "./autotools-shapes.js";

export function cProject(name: string, version: string, sources: Record<string, string>): { git: Files; tarball: Files } {
  const srcList = Object.keys(sources).map((p) => p.replace(/^src\//, "")).join(" ");
  const git: Files = {
    "configure.ac": `AC_INIT([${name}], [${version}])\nAC_CONFIG_AUX_DIR([build-aux])\nAC_CONFIG_HEADERS([config.h])\nAM_INIT_AUTOMAKE([foreign])\nAC_PROG_CC\nAC_CONFIG_FILES([Makefile src/Makefile])\nAC_OUTPUT\n`,
    "Makefile.am": "SUBDIRS = src\n",
    "src/Makefile.am": `bin_PROGRAMS = ${name}\n${name}_SOURCES = ${srcList}\n`,
    README: `${name} ${version}\n`,
    ...sources,
  };
  const tarball: Files = {
    ...git,
    configure: { content: configureScript(name, version), mode: 0o755 },
    "Makefile.in": makefileIn(""),
    "src/Makefile.in": makefileIn("src/"),
    "aclocal.m4": aclocalM4([]),
    "config.h.in": configHIn,
    ...upstreamHelpers(),
  };
  return { git, tarball };
}
