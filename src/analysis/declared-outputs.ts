/**
 * Files the tagged tree's own build files declare as *outputs*: targets of make rules with a
 * recipe, BUILT_SOURCES / *CLEANFILES / nodist_*_SOURCES, AC_CONFIG_FILES outputs, CMake
 * `add_custom_command(OUTPUT …)` / `configure_file(… out)`, meson `output:`. The declaration is
 * read from git, so the tarball author cannot add one; what the tarball ships under a declared
 * name is still unverified (only a regeneration can prove its bytes) and is analysed in full.
 */
import { posix } from "node:path";
import type { AuditContext } from "../context.js";
import { perAudit } from "../context.js";
import { isBinary } from "../content/classify.js";

export interface Declaration {
  /** The git file that declares the output. */
  by: string;
  /** 1-based line in that file. */
  line: number;
  /** How it is declared: "make rule", "BUILT_SOURCES", "AC_CONFIG_FILES", … */
  how: string;
  /** For AC_CONFIG_FILES: the template config.status fills in. */
  template?: string;
}

const ROOT = "\u0000ROOT\u0000";
const HERE = "\u0000HERE\u0000";
const MAKE_DIR_VARS: Record<string, string> = {
  srcdir: HERE, builddir: HERE, abs_srcdir: HERE, abs_builddir: HERE, ".": HERE,
  top_srcdir: ROOT, top_builddir: ROOT, abs_top_srcdir: ROOT, abs_top_builddir: ROOT,
};
const CMAKE_DIR_VARS: Record<string, string> = {
  CMAKE_CURRENT_BINARY_DIR: HERE, CMAKE_CURRENT_SOURCE_DIR: HERE, CMAKE_CURRENT_LIST_DIR: HERE,
  CMAKE_BINARY_DIR: ROOT, CMAKE_SOURCE_DIR: ROOT, PROJECT_BINARY_DIR: ROOT, PROJECT_SOURCE_DIR: ROOT,
};
/** Automake variables whose words are files the build makes (and may ship). */
const OUTPUT_VARS = /^(BUILT_SOURCES|CLEANFILES|DISTCLEANFILES|MAINTAINERCLEANFILES|nodist_\w+_SOURCES)$/;

