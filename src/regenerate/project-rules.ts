/**
 * Project generators: a file that a make rule in git's own Makefile.am (or plain makefile)
 * writes, rebuilt by running that rule from the tag in the sandbox. The rule, its recipe and the
 * variables it uses are read from git, never from the tarball; what configure would substitute is
 * supplied here (the version from git's AC_INIT or the tag, standard tool names), and a rule that
 * uses such a value is marked as depending on it. Only an exact reproduction proves anything: an
 * output that differs may be the maintainer's locale, tools or configure options, so it is shown
 * as a diff and the file stays unverified (and analysed in full).
 */
import { posix } from "node:path";
import type { Declaration } from "../analysis/declared-outputs.js";
import type { WorkFile } from "./workdir.js";

/** At most this many rules are run per audit; the rest are listed as skipped. */
export const MAX_RULES = 50;

export interface RuleJob {
  /** The tarball path the rule writes. */
  path: string;
  /** Directory of the makefile that declares it ("" for the top). */
  dir: string;
  /** The target as make is asked for it, relative to `dir`. */
  target: string;
  /** The declaring file and line. */
  by: string;
  line: number;
  /** Configure-substituted variables the recipes use, with the value supplied. */
  supplied: string[];
}

interface Rule {
  targets: string[];
  prereqs: string[];
  /** The header line and its recipe lines, as written. */
  text: string[];
  /** 1-based line of the header. */
  line: number;
}

