/**
 * Upstream copies of autotools helpers and m4 macros read from the git histories of the projects
 * that ship them (used by build-provenance-db.ts with `--git NAME=GITDIR`; see docs/provenance-db.md).
 *
 * Each recipe names where a project keeps its copies. Helper scripts (config.guess, config.sub,
 * install-sh, …) are read at every commit that changed them, because projects copy them between
 * releases; m4 macros and automake's rule templates at every release tag. libtool's ltmain.sh is not
 * in git: it is reproduced per release tag the way libtool's Makefile makes it (inline-source, then
 * the bootstrap_edit substitutions), and kept only where every input is in the given histories.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isTrackedHelper } from "../src/provenance/normalize.js";

export interface GitCopy {
  kind: "m4" | "helper" | "template";
  /** The file name the copy is known under (gtk-doc's flavours are installed as gtk-doc.make). */
  name: string;
  text: string;
  /** Where it was seen: "automake v1.15.1", "gnulib 0a1b2c3d4e (2019-03-04)". */
  label: string;
}

interface Recipe {
  /** Directories ("" = top level) whose tracked helper scripts are read at every commit. */
  helperDirs: string[];
  /** Other file names installed under a tracked helper's name. */
  aliases?: Record<string, string>;
  /** Directories whose *.m4 files are read at every release tag (or every commit). */
  m4Dirs?: string[];
  /** "commits": every commit that changed one; "tags": every release tag (m4 files are always read at tags too). */
  m4History?: "tags" | "commits";
  /** Directory of automake's rule templates (*.am), read at every release tag. */
  templateDir?: string;
  /** Release tags. */
  tags?: RegExp;
}

export const RECIPES: Record<string, Recipe> = {
  automake: { helperDirs: ["lib", ""], m4Dirs: ["m4", "m4/internal"], m4History: "commits", templateDir: "lib/am", tags: /^(v1\.\d+(\.\d+)*|Release-1-\d+(-\d+)?(-p\d+)?)$/ },
  gnulib: { helperDirs: ["build-aux", "config"], m4Dirs: ["m4"], m4History: "commits" },
  autoconf: { helperDirs: ["build-aux", "config", ""] },
  gettext: { helperDirs: ["build-aux", "config", "autoconf-lib-link", ""] },
  libtool: { helperDirs: ["build-aux", "config", "libltdl/config", ""], m4Dirs: ["m4", "libltdl/m4"], m4History: "commits", tags: /^(v2\.\d+(\.\d+)*[a-z]?|release-\d+-\d+(-\d+)?[a-z]?)$/ },
  "gtk-doc": {
    helperDirs: ["", "buildsystems/autotools"],
    aliases: { "gtk-doc.notmpl.make": "gtk-doc.make", "gtk-doc.no-xslt.make": "gtk-doc.make", "gtk-doc.flat.make": "gtk-doc.make" },
    m4Dirs: ["", "buildsystems/autotools"],
    m4History: "commits",
  },
  // gnulib-modules/bootstrap: funclib.sh, options-parser and inline-source, from which libtool 2.4.7
  // and later make ltmain.sh. Nothing of its own is ingested.
  bootstrap: { helperDirs: [] },
};

