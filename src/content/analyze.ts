/**
 * Content analysis of files that run at build or install time: parse what runs (shell, m4 macros,
 * make recipes, CMake and meson command constructs, Python, JavaScript) and report what it does,
 * judged on commands and data flow rather than on spelling.
 */
import { posix } from "node:path";
import { analyzePerl } from "./perl.js";
import { analyzeShell } from "./shell/analyze-shell.js";
import { m4ToShell } from "./m4.js";
import { makeToShell } from "./make.js";
import { analyzeCmake, analyzeMeson } from "./cmake-meson.js";
import { analyzePython } from "./python.js";
import { analyzeJs, analyzePackageJson } from "./js.js";

export type Effect = "reads-tree" | "carves-bytes" | "decodes" | "evals" | "sources" | "downloads" | "network" | "writes-tree" | "executes";
export interface Hit {
  id: string;
  effect: Effect;
  line: number;
  text: string;
  explain: string;
}
export interface Analysis {
  language: string;
  hits: Hit[];
  codeLines: Set<number>;
  notAnalysed?: string;
}

/** Everything except plainly running a program is a reason to look. */
export function isDangerous(e: Effect): boolean {
  return e !== "executes";
}

/** Larger than this, a file is not parsed (and says so). */
export const MAX_ANALYSED_BYTES = 16 * 1024 * 1024;

/** Which language a build file is written in, by name; then by its first line. */
export function languageOf(path: string, text: string): string {
  const base = posix.basename(path);
  if (/\.m4$/.test(base) || /^configure\.(ac|in)$/.test(base)) return "m4";
  if (/^(Makefile|Build)\.PL$/.test(base) || /\.(pl|pm|PL)$/.test(base)) return "perl";
  if (/^(GNUmakefile|[Mm]akefile)(\..*)?$/.test(base) || /\.(mk|mak|make|am)$/.test(base) || /(^|\/)debian\/rules$/.test(path)) return "make";
  if (base === "CMakeLists.txt" || /\.cmake$/.test(base)) return "cmake";
  if (base === "meson.build" || base === "meson_options.txt" || base === "meson.options") return "meson";
  if (/\.(py|pyw)$/.test(base) || base === "SConstruct" || base === "SConscript" || base === "wscript") return "python";
  if (base === "package.json") return "package.json";
  if (/\.(js|mjs|cjs)$/.test(base)) return "js";
  // Declarative configuration: nothing in it runs by itself (what it names is analysed where it is).
  if (/\.(toml|cfg|ini|json|ya?ml|txt|md|rst|xml|gyp|gypi|bzl|ninja)$/.test(base) || /^(Cargo\.toml|setup\.cfg|pyproject\.toml|Gemfile|BUILD|BUILD\.bazel|WORKSPACE)$/.test(base)) return "config";
  const first = text.slice(0, 200).split("\n", 1)[0] ?? "";
  if (/^#!.*\bpython/.test(first)) return "python";
  if (/^#!.*\bnode\b/.test(first)) return "js";
  return "shell";
}

/**
 * Top-level m4 statements (bracket and parenthesis depth 0 at a line end), as [first line, text].
 * Stock macros hold m4 regexes with quotes and backquotes (libtool.m4's `[['`$\]]`) that mean
 * nothing to a shell; analysed as one text, such a character would swallow whatever follows it.
 */
function m4Statements(text: string): [number, string][] {
  const out: [number, string][] = [];
  let depth = 0;
  let parens = 0;
  let start = 0;
  let startLine = 1;
  let line = 1;
  let comment = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "\n") {
      line++;
      comment = false;
      if (depth <= 0 && parens <= 0) {
        out.push([startLine, text.slice(start, i + 1)]);
        start = i + 1;
        startLine = line;
        depth = 0;
        parens = 0;
      }
      continue;
    }
    if (comment) continue;
    if (c === "#" && depth === 0) comment = true;
    else if (c === "[") depth++;
    else if (c === "]") depth--;
    else if (depth === 0 && c === "(") parens++;
    else if (depth === 0 && c === ")") parens--;
  }
  if (start < text.length) out.push([startLine, text.slice(start)]);
  return out;
}

/** m4 analysed as a whole (data flow across macros) and statement by statement (no stray quote hides the next); hits united. */
function analyzeM4(text: string): Analysis {
  const { shell, lineMap } = m4ToShell(text);
  const whole = analyzeShell(shell, { lineMap, originalText: text });
  const lines = text.split("\n");
  const seen = new Set(whole.hits.map((h) => `${h.id}@${h.line}`));
  const hits = [...whole.hits];
  for (const [first, chunk] of m4Statements(text)) {
    if (!/[`|$;&<>]/.test(chunk)) continue;
    const one = m4ToShell(chunk);
    for (const h of analyzeShell(one.shell, { lineMap: one.lineMap, originalText: chunk }).hits) {
      const line = h.line + first - 1;
      if (seen.has(`${h.id}@${line}`)) continue;
      seen.add(`${h.id}@${line}`);
      hits.push({ ...h, line, text: (lines[line - 1] ?? h.text).trim().slice(0, 300) });
    }
  }
  return { ...whole, hits: hits.sort((a, b) => a.line - b.line), language: "m4" };
}

export function analyze(path: string, text: string): Analysis {
  const language = languageOf(path, text);
  if (text.length > MAX_ANALYSED_BYTES) {
    return { language, hits: [], codeLines: new Set(), notAnalysed: `${text.length} characters: larger than the ${MAX_ANALYSED_BYTES}-character analysis limit` };
  }
  switch (language) {
    case "m4":
      return analyzeM4(text);
    case "make": {
      // make runs each logical recipe line in a shell of its own: analyse them one by one, so a
      // line the parser cannot read never hides the next one.
      const { shell, lineMap, vars } = makeToShell(text);
      const out: Analysis = { language, hits: [], codeLines: new Set() };
      const seen = new Set<string>();
      shell.split("\n").forEach((cmd, row) => {
        if (!cmd.trim()) return;
        const a = analyzeShell(cmd, { lineMap: [lineMap[row]!], originalText: text, presetVars: vars });
        for (const h of a.hits) {
          const key = `${h.line}\0${h.id}`;
          if (!seen.has(key)) out.hits.push(h);
          seen.add(key);
        }
        for (const l of a.codeLines) out.codeLines.add(l);
        if (a.notAnalysed) out.notAnalysed = a.notAnalysed;
      });
      return out;
    }
    case "perl":
      return analyzePerl(text);
    case "cmake":
      return analyzeCmake(text);
    case "meson":
      return analyzeMeson(text);
    case "python":
      return analyzePython(text, path);
    case "package.json":
      return analyzePackageJson(text);
    case "js":
      return analyzeJs(text);
    case "config":
      return { language: "config", hits: [], codeLines: new Set() };
    default:
      return { ...analyzeShell(text), language: "shell" };
  }
}
