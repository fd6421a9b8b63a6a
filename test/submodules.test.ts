/**
 * Files copied from a submodule at the commit the tag pins (gnulib's bootstrap copies hundreds into
 * every GNU release). The gitlink in the tagged tree fixes the commit; given a clone (--submodule),
 * a tarball-only file byte-identical to a file of that commit, under the same name, is verified.
 */
import { describe, it, expect } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { join } from "node:path";
import { makeRepo, makeTarball, type Files } from "../samples/lib/fixture.js";
import { audit } from "../src/audit.js";
import { gitmodulesUrls } from "../src/git/submodules.js";
import { isDistvetError } from "../src/errors.js";
import { explained, findingsOf, tmp } from "./helpers.js";

const FOO_V1 = "/* foo from gnulib, pinned version */\nint foo (void) { return 1; }\n";
const FOO_V2 = "/* foo from gnulib, a later version */\nint foo (void) { return 2; }\n";
const FOO_M4 = "# foo.m4 serial 3\nAC_DEFUN([gl_FOO], [AC_CHECK_FUNCS([foo])])\n";
/** A gnulib macro naming the parser output its bootstrap generates. */
const GEN_M4 = "# gen.m4 serial 1\nAC_DEFUN([gl_GEN], [AC_LIBOBJ([parse-gen]) dnl parse-gen.c comes from parse-gen.y\n])\n";

function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, {
    cwd,
    encoding: "utf8",
    env: { ...process.env, GIT_AUTHOR_NAME: "M", GIT_AUTHOR_EMAIL: "m@example.org", GIT_COMMITTER_NAME: "M", GIT_COMMITTER_EMAIL: "m@example.org", GIT_CONFIG_NOSYSTEM: "1", HOME: cwd },
  }).trim();
}

/** A gnulib-like repository with two commits, and a project whose tag pins the first. */
function setup(): { dir: string; project: string; gnulib: string; pinned: string; later: string } {
  const dir = tmp();
  const gnulib = join(dir, "gnulib");
  const [pinned, later] = makeRepo(gnulib, [
    { files: { "lib/foo.c": FOO_V1, "m4/foo.m4": FOO_M4, "lib/bar.h": "#define BAR 1\n", "m4/gen.m4": GEN_M4 } },
    { files: { "lib/foo.c": FOO_V2, "m4/foo.m4": FOO_M4, "lib/bar.h": "#define BAR 1\n", "m4/gen.m4": GEN_M4 } },
  ]);
  const project = join(dir, "project");
  makeRepo(project, [{ files: { "configure.ac": "AC_INIT([pkg],[1.0])\ngl_FOO\nAC_OUTPUT\n", "src/main.c": "int main(void){return 0;}\n", ".gitmodules": '[submodule "gnulib"]\n\tpath = gnulib\n\turl = https://git.example.org/gnulib.git\n' } }]);
  git(project, "update-index", "--add", "--cacheinfo", `160000,${pinned},gnulib`);
  git(project, "commit", "-q", "-m", "pin gnulib");
  git(project, "tag", "v1.0");
  return { dir, project, gnulib, pinned: pinned!, later: later! };
}

async function run(s: ReturnType<typeof setup>, tarball: Files, submodules?: Map<string, string>) {
  const file = join(s.dir, "pkg-1.0.tar.gz");
  const base: Files = { "configure.ac": "AC_INIT([pkg],[1.0])\ngl_FOO\nAC_OUTPUT\n", "src/main.c": "int main(void){return 0;}\n", ".gitmodules": '[submodule "gnulib"]\n\tpath = gnulib\n\turl = https://git.example.org/gnulib.git\n' };
  await makeTarball(file, { root: "pkg-1.0", files: { ...base, ...tarball } });
  return audit({ tarball: file, repo: s.project, ref: "v1.0", ...(submodules ? { submodules } : {}) });
}