const git = (dir: string, args: string[], input?: string): Buffer => {
  const r = spawnSync("git", ["--git-dir", dir, ...args], { input, maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`git ${args.join(" ")} in ${dir}: ${r.stderr.toString().trim()}`);
  return r.stdout;
};

/** Blob contents by id, read in one `git cat-file --batch`. */
function readBlobs(dir: string, ids: string[]): Map<string, string> {
  const out = new Map<string, string>();
  if (!ids.length) return out;
  const buf = git(dir, ["cat-file", "--batch"], ids.join("\n") + "\n");
  let pos = 0;
  while (pos < buf.length) {
    const nl = buf.indexOf(10, pos);
    const [id, type, size] = buf.subarray(pos, nl).toString().split(" ");
    if (type === "missing") {
      pos = nl + 1;
      continue;
    }
    const n = Number(size);
    out.set(id!, buf.subarray(nl + 1, nl + 1 + n).toString("latin1"));
    pos = nl + 1 + n + 1;
  }
  return out;
}

const dirOf = (p: string) => (p.includes("/") ? p.slice(0, p.lastIndexOf("/")) : "");
const baseOf = (p: string) => p.slice(p.lastIndexOf("/") + 1);

/** Release tags of a recipe, oldest first by creation. */
function tagsOf(dir: string, re: RegExp | undefined): string[] {
  if (!re) return [];
  return git(dir, ["for-each-ref", "--sort=creatordate", "--format=%(refname:short)", "refs/tags"])
    .toString()
    .split("\n")
    .filter((t) => t && re.test(t));
}

export function* gitCopies(name: string, dir: string, repos: Map<string, string>): Generator<GitCopy> {
  const r = RECIPES[name];
  if (!r) throw new Error(`no recipe for git source ${name} (known: ${Object.keys(RECIPES).join(", ")})`);
  const helperName = (path: string): string | null => {
    if (!r.helperDirs.includes(dirOf(path))) return null;
    const b = baseOf(path);
    const n = r.aliases?.[b] ?? b;
    return isTrackedHelper(n) ? n : null;
  };
  const m4Wanted = (path: string) => path.endsWith(".m4") && (r.m4Dirs ?? []).includes(dirOf(path));

  // Every commit that changed a helper (or an m4 file, for recipes that read m4 per commit): the
  // blob each commit wrote, labelled with the oldest commit that wrote it.
  const first = new Map<string, { path: string; label: string; kind: "m4" | "helper" }>();
  const log = git(dir, ["log", "--all", "--no-renames", "--raw", "--no-abbrev", "--format=%x00%H %cs"]).toString();
  let label = "";
  for (const line of log.split("\n")) {
    if (line.startsWith("\0")) {
      const [h, d] = line.slice(1).split(" ");
      label = `${name} ${h!.slice(0, 10)} (${d})`;
      continue;
    }
    const m = /^:\d+ (\d+) [0-9a-f]+ ([0-9a-f]+) [AMT]\t(.+)$/.exec(line);
    if (!m || m[1] === "160000") continue;
    const path = m[3]!;
    const kind = helperName(path) ? "helper" : m4Wanted(path) && r.m4History === "commits" ? "m4" : null;
    if (!kind) continue;
    first.set(`${m[2]}\t${path}`, { path, label, kind }); // log is newest first: the last write wins
  }
  // Release tags: helpers, m4 macros and templates as released.
  const atTags: { blob: string; path: string; label: string; kind: GitCopy["kind"] }[] = [];
  for (const tag of tagsOf(dir, r.tags)) {
    const tree = git(dir, ["ls-tree", "-r", tag]).toString();
    for (const line of tree.split("\n")) {
      const m = /^\d+ blob ([0-9a-f]+)\t(.+)$/.exec(line);
      if (!m) continue;
      const path = m[2]!;
      const kind = helperName(path) ? "helper" : m4Wanted(path) ? "m4" : r.templateDir && dirOf(path) === r.templateDir && path.endsWith(".am") ? "template" : null;
      if (kind) atTags.push({ blob: m[1]!, path, label: `${name} ${tag}`, kind });
    }
  }
  const blobs = readBlobs(dir, [...new Set([...[...first.keys()].map((k) => k.split("\t")[0]!), ...atTags.map((t) => t.blob)])]);
  for (const [key, c] of first) {
    const text = blobs.get(key.split("\t")[0]!);
    if (text !== undefined) yield { kind: c.kind, name: c.kind === "helper" ? helperName(c.path)! : baseOf(c.path), text, label: c.label };
  }
  for (const t of atTags) {
    const text = blobs.get(t.blob);
    if (text !== undefined) yield { kind: t.kind, name: t.kind === "helper" ? helperName(t.path)! : baseOf(t.path), text, label: t.label };
  }
  if (name === "libtool") yield* libtoolReleaseFiles(dir, repos);
}

/**
 * libtool's generated release files, reproduced per release tag as its Makefile.am makes them:
 *   ltmain.sh     = inline-source build-aux/ltmain.in | bootstrap_edit
 *   ltversion.m4  = bootstrap_edit m4/ltversion.in
 * bootstrap_edit substitutes the release's version (git-version-gen at the tag gives the tag's
 * version), the package strings from configure.ac's AC_INIT, and for ltversion.m4 the serial
 * (`git log --pretty=oneline | wc -l` at the tag). inline-source, funclib.sh and options-parser
 * are libtool's own (gl/build-aux, 2.4.3 to 2.4.6) or gnulib-modules/bootstrap's at the commit the
 * tag's gl-mod/bootstrap submodule names (2.4.7 on); a tag whose inputs are not all available is
 * skipped and named on stderr. Releases before 2.4.3 made ltmain.sh with autom4te's m4sh from
 * ltmain.m4sh, which is not reproduced here.
 */
function* libtoolReleaseFiles(dir: string, repos: Map<string, string>): Generator<GitCopy> {
  for (const tag of tagsOf(dir, /^v2\.(4\.([3-9]|\d\d)|[5-9]\.\d+)(\.\d+)?$/)) {
    const show = (path: string) => {
      try {
        return git(dir, ["show", `${tag}:${path}`]);
      } catch {
        return null;
      }
    };
    const version = tag.slice(1);
    let helpers: Record<string, Buffer | null>;
    const names = ["inline-source", "funclib.sh", "options-parser"];
    if (show("gl/build-aux/inline-source")) {
      helpers = Object.fromEntries(names.map((n) => [n, show(`gl/build-aux/${n}`)]));
    } else {
      const sub = /^160000 commit ([0-9a-f]+)\t/.exec(git(dir, ["ls-tree", tag, "gl-mod/bootstrap"]).toString())?.[1];
      const boot = repos.get("bootstrap");
      if (!sub || !boot) {
        process.stderr.write(`libtool ${tag}: ltmain.sh not reproduced (needs --git bootstrap=<gnulib-modules/bootstrap clone>${sub ? ` at ${sub}` : ""})\n`);
        continue;
      }
      helpers = Object.fromEntries(
        names.map((n) => {
          try {
            return [n, git(boot, ["show", `${sub}:build-aux/${n}`])];
          } catch {
            return [n, null];
          }
        }),
      );
    }
    const ltmainIn = show("build-aux/ltmain.in");
    const ltversionIn = show("m4/ltversion.in");
    const configureAc = show("configure.ac")?.toString() ?? "";
    const init = /AC_INIT\(\[([^\]]+)\],\s*(?:\[[^\]]*\]|m4_esyscmd\([^)]*\)),\s*\[([^\]]+)\]/.exec(configureAc);
    if (!ltmainIn || !init || names.some((n) => !helpers[n])) {
      process.stderr.write(`libtool ${tag}: ltmain.sh not reproduced (an input is missing at the tag)\n`);
      continue;
    }
    const packageName = init[1]!; // "GNU Libtool"
    const bugreport = init[2]!;
    const tarname = "libtool";
    // PACKAGE_URL is the only input that depends on the maintainer's autoconf: configure.ac falls
    // back to http://www.gnu.org/s/libtool/ where autoconf does not define AC_PACKAGE_URL, autoconf
    // 2.64-2.69 derive http://www.gnu.org/software/libtool/, 2.70 and later https://…. Each is a
    // file the release process makes; the URL only appears in --help output.
    const urls = [`http://www.gnu.org/software/${tarname}/`, `https://www.gnu.org/software/${tarname}/`, `http://www.gnu.org/s/${tarname}/`];
    const serial = git(dir, ["log", "--pretty=oneline", tag]).toString().split("\n").filter(Boolean).length;
    const edit = (s: string, url: string) =>
      s
        .replaceAll("@MACRO_VERSION@", version)
        .replaceAll("@MACRO_REVISION@", version)
        .replaceAll("@MACRO_SERIAL@", String(serial))
        .replaceAll("@PACKAGE@", tarname)
        .replaceAll("@PACKAGE_BUGREPORT@", bugreport)
        .replaceAll("@PACKAGE_URL@", url)
        .replaceAll("@PACKAGE_NAME@", packageName)
        .replaceAll("@package_revision@", version)
        .replaceAll("@PACKAGE_STRING@", `${packageName} ${version}`)
        .replaceAll("@PACKAGE_TARNAME@", tarname)
        .replaceAll("@PACKAGE_VERSION@", version)
        .replaceAll("@VERSION@", version);
    const tmp = mkdtempSync(join(tmpdir(), "distvet-ltmain-"));
    try {
      const aux = join(tmp, "build-aux");
      mkdirSync(aux);
      writeFileSync(join(aux, "ltmain.in"), ltmainIn);
      for (const n of names) {
        writeFileSync(join(aux, n), helpers[n]!);
        chmodSync(join(aux, n), 0o755);
      }
      const inlined = execFileSync("sh", ["./build-aux/inline-source", "./build-aux/ltmain.in"], {
        cwd: tmp,
        env: { PATH: process.env.PATH ?? "/usr/bin:/bin", GREP: "grep", SED: "sed", LC_ALL: "C" },
        maxBuffer: 1 << 28,
      }).toString("latin1");
      if (!/^VERSION=/m.test(inlined) || !inlined.includes("func_mode_link")) throw new Error("inline-source output is not an ltmain.sh");
      for (const text of new Set(urls.map((u) => edit(inlined, u)))) yield { kind: "helper", name: "ltmain.sh", text, label: `libtool ${tag} (ltmain.sh reproduced)` };
    } catch (e) {
      process.stderr.write(`libtool ${tag}: ltmain.sh not reproduced (${(e as Error).message.split("\n")[0]})\n`);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
    if (ltversionIn) yield { kind: "m4", name: "ltversion.m4", text: edit(ltversionIn.toString("latin1"), urls[0]!), label: `libtool ${tag} (ltversion.m4 reproduced)` };
  }
}