const MAKEFILE = /^(Makefile(\.am)?|GNUmakefile|makefile|.+\.mk|.+\.am)$/;
const ASSIGN = /^\s*([A-Za-z_][\w.-]*)\s*(\+=|:=|::=|\?=|=)/;
const HEADER = /^([^:=#\t][^:=#]*?)\s*::?(?!=)(.*)$/;
/** automake conditionals and make directives a plain make would not read the same way. */
const DIRECTIVE = /^\s*(if|else|endif|include|-include|sinclude|ifeq|ifneq|ifdef|ifndef|define|endef|export|unexport|override|vpath)\b/;

/** Logical lines (backslash continuations joined for headers and assignments; recipe lines kept apart). */
function logicalLines(text: string): { lines: string[]; starts: number[] } {
  const lines: string[] = [];
  const starts: number[] = [];
  const raw = text.split("\n");
  for (let i = 0; i < raw.length; i++) {
    starts.push(i + 1);
    let l = raw[i]!;
    while (l.endsWith("\\") && i + 1 < raw.length) l = `${l}\n${raw[++i]!}`;
    lines.push(l);
  }
  return { lines, starts };
}

/** Rules with a recipe, and the plain assignments, of one makefile. */
function readMakefile(text: string): { rules: Rule[]; assignments: string[] } {
  const { lines, starts } = logicalLines(text);
  const rules: Rule[] = [];
  const assignments: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.startsWith("\t") || DIRECTIVE.test(l) || /^\s*#/.test(l)) continue;
    if (ASSIGN.test(l)) {
      if (!/@[A-Za-z_]\w*@/.test(l)) assignments.push(l);
      continue;
    }
    const h = HEADER.exec(l.replace(/\s#.*$/, ""));
    if (!h) continue;
    const recipe: string[] = [];
    while (i + 1 < lines.length && (lines[i + 1]!.startsWith("\t") || (recipe.length > 0 && lines[i + 1]!.trim() === "" && lines[i + 2]?.startsWith("\t")))) recipe.push(lines[++i]!);
    const [prereqText, inline] = h[2]!.split(";", 2);
    if (!recipe.length && inline === undefined) continue;
    rules.push({ targets: h[1]!.trim().split(/\s+/), prereqs: (prereqText ?? "").trim().split(/\s+/).filter(Boolean), text: [l, ...recipe], line: starts[i - recipe.length]! });
  }
  return { rules, assignments };
}

/** A target or prerequisite as a path relative to the makefile's directory. */
function relTarget(word: string, up: string): string {
  const w = word
    .replace(/^\$[({](?:srcdir|builddir)[)}]\//, "")
    .replace(/^\$[({](?:top_srcdir|top_builddir)[)}]\//, up ? `${up}/` : "");
  return posix.normalize(w).replace(/^\.\//, "");
}

/** Values configure would substitute, from git's AC_INIT and the release's version. */
export function suppliedValues(configureAc: string | null, releaseVersions: readonly string[]): Record<string, string> {
  const init = configureAc ? /AC_INIT\(\s*\[?([^\],)]*)\]?\s*,\s*\[?([^\],)]*)\]?/.exec(configureAc) : null;
  const literal = (s: string | undefined) => (s && /^[\w.+~-]+$/.test(s.trim()) ? s.trim() : null);
  const version = literal(init?.[2]) ?? releaseVersions[0] ?? "";
  const name = init?.[1]?.trim() ?? "";
  const tarname = name.toLowerCase().replace(/^gnu /, "").replace(/[^a-z0-9]+/g, "-");
  return {
    VERSION: version,
    PACKAGE_VERSION: version,
    PACKAGE: tarname,
    PACKAGE_TARNAME: tarname,
    PACKAGE_NAME: name,
    SED: "sed",
    GREP: "grep",
    EGREP: "grep -E",
    FGREP: "grep -F",
    AWK: "awk",
    M4: "m4",
    m4: "m4",
    PERL: "perl",
    PYTHON: "python3",
    LN_S: "ln -s",
  };
}

const FIXED = [
  "SHELL = /bin/sh",
  "srcdir = .",
  "builddir = .",
  "abs_srcdir = $(CURDIR)",
  "abs_builddir = $(CURDIR)",
  "MKDIR_P = mkdir -p",
  "mkdir_p = mkdir -p",
  "EXEEXT =",
  "OBJEXT = o",
  "AM_V_GEN =",
  "AM_V_at =",
  "AM_V_P = :",
  "V = 0",
];

/**
 * The jobs for the candidates that a make rule of git declares, and the makefiles written next to
 * the declaring ones (".distvet-rules.mk"), to add to the tag's tree in the work directory.
 */
export function ruleJobs(
  candidates: readonly string[],
  declared: ReadonlyMap<string, Declaration>,
  gitText: (path: string) => string | null,
  supplied: Record<string, string>,
): { jobs: RuleJob[]; files: Map<string, WorkFile>; skipped: string[] } {
  const byMakefile = new Map<string, { path: string; decl: Declaration }[]>();
  for (const path of candidates) {
    const d = declared.get(path);
    // Declared by a makefile (a rule, or BUILT_SOURCES and the like next to its rule).
    if (!d || !MAKEFILE.test(posix.basename(d.by))) continue;
    byMakefile.set(d.by, [...(byMakefile.get(d.by) ?? []), { path, decl: d }]);
  }
  const jobs: RuleJob[] = [];
  const skipped: string[] = [];
  const files = new Map<string, WorkFile>();
  for (const [by, wanted] of [...byMakefile].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const text = gitText(by);
    if (text === null) continue;
    const dir = posix.dirname(by) === "." ? "" : posix.dirname(by);
    const up = dir ? dir.split("/").map(() => "..").join("/") : "";
    const { rules, assignments } = readMakefile(text);
    const ruleOf = (rel: string) => rules.find((r) => r.targets.some((t) => relTarget(t, up) === rel));
    const used: Rule[] = [];
    for (const { path, decl } of wanted) {
      const target = dir ? posix.relative(dir, path) : path;
      const first = ruleOf(target);
      if (!first) continue;
      if (jobs.length >= MAX_RULES) {
        skipped.push(path);
        continue;
      }
      // The rule and, transitively, the rules of this makefile that make its prerequisites.
      const mine: Rule[] = [];
      const queue = [first];
      while (queue.length && mine.length < 20) {
        const r = queue.shift()!;
        if (mine.includes(r)) continue;
        mine.push(r);
        for (const p of r.prereqs) {
          const dep = ruleOf(relTarget(p, up));
          if (dep && !mine.includes(dep)) queue.push(dep);
        }
      }
      for (const r of mine) if (!used.includes(r)) used.push(r);
      const recipes = mine.flatMap((r) => r.text).join("\n");
      const names = Object.keys(supplied).filter((n) => new RegExp(`\\$[({]${n}[)}]|@${n}@`).test(recipes));
      jobs.push({ path, dir, target, by, line: first.line, supplied: names.map((n) => `${n}=${supplied[n]}`) });
    }
    if (!used.length) continue;
    const mk = [
      `# Written by distvet --regenerate: rules of ${by} at the tag, with the values configure would substitute.`,
      ...FIXED,
      `top_srcdir = ${up || "."}`,
      `top_builddir = ${up || "."}`,
      `abs_top_srcdir = $(abspath $(CURDIR)/${up || "."})`,
      `abs_top_builddir = $(abspath $(CURDIR)/${up || "."})`,
      ...Object.entries(supplied).map(([k, v]) => `${k} = ${v}`),
      ...assignments,
      // Files configure writes: present for make, never an input to a rule's output here.
      "Makefile config.status config.h: ;",
      ...used.flatMap((r) => [...r.text.map((l) => l.replace(/@([A-Za-z_]\w*)@/g, (m, n: string) => (n in supplied ? supplied[n]! : m))), ""]),
    ].join("\n");
    files.set(dir ? `${dir}/.distvet-rules.mk` : ".distvet-rules.mk", { bytes: Buffer.from(`${mk}\n`) });
  }
  return { jobs, files, skipped };
}

/** The command that runs one job in the work directory. */
export function ruleCommand(job: RuleJob): string {
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  return `${job.dir ? `cd ${q(job.dir)} && ` : ""}LC_ALL=C make -s -B -f .distvet-rules.mk ${q(job.target)}`;
}
