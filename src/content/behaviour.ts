/**
 * What build scripts do, as the rules and the provenance analysis consume it. The analysis
 * itself lives in analyze.ts (parsed shell, m4, make, CMake, meson, Python, JavaScript).
 */
import { analyze, isDangerous, type Effect } from "./analyze.js";

export interface BehaviourHit {
  pattern: { id: string; explain: string };
  line: number;
  text: string;
  effect: Effect;
}

/**
 * Compatibility wrapper over `analyze`: the dangerous hits of a build script (everything except
 * plainly running a program), every one of them, as `{ pattern: { id, explain }, line, text }`.
 * `path` picks the language (shell when absent).
 */
export function scanBehaviour(text: string, path = "script.sh"): BehaviourHit[] {
  return analyze(path, text)
    .hits.filter((h) => isDangerous(h.effect))
    .map((h) => ({ pattern: { id: h.id, explain: h.explain }, line: h.line, text: h.text, effect: h.effect }));
}

const POSIX_CLASSES: Record<string, string> = {
  alnum: "A-Za-z0-9",
  alpha: "A-Za-z",
  digit: "0-9",
  xdigit: "0-9A-Fa-f",
  upper: "A-Z",
  lower: "a-z",
  space: " \\t\\n\\r\\f\\v",
  blank: " \\t",
  punct: "!-/:-@\\[-`{-~",
};

/** Literal/ERE markers a `grep` in the line searches for, converted to JS regular expressions. */
export function grepMarkers(line: string): RegExp[] {
  const out: RegExp[] = [];
  for (const m of line.matchAll(/\bgrep\s+(?:-[a-zA-Z]+\s+)*(["'])((?:\\.|(?!\1).)+)\1/g)) {
    const src = m[2]!.replace(/\[:(\w+):\]/g, (all, cls: string) => POSIX_CLASSES[cls] ?? all);
    try {
      out.push(new RegExp(src, "m"));
    } catch {
      /* not a pattern JS can run: skip */
    }
  }
  return out;
}
