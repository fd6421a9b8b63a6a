import ignore, { type Ignore } from "ignore";
import { posix } from "node:path";

/** The attributes distvet cares about, as `git archive` applies them. */
export interface PathAttributes {
  exportIgnore: boolean;
  exportSubst: boolean;
  /** Line endings the checked-out (and archived, with core.autocrlf unset) file is expected to have. */
  eol?: "crlf" | "lf";
  /** "text" set, unset, or "auto". */
  text?: boolean | "auto";
}

interface Rule {
  dir: string;
  match: Ignore;
  attrs: Record<string, string | boolean>;
}

const MACROS: Record<string, Record<string, boolean>> = { binary: { diff: false, merge: false, text: false } };

/** Parse one .gitattributes file located in `dir` ("" for the root). */
function parseFile(dir: string, content: string): Rule[] {
  const rules: Rule[] = [];
  for (const raw of content.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith("#") || line.startsWith("[attr]")) continue;
    const [pattern, ...specs] = line.split(/\s+/);
    if (!pattern || pattern.startsWith("!")) continue;
    const attrs: Record<string, string | boolean> = {};
    for (const spec of specs) {
      if (spec.startsWith("-")) attrs[spec.slice(1)] = false;
      else if (spec.startsWith("!")) delete attrs[spec.slice(1)];
      else if (spec.includes("=")) {
        const i = spec.indexOf("=");
        attrs[spec.slice(0, i)] = spec.slice(i + 1);
      } else if (MACROS[spec]) Object.assign(attrs, MACROS[spec], { [spec]: true });
      else attrs[spec] = true;
    }
    // git attribute patterns follow gitignore's matching rules (but never match a directory's contents).
    rules.push({ dir, match: ignore().add(pattern), attrs });
  }
  return rules;
}

export class GitAttributes {
  private readonly rules: Rule[];
  constructor(files: { path: string; content: string }[]) {
    // Shallower files first; within the same depth, by path. Later rules override earlier ones.
    const sorted = [...files].sort((a, b) => a.path.split("/").length - b.path.split("/").length || (a.path < b.path ? -1 : 1));
    this.rules = sorted.flatMap((f) => parseFile(posix.dirname(f.path) === "." ? "" : posix.dirname(f.path), f.content));
  }

  get empty(): boolean {
    return this.rules.length === 0;
  }

  private raw(path: string): Record<string, string | boolean> {
    const out: Record<string, string | boolean> = {};
    for (const r of this.rules) {
      if (r.dir && !path.startsWith(`${r.dir}/`)) continue;
      const rel = r.dir ? path.slice(r.dir.length + 1) : path;
      // ignore() throws on paths that are not relative and normalised ("a//b", "../x"); no tree path is.
      if (rel && ignore.isPathValid(rel) && r.match.ignores(rel)) Object.assign(out, r.attrs);
    }
    return out;
  }

  /** Attributes of `path`; export-ignore also applies when set on any parent directory. */
  get(path: string): PathAttributes {
    const a = this.raw(path);
    let exportIgnore = a["export-ignore"] === true;
    const parts = path.split("/");
    for (let i = 1; i < parts.length && !exportIgnore; i++) {
      if (this.raw(parts.slice(0, i).join("/"))["export-ignore"] === true) exportIgnore = true;
    }
    const out: PathAttributes = { exportIgnore, exportSubst: a["export-subst"] === true };
    if (a.eol === "crlf" || a.eol === "lf") out.eol = a.eol;
    if (a.text === true || a.text === false) out.text = a.text;
    else if (a.text === "auto") out.text = "auto";
    return out;
  }
}
