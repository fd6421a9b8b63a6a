import { posix } from "node:path";

/**
 * Path-based roles. These decide *which rule* speaks about a change (build script, source, …);
 * whether a file is binary is always decided from its bytes.
 */

const BUILD_BASENAMES = new Set([
  "configure", "configure.ac", "configure.in", "aclocal.m4", "acinclude.m4", "Makefile", "GNUmakefile", "makefile",
  "Makefile.am", "Makefile.in", "ltmain.sh", "libtool", "config.guess", "config.sub", "install-sh", "depcomp", "missing",
  "compile", "test-driver", "ar-lib", "mkinstalldirs", "ylwrap", "mdate-sh", "py-compile", "config.rpath", "autogen.sh",
  "bootstrap", "bootstrap.sh", "CMakeLists.txt", "meson.build", "meson_options.txt", "meson.options", "setup.py",
  "setup.cfg", "pyproject.toml", "package.json", "SConstruct", "SConscript", "Makefile.PL", "Build.PL", "build.rs",
  "Cargo.toml", "build.gradle", "build.gradle.kts", "pom.xml", "Rakefile", "Gemfile", "wscript", "Jamfile", "BUILD",
  "BUILD.bazel", "WORKSPACE", "binding.gyp", "Kbuild", "Kconfig", "Makefile.in.in",
]);
const BUILD_EXTENSIONS = new Set(["m4", "ac", "am", "cmake", "mk", "mak", "make", "sh", "bash", "gyp", "gypi", "bzl", "ninja", "spec"]);

const SOURCE_EXTENSIONS = new Set([
  "c", "h", "cc", "cpp", "cxx", "c++", "hh", "hpp", "hxx", "h++", "inl", "ipp", "s", "S", "asm", "m", "mm", "go", "rs",
  "py", "pyx", "pxd", "pyi", "js", "mjs", "cjs", "jsx", "ts", "mts", "cts", "tsx", "java", "kt", "kts", "scala", "rb",
  "pl", "pm", "t", "php", "cgi", "lua", "swift", "cs", "fs", "vb", "zig", "nim", "d", "hs", "ml", "mli", "erl", "ex",
  "exs", "clj", "tcl", "awk", "sed", "ps1", "bat", "cmd", "vbs", "el", "scm", "lisp", "r", "R", "jl", "dart", "v",
  "vhd", "vhdl", "sv", "cu", "cl", "glsl", "wgsl", "sql", "y", "yy", "l", "ll", "def", "sym", "map", "ld", "lds",
  "in", "service", "rules", "pc", "desktop", "policy",
]);

const ext = (p: string): string => {
  const b = posix.basename(p);
  const i = b.lastIndexOf(".");
  return i > 0 ? b.slice(i + 1) : "";
};

/** Runs at build or install time: autotools, CMake, meson, make, shell, Python/npm build metadata. */
export function isBuildScript(path: string): boolean {
  const base = posix.basename(path);
  if (BUILD_BASENAMES.has(base)) return true;
  if (/^(Makefile|makefile|GNUmakefile)\..+/.test(base)) return true;
  if (/^(config\.status|config\.h\.in)$/.test(base)) return false;
  if (/(^|\/)build-aux\//.test(path) && !/\.(txt|md)$/.test(base)) return true;
  if (/(^|\/)debian\/rules$/.test(path)) return true;
  return BUILD_EXTENSIONS.has(ext(path));
}

/** Ships as code (compiled or interpreted). `.in` templates count: they become code or config at build time. */
export function isSource(path: string, content?: Uint8Array): boolean {
  if (SOURCE_EXTENSIONS.has(ext(path))) return true;
  if (content && content.length > 2 && content[0] === 0x23 && content[1] === 0x21) return true; // "#!" script
  return false;
}

export function isM4(path: string): boolean {
  return path.endsWith(".m4");
}

/** Paths that name a test fixture. Used only for context in messages: never to lower a severity. */
export function looksLikeTestPath(path: string): boolean {
  return /(^|\/)(tests?|testdata|test-data|fixtures?|testsuite|t|spec|__tests__|samples?)(\/|$)/i.test(path);
}