/** Resolve one word of a build file to a tree path; null when it is not a plain file name. */
function resolveWord(word: string, dir: string): string | null {
  let w = word.replace(/^["']|["']$/g, "");
  let base = dir;
  if (w.startsWith(ROOT)) {
    base = "";
    w = w.slice(ROOT.length);
  } else if (w.startsWith(HERE)) w = w.slice(HERE.length);
  w = w.replace(/^\/+/, "");
  if (!w || /[$%*?\u0000(){}\[\]]/.test(w)) return null;
  const p = posix.normalize(base ? `${base}/${w}` : w);
  return p.startsWith("..") || p.startsWith("/") || p === "." ? null : p;
}

/** Logical lines of a makefile: `\`-continuations joined, with the 1-based line each starts on. */
function logicalLines(text: string): { text: string; line: number }[] {
  const out: { text: string; line: number }[] = [];
  const raw = text.split("\n");
  for (let i = 0; i < raw.length; i++) {
    const start = i;
    let l = raw[i]!;
    while (l.endsWith("\\") && i + 1 < raw.length) l = `${l.slice(0, -1)} ${raw[++i]!}`;
    out.push({ text: l, line: start + 1 });
  }
  return out;
}

function makeExpand(s: string, vars: Map<string, string>, depth = 0): string {
  if (depth > 8) return s;
  return s.replace(/\$[({]([\w.-]+)[)}]/g, (m, name: string) => {
    if (name in MAKE_DIR_VARS) return MAKE_DIR_VARS[name]!;
    const v = vars.get(name);
    return v === undefined ? m : makeExpand(v, vars, depth + 1);
  }).replace(/@(top_)?(srcdir|builddir)@/g, (_m, top?: string) => (top ? ROOT : HERE));
}

function fromMakefile(path: string, text: string, out: Map<string, Declaration>): void {
  const dir = posix.dirname(path) === "." ? "" : posix.dirname(path);
  const vars = new Map<string, string>();
  const lines = logicalLines(text);
  const uncomment = (s: string): string => s.replace(/(^|\s)#.*$/, "$1");
  for (const { text: l } of lines) {
    if (l.startsWith("\t")) continue;
    const m = /^\s*([A-Za-z_][\w.-]*)\s*(\+=|:=|::=|\?=|=)\s*(.*)$/.exec(uncomment(l));
    if (m) vars.set(m[1]!, m[2] === "+=" ? `${vars.get(m[1]!) ?? ""} ${m[3]!}` : m[3]!);
  }
  const add = (word: string, line: number, how: string): void => {
    const p = resolveWord(word, dir);
    if (p && !out.has(p)) out.set(p, { by: path, line, how });
  };
  // Phony and standard targets name no file.
  const phony = new Set(STANDARD_TARGETS);
  for (const { text: l } of lines) {
    const m = /^\.PHONY\s*:(.*)$/.exec(l);
    if (m) for (const w of makeExpand(m[1]!, vars).split(/\s+/)) if (w) phony.add(w);
  }
  for (let i = 0; i < lines.length; i++) {
    const { text: raw, line } = lines[i]!;
    if (raw.startsWith("\t")) continue;
    const l = uncomment(raw);
    const assign = /^\s*([A-Za-z_][\w.-]*)\s*(\+=|:=|::=|\?=|=)/.exec(l);
    if (assign) {
      if (OUTPUT_VARS.test(assign[1]!)) for (const w of makeExpand(l.slice(assign[0].length), vars).split(/\s+/)) add(w, line, assign[1]!.startsWith("nodist_") ? "nodist sources" : assign[1]!);
      continue;
    }
    // A rule: "targets : prerequisites", with a recipe on the following tab-indented line(s) or after ';'.
    const colon = /^([^:=#\t][^:=#]*?)\s*::?(?!=)(.*)$/.exec(l);
    if (!colon) continue;
    const hasRecipe = /;/.test(colon[2]!) || (lines[i + 1]?.text.startsWith("\t") ?? false);
    if (!hasRecipe) continue;
    const targets = makeExpand(colon[1]!, vars);
    if (/^\s*\./.test(targets) && !targets.includes("/")) continue; // .PHONY, suffix rules
    for (const w of targets.split(/\s+/)) if (!phony.has(w)) add(w, line, "make rule");
  }
}

/** `AC_CONFIG_FILES([out[:in] …])` and old `AC_OUTPUT([…])`, relative to configure.ac's directory. */
function fromConfigureAc(path: string, text: string, out: Map<string, Declaration>): void {
  const dir = posix.dirname(path) === "." ? "" : posix.dirname(path);
  for (const m of text.matchAll(/\b(AC_CONFIG_FILES|AC_OUTPUT)\(\s*\[?([^\])]*)/g)) {
    const line = text.slice(0, m.index).split("\n").length;
    for (const spec of m[2]!.split(/\s+/)) {
      if (!spec || spec.includes("$")) continue;
      const [o, ...ins] = spec.split(":");
      const p = resolveWord(o!, dir);
      if (!p) continue;
      const input = ins.length === 1 ? resolveWord(ins[0]!, dir) : ins.length === 0 ? `${p}.in` : null;
      if (!out.has(p)) out.set(p, { by: path, line, how: "AC_CONFIG_FILES", ...(input ? { template: input } : {}) });
    }
  }
}

/** CMake `add_custom_command(OUTPUT a b …)` and `configure_file(in out)`. */
function fromCMake(path: string, text: string, out: Map<string, Declaration>): void {
  const dir = posix.dirname(path) === "." ? "" : posix.dirname(path);
  const expand = (w: string): string => w.replace(/\$\{(\w+)\}/g, (m, n: string) => CMAKE_DIR_VARS[n] ?? m);
  for (const m of text.matchAll(/\b(add_custom_command|configure_file)\s*\(([^)]*)\)/gi)) {
    const line = text.slice(0, m.index).split("\n").length;
    const words = m[2]!.replace(/#[^\n]*/g, "").split(/\s+/).filter(Boolean);
    let outs: string[] = [];
    if (m[1]!.toLowerCase() === "configure_file") outs = words.slice(1, 2);
    else {
      const at = words.indexOf("OUTPUT");
      if (at >= 0) for (const w of words.slice(at + 1)) { if (/^[A-Z_]+$/.test(w)) break; outs.push(w); }
    }
    for (const w of outs) {
      const p = resolveWord(expand(w), dir);
      if (p && !out.has(p)) out.set(p, { by: path, line, how: m[1]!.toLowerCase() });
    }
  }
}

/** meson `custom_target(… output: …)` / `configure_file(… output: …)`, relative to the meson.build. */
function fromMeson(path: string, text: string, out: Map<string, Declaration>): void {
  const dir = posix.dirname(path) === "." ? "" : posix.dirname(path);
  for (const m of text.matchAll(/\boutput\s*:\s*(\[[^\]]*\]|'[^']*')/g)) {
    const line = text.slice(0, m.index).split("\n").length;
    for (const s of m[1]!.matchAll(/'([^'@]+)'/g)) {
      const p = resolveWord(s[1]!, dir);
      if (p && !out.has(p)) out.set(p, { by: path, line, how: "meson output" });
    }
  }
}

const STANDARD_TARGETS = ["all", "install", "uninstall", "check", "installcheck", "clean", "distclean", "mostlyclean", "maintainer-clean", "dist", "distcheck", "info", "dvi", "pdf", "ps", "html", "tags", "ctags", "TAGS", "test", "tests", "docs", "doc", "default"];

/** Declarations of one build file of the tree (exported for the fuzz targets). */
export function declarationsOf(path: string, text: string): Map<string, Declaration> {
  const out = new Map<string, Declaration>();
  const b = posix.basename(path);
  if (MAKEFILE.test(b)) fromMakefile(path, text, out);
  else if (b === "configure.ac" || b === "configure.in") fromConfigureAc(path, text, out);
  else if (b === "CMakeLists.txt" || b.endsWith(".cmake")) fromCMake(path, text, out);
  else if (b === "meson.build") fromMeson(path, text, out);
  return out;
}

const MAKEFILE = /^(Makefile(\.am|\.in)?|GNUmakefile|makefile|.+\.mk|.+\.am)$/;

/** Every output the tagged tree's build files declare, by tree path. Computed once per audit. */
export const declaredOutputs = perAudit(async (ctx: AuditContext): Promise<Map<string, Declaration>> => {
  const out = new Map<string, Declaration>();
  const wanted: { path: string; oid: string; kind: "make" | "ac" | "cmake" | "meson" }[] = [];
  for (const [p, e] of ctx.tree) {
    if (e.mode === "120000" || e.mode === "160000") continue;
    const b = posix.basename(p);
    const kind = MAKEFILE.test(b) ? "make" : b === "configure.ac" || b === "configure.in" ? "ac" : b === "CMakeLists.txt" || b.endsWith(".cmake") ? "cmake" : b === "meson.build" ? "meson" : null;
    if (kind) wanted.push({ path: p, oid: e.oid, kind });
  }
  for (let i = 0; i < wanted.length; i += 64) {
    const batch = wanted.slice(i, i + 64);
    const blobs = await Promise.all(batch.map((w) => ctx.gitBlob(w.oid)));
    batch.forEach((w, j) => {
      const b = blobs[j];
      if (!b || isBinary(b)) return;
      const text = b.toString("utf8");
      if (w.kind === "make") fromMakefile(w.path, text, out);
      else if (w.kind === "ac") fromConfigureAc(w.path, text, out);
      else if (w.kind === "cmake") fromCMake(w.path, text, out);
      else fromMeson(w.path, text, out);
    });
  }
  return out;
});

/**
 * Does `output` read as config.status's substitution of `template`: every line equal, except that
 * each `@NAME@` stands for one value (the same value wherever NAME appears)? Returns the values,
 * or null when the file is not that template filled in.
 */
export function fillsTemplate(template: string, output: string): Map<string, string> | null {
  const tl = template.split("\n");
  const ol = output.split("\n");
  if (tl.length !== ol.length) return null;
  const values = new Map<string, string>();
  for (let i = 0; i < tl.length; i++) {
    const t = tl[i]!;
    const o = ol[i]!;
    if (!t.includes("@")) {
      if (t !== o) return null;
      continue;
    }
    const names: string[] = [];
    const re = new RegExp(`^${t.split(/(@[A-Za-z_]\w*@)/).map((part, k) => {
      if (k % 2 === 0) return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      names.push(part.slice(1, -1));
      return "(.*?)";
    }).join("")}$`);
    // Bounded: the output line is the tarball author's, and lazy groups backtrack.
    if (names.length > 8 || o.length > 8192) return null;
    const m = re.exec(o);
    if (!m) return null;
    for (let k = 0; k < names.length; k++) {
      const prev = values.get(names[k]!);
      if (prev !== undefined && prev !== m[k + 1]) return null;
      values.set(names[k]!, m[k + 1]!);
    }
  }
  return values;
}
