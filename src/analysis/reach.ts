/**
 * Which makefiles the build reaches. A distro build runs `./configure && make` (or cmake/meson)
 * from the top directory; make reaches another makefile only when something it runs names that
 * directory or file (SUBDIRS, `$(MAKE) -C dir`, `cd dir && $(MAKE)`, `include x.mk`). So a
 * makefile is reached when a reached build file names it or its directory, starting from the
 * top directory's build files. Names are matched as words against the paths that exist, relative
 * to the naming file's directory and to the top, which over-approximates what make would do
 * (a word in a comment counts): a makefile nothing names is never run by the build.
 *
 * Used only to say that a tarball-only makefile is inert, never to explain a file.
 */
import { posix } from "node:path";
import type { AuditContext } from "../context.js";
import { perAudit } from "../context.js";
import { isBuildScript } from "../content/kinds.js";

const ENTRY = /^(Makefile(\..+)?|GNUmakefile|makefile|CMakeLists\.txt|meson\.build|.+\.mk)$/;
const PREFIX = /^(\$[({](top_)?(srcdir|builddir|abs_srcdir|abs_top_srcdir)[)}]|@(top_)?srcdir@|\$[({]CMAKE_(CURRENT_)?SOURCE_DIR[)}]|\.)\/+/;

function hasLongLine(text: string, max: number): boolean {
  for (let start = 0; start < text.length; ) {
    const nl = text.indexOf("\n", start);
    const end = nl < 0 ? text.length : nl;
    if (end - start > max) return true;
    start = end + 1;
  }
  return false;
}

/** Directory and makefile paths tested against computed operands, in all, per audit. */
const REACH_WORK_LIMIT = 20_000_000;

type System = "make" | "cmake" | "meson";
const systemOf = (p: string): System => {
  const b = posix.basename(p);
  return b === "CMakeLists.txt" || b.endsWith(".cmake") ? "cmake" : b === "meson.build" || b === "meson_options.txt" || b === "meson.options" ? "meson" : "make";
};

/** Scripts a shell runs, as opposed to makefiles (configure included: it is a shell script). */
const isShellScript = (p: string): boolean => /\.(sh|bash)$/.test(p) || /^(configure|autogen\.sh|bootstrap)$/.test(posix.basename(p));

export interface Reach {
  files: Set<string>;
  dirs: Set<string>;
  /** Build files that could not be read (too large, binary): the closure stops there. */
  unread: string[];
}

