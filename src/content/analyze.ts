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

export function analyze(path: string, text: string): Analysis {
  const language = languageOf(path, text);
  if (text.length > MAX_ANALYSED_BYTES) {
    return { language, hits: [], codeLines: new Set(), notAnalysed: `${text.length} characters: larger than the ${MAX_ANALYSED_BYTES}-character analysis limit` };
  }
  switch (language) {
    case "m4": {
      const { shell, lineMap } = m4ToShell(text);
      return { ...analyzeShell(shell, { lineMap, originalText: text }), language };
    }
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
