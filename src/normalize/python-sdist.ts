import { posix } from "node:path";
import { defineProfile, unverified, verified } from "./profile.js";

const PY_PROJECT = ["pyproject.toml", "setup.py", "setup.cfg"];
const EGG_INFO_FILES = new Set(["PKG-INFO", "SOURCES.txt", "top_level.txt", "dependency_links.txt", "requires.txt", "entry_points.txt", "not-zip-safe", "namespace_packages.txt"]);

/**
 * setup.cfg as configparser reads it: "section.key" -> value, continuation lines joined,
 * comments and blank lines dropped, key case folded. setuptools rewrites the file this way.
 */
export function iniEntries(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let section = "";
  let key: string | null = null;
  for (const raw of text.split(/\r?\n/)) {
    if (/^\s*([#;]|$)/.test(raw)) continue;
    const sec = /^\[([^\]]+)\]\s*$/.exec(raw);
    if (sec) {
      section = sec[1]!.trim();
      key = null;
      continue;
    }
    if (/^\s/.test(raw) && key) {
      out.set(key, `${out.get(key)}\n${raw.trim()}`.trim());
      continue;
    }
    const kv = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(raw);
    if (!kv) continue;
    key = `${section}.${kv[1]!.trim().toLowerCase().replace(/-/g, "_")}`;
    out.set(key, kv[2]!.trim());
  }
  return out;
}

export const pythonSdist = defineProfile({
  id: "python-sdist",
  description: "Metadata that setuptools, hatch, flit and setuptools_scm write into a Python sdist.",
  async explain(change, ctx) {
    if (!PY_PROJECT.some((f) => ctx.hasGit(f))) return null;
    const { path } = change;
    const base = posix.basename(path);
    if (path === "setup.cfg" && (change.kind === "modified" || change.kind === "added")) {
      const tar = ctx.tarText(path);
      if (tar === null) return null;
      const git = change.kind === "modified" ? await ctx.gitText(path) : "";
      if (git === null) return null;
      const a = iniEntries(git);
      const b = iniEntries(tar);
      b.delete("egg_info.tag_build");
      b.delete("egg_info.tag_date");
      b.delete("egg_info.tag_svn_revision");
      if (a.size === b.size && [...a].every(([k, v]) => b.get(k) === v)) {
        return verified("reproduction", "setuptools rewrote setup.cfg: the same settings as git's once read as configparser does, plus its [egg_info] tags");
      }
    }
    if (change.kind === "added") {
      const sdist = "build the sdist from the tag (python -m build --sdist) and compare";
      if (path === "PKG-INFO") return unverified("python-metadata", "core metadata the sdist builder writes", sdist);
      if (/\.egg-info\/[^/]+$/.test(path) && EGG_INFO_FILES.has(base)) return unverified("python-metadata", "egg-info metadata setuptools writes when building the sdist", sdist);
      // Version files written by setuptools_scm/versioneer/hatch-vcs: Python that runs on import, so its
      // content is analysed like any install-time code; a header comment proves nothing.
      if (/(^|\/)(_version|version|__version__)\.py$/.test(path)) return unverified("python-version-file", "named like a version file written from git metadata (setuptools_scm, versioneer, hatch-vcs)", sdist);
      return null;
    }
    return null;
  },
});