export const buildReach = perAudit(async (ctx: AuditContext): Promise<Reach> => {
  const paths = new Set<string>([...ctx.tar.keys(), ...ctx.tree.keys()]);
  const dirs = new Set<string>([""]);
  for (const p of paths) for (let d = posix.dirname(p); d !== "." && !dirs.has(d); d = posix.dirname(d)) dirs.add(d);
  const children = new Map<string, string[]>();
  for (const p of paths) {
    const d = posix.dirname(p) === "." ? "" : posix.dirname(p);
    if (!children.has(d)) children.set(d, []);
    children.get(d)!.push(p);
  }
  // Directories by each path component, for words that are partly computed ("$(D)/pdf").
  const byComponent = new Map<string, string[]>();
  for (const d of dirs) for (const c of d.split("/")) {
    if (!byComponent.has(c)) byComponent.set(c, []);
    byComponent.get(c)!.push(d);
  }
  const reach: Reach = { files: new Set(), dirs: new Set(), unread: [] };
  const entries = [...paths].filter((p) => ENTRY.test(posix.basename(p)));
  let work = 0;
  const queue: string[] = [];
  const reachFile = (p: string): void => {
    if (reach.files.has(p)) return;
    reach.files.add(p);
    if (isBuildScript(p) || ENTRY.test(posix.basename(p))) queue.push(p);
  };
  // Naming a directory reaches the entry files of the build system doing the naming: CMake's
  // add_subdirectory runs CMakeLists.txt, not a Makefile (INSTALL(DIRECTORY doc/pdf) runs
  // nothing), unless the CMake or meson file itself runs make.
  const reachedAs = new Set<string>();
  const reachDir = (d: string, system: System): void => {
    if (reachedAs.has(`${system}\0${d}`)) return;
    reachedAs.add(`${system}\0${d}`);
    reach.dirs.add(d);
    for (const p of children.get(d) ?? []) if (ENTRY.test(posix.basename(p)) && (system === "make" || systemOf(p) === system)) reachFile(p);
  };
  reachDir("", "make");
  reachDir("", "cmake");
  reachDir("", "meson");
  for (const p of children.get("") ?? []) if (isBuildScript(p)) reachFile(p);
  while (queue.length > 0) {
    const f = queue.pop()!;
    const text = ctx.tar.has(f) ? await ctx.fileText(f) : await ctx.gitText(f);
    // Unread, or with a line too long to match operands on in linear time: the closure cannot
    // be trusted, so no makefile is said to be unreached.
    if (text === null || hasLongLine(text, 16384)) {
      reach.unread.push(f);
      continue;
    }
    const here = posix.dirname(f) === "." ? "" : posix.dirname(f);
    const own = systemOf(f);
    // Comments run nothing ("# Set the Build type for make based generators").
    const code = text.replace(/(^|[ \t])#.*$/gm, "$1");
    // A shell script or a CMake/meson file reaches a named directory's makefile only if it runs make.
    const runsMake = own === "make" && !isShellScript(f) ? true : /\b(g?make|MAKE|CMAKE_MAKE_PROGRAM)\b/.test(code);
    const reachNamedDir = (d: string): void => {
      if (runsMake) reachDir(d, "make");
      if (own !== "make") reachDir(d, own);
      else reach.dirs.add(d);
    };
    for (const raw of computedOperands(code)) {
      // "doc/${X}df" may name any directory matching doc/*df (relative to here or the top).
      const pieces = raw.replace(/^["']|["']$/g, "").replace(PREFIX, "").split(VAR_REF);
      if (pieces.every((p) => p.replace(/[./]/g, "") === "")) continue; // "$ac_dir": any directory at all
      // Bounded: many computed operands over a huge tree, or one with many pieces, give up on
      // proving anything unreached rather than spend unbounded time.
      work += dirs.size + entries.length;
      if (work > REACH_WORK_LIMIT || pieces.length > 8) {
        reach.unread.push(f);
        break;
      }
      const body = pieces.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join(".*").replace(/^\/+|\/+$/g, "");
      const pattern = new RegExp(`(^|/)${body}$`);
      for (const d of dirs) if (d && pattern.test(d)) reachNamedDir(d);
      for (const p of entries) if (pattern.test(p)) reachFile(p);
    }
    const seen = new Set<string>();
    for (const raw of code.split(/[\s"'`=;:,(){}[\]<>|&]+/)) {
      if (!raw || raw.length > 300 || seen.has(raw)) continue;
      seen.add(raw);
      if (raw.includes("$")) continue; // computed names: see the operands below
      const w = raw.replace(PREFIX, "").replace(/\/+$/, "");
      if (!w || w.startsWith("/")) continue;
      for (const base of here ? [here, ""] : [""]) {
        const p = posix.normalize(base ? `${base}/${w}` : w);
        if (p.startsWith("..")) continue;
        if (dirs.has(p)) reachNamedDir(p);
        else if (paths.has(p)) reachFile(p);
      }
    }
  }
  return reach;
});

const VAR_REF = /\$\([^)]*\)?|\$\{[^}]*\}?|\$\$?\w*|\$./;

/**
 * Operands of what changes into a directory or reads another makefile: `cd X`, `make -C X`,
 * `-f X`, `include X`, `add_subdirectory(X)`, `subdir('X')`. Only there does a partly computed
 * name ("$(D)/pdf") matter, so only there are its literal pieces matched against directories.
 */
const OPERANDS = [
  /(?:^|[\s;&|(`{])(?:cd|pushd|chdir)\s+["']?((?:\$[({][^)}]*[)}]|[^\s;&|)"'])+)/g,
  // make's own options, on a make command ("test -f $$d/x" and "tar -C dir" are not make).
  /(?:\bg?make|\$\(MAKE\)|\$\{MAKE\}|\$MAKE)\b[^\n;&|]*?\s(?:-C|--directory=?|-f|--file=?|--makefile=?)\s*["']?((?:\$[({][^)}]*[)}]|[^\s;&|)"'])+)/g,
  /^[ \t]*[-s]?include[ \t]+([^\n]+)/gm,
  /\b(?:add_subdirectory|subdir|subdir_done|include)\s*\(\s*["']?([^\s)"',]+)/gi,
];

export function computedOperands(code: string): string[] {
  const out: string[] = [];
  for (const re of OPERANDS) for (const m of code.matchAll(re)) for (const w of m[1]!.split(/\s+/)) if (w.includes("$")) out.push(w);
  return out;
}

/** A tarball makefile the build never runs: no reached build file names it or its directory. */
export async function unreachedMakefile(ctx: AuditContext, path: string): Promise<boolean> {
  if (!/^(Makefile|GNUmakefile|makefile)$|\.mk$/.test(posix.basename(path))) return false;
  const r = await buildReach(ctx);
  return r.unread.length === 0 && !r.files.has(path);
}