describe("files copied from a pinned submodule", () => {
  it("positive: copies of the pinned commit's files are verified, and nothing is reported for them", async () => {
    const s = setup();
    const r = await run(s, { "lib/foo.c": FOO_V1, "m4/foo.m4": FOO_M4, "lib/bar.h": "#define BAR 1\n" }, new Map([["gnulib", s.gnulib]]));
    for (const p of ["lib/foo.c", "m4/foo.m4", "lib/bar.h"]) expect(explained(r, p)).toBe("submodule-copy");
    const c = r.changes.find((x) => x.path === "lib/foo.c")!;
    expect(c.explainedBy?.trust).toBe("verified");
    expect(c.explainedBy?.reason).toContain(`gnulib at ${s.pinned.slice(0, 12)}`);
    expect(r.findings.filter((f) => f.severity === "high" || f.severity === "medium")).toEqual([]);
  });

  it("negative: a file from another gnulib commit than the pinned one is not verified", async () => {
    const s = setup();
    const r = await run(s, { "lib/foo.c": FOO_V2 }, new Map([["gnulib", s.gnulib]]));
    expect(explained(r, "lib/foo.c")).toBeUndefined();
    expect(findingsOf(r, "source-added")).toEqual(["high lib/foo.c"]);
  });

  it("evasion: the pinned bytes under another name, or in place of a file the tag has, are not verified", async () => {
    const s = setup();
    const r = await run(s, { "lib/evil.c": FOO_V1, "src/main.c": FOO_V1 }, new Map([["gnulib", s.gnulib]]));
    expect(explained(r, "lib/evil.c")).toBeUndefined();
    expect(explained(r, "src/main.c")).toBeUndefined();
    expect(findingsOf(r, "source-added")).toEqual(["high lib/evil.c"]);
  });

  it("a name that a copied gnulib build file mentions is upstream's; a tarball-only script naming it is still reported", async () => {
    const s = setup();
    const gen = "/* A Bison parser, made by GNU Bison 3.8.2.  */\nint yyparse (void) { return 0; }\n";
    const ok = await run(s, { "m4/gen.m4": GEN_M4, "lib/parse-gen.c": gen }, new Map([["gnulib", s.gnulib]]));
    expect(findingsOf(ok, "build-script-uses-added-file")).toEqual([]);
    const other = await run(s, { "lib/parse-gen.c": gen, "m4/local.m4": "# local.m4 serial 1\nAC_DEFUN([X_LOCAL], [AC_LIBOBJ([parse-gen]) dnl builds parse-gen.c\n])\n" }, new Map([["gnulib", s.gnulib]]));
    expect(findingsOf(other, "build-script-uses-added-file")).toEqual(["high m4/local.m4"]);
  });

  it("the submodule shipped in place is compared path by path at the pinned commit", async () => {
    const s = setup();
    const r = await run(s, { "gnulib/lib/foo.c": FOO_V1, "gnulib/lib/bar.h": "#define BAR 2\n" }, new Map([["gnulib", s.gnulib]]));
    expect(explained(r, "gnulib/lib/foo.c")).toBe("submodule-copy");
    expect(explained(r, "gnulib/lib/bar.h")).toBeUndefined();
  });

  it("without a clone, the report says the submodule was not compared and how to compare it", async () => {
    const s = setup();
    const r = await run(s, { "lib/foo.c": FOO_V1 });
    expect(explained(r, "lib/foo.c")).toBeUndefined();
    const note = r.notChecked.find((n) => n.path === "gnulib");
    expect(note?.reason).toContain(`pinned at ${s.pinned.slice(0, 12)}`);
    expect(note?.reason).toContain("--submodule gnulib=<a clone of https://git.example.org/gnulib.git>");
  });

  it("a path that is not a submodule of the tag, or a clone without the pinned commit, is an error", async () => {
    const s = setup();
    await expect(run(s, {}, new Map([["lib", s.gnulib]]))).rejects.toSatisfy((e: unknown) => isDistvetError(e) && /no submodule there \(its submodules: gnulib\)/.test((e as Error).message));
    const other = join(s.dir, "other");
    makeRepo(other, [{ files: { "x": "x\n" } }]);
    await expect(run(s, {}, new Map([["gnulib", other]]))).rejects.toSatisfy((e: unknown) => isDistvetError(e) && (e as Error).message.includes(`has no commit ${s.pinned}`));
  });

  it("reads the URL of each submodule path from .gitmodules", () => {
    const urls = gitmodulesUrls('# comment\n[submodule "gnulib"]\n\tpath = gnulib\n\turl = git://git.sv.gnu.org/gnulib.git\n[core]\n\tpath = nope\n[submodule "x"]\n\turl = "https://e.example/x.git"\n\tpath = third_party/x/\n');
    expect([...urls]).toEqual([
      ["gnulib", "git://git.sv.gnu.org/gnulib.git"],
      ["third_party/x", "https://e.example/x.git"],
    ]);
  });
});

describe("distvet audit --submodule", () => {
  const cli = join(process.cwd(), "dist", "cli", "main.js");
  it("verifies the copies from the command line, and refuses a malformed value with one line and exit 2", async () => {
    const s = setup();
    const file = join(s.dir, "pkg-1.0.tar.gz");
    await makeTarball(file, { root: "pkg-1.0", files: { "configure.ac": "AC_INIT([pkg],[1.0])\ngl_FOO\nAC_OUTPUT\n", "src/main.c": "int main(void){return 0;}\n", ".gitmodules": '[submodule "gnulib"]\n\tpath = gnulib\n\turl = https://git.example.org/gnulib.git\n', "lib/foo.c": FOO_V1 } });
    const ok = spawnSync("node", [cli, "audit", file, "--repo", s.project, "--ref", "v1.0", "--submodule", `gnulib=${s.gnulib}`, "--format", "json"], { encoding: "utf8" });
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout).changes.find((c: { path: string }) => c.path === "lib/foo.c").explainedBy.profile).toBe("submodule-copy");
    const bad = spawnSync("node", [cli, "audit", file, "--repo", s.project, "--ref", "v1.0", "--submodule", "gnulib"], { encoding: "utf8" });
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split("\n")).toEqual(["distvet: error: --submodule takes PATH=REPO (the submodule's path in the tree, and a clone of it), not 'gnulib'"]);
  });
});
