import { describe, it, expect } from "vitest";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { makeRepo } from "../samples/lib/fixture.js";
import { openRepo } from "../src/git/open.js";
import { CliGit } from "../src/git/cli.js";
import { IsoGit } from "../src/git/iso.js";
import { GitAttributes } from "../src/git/attributes.js";
import { matchTags, parseTarballName } from "../src/git/resolve-tag.js";
import { tmp } from "./tmp.js";

function fixtureRepo() {
  const dir = tmp();
  const work = join(dir, "work");
  const bare = join(dir, "bare.git");
  const ids = makeRepo(
    work,
    [
      { files: { "a.txt": "one\n" }, tag: "v1.0" },
      { files: { "a.txt": "two\n", "bin/run": { content: "#!/bin/sh\n", mode: 0o755 }, "l": { symlink: "a.txt" }, "deep/x/y.c": "int y;\n" }, tag: "v2.0", annotated: true },
    ],
    { bare },
  );
  execFileSync("git", ["-C", work, "branch", "stable", ids[0]!]);
  execFileSync("git", ["-C", bare, "fetch", "-q", work, "stable:stable"]);
  return { work, bare, ids };
}

describe("git backends", () => {
  const { work, bare, ids } = fixtureRepo();
  for (const [name, make] of [
    ["cli", (d: string) => new CliGit(d)],
    ["isomorphic-git", (d: string) => new IsoGit(d)],
  ] as const) {
    for (const [layout, gitdir] of [
      ["working tree", join(work, ".git")],
      ["bare", bare],
    ] as const) {
      it(`${name} on a ${layout} repo resolves tags, annotated tags, branches and short ids`, async () => {
        const g = make(gitdir);
        expect(await g.resolveCommit("v1.0")).toBe(ids[0]);
        expect(await g.resolveCommit("v2.0")).toBe(ids[1]); // annotated: peeled to the commit
        expect(await g.resolveCommit("stable")).toBe(ids[0]);
        expect(await g.resolveCommit(ids[1]!.slice(0, 10))).toBe(ids[1]);
        expect(await g.resolveCommit("v9.9")).toBeNull();
        expect((await g.listTags()).sort()).toEqual(["v1.0", "v2.0"]);
        await g.close();
      });

      it(`${name} on a ${layout} repo lists the tree with modes and blob ids`, async () => {
        const g = make(gitdir);
        const tree = await g.listTree(ids[1]!);
        expect(tree.map((e) => `${e.mode} ${e.path}`)).toEqual(["100644 a.txt", "100755 bin/run", "100644 deep/x/y.c", "120000 l"]);
        const blob = await g.readBlob(tree[0]!.oid);
        expect(blob.toString()).toBe("two\n");
        await g.close();
      });
    }
  }

  it("both backends return null for a blob over the caller's size cap, the bytes otherwise, and list tags once", async () => {
    for (const g of [new CliGit(bare), new IsoGit(bare)]) {
      const tree = await g.listTree(ids[1]!);
      const oid = tree.find((e) => e.path === "a.txt")!.oid;
      expect(await g.readBlob(oid, 3)).toBeNull();
      expect((await g.readBlob(oid, 4))?.toString()).toBe("two\n");
      expect((await g.readBlob(oid)).toString()).toBe("two\n");
      const tags = await g.listTags();
      tags.push("mutated by a caller");
      expect((await g.listTags()).sort()).toEqual(["v1.0", "v2.0"]);
      await g.close();
    }
  });

  it("both backends list identical trees", async () => {
    const a = await new CliGit(bare).listTree(ids[1]!);
    const b = await new IsoGit(bare).listTree(ids[1]!);
    expect(b).toEqual(a);
  });

  it("the git binary's listing is read as it streams: records split across pipe chunks, odd names, and a failure are exact", async () => {
    // 3,000 files with long, non-ASCII, spaced and tab-holding names: the listing is ~600 KB,
    // so records straddle the pipe's 64 KB chunks at every offset.
    const files: Record<string, string> = {};
    for (let i = 0; i < 3000; i++) files[`dir ${i % 7}/${"ü".repeat(i % 40)}-${"x".repeat(i % 113)}\tname ${i}.c`] = `${i}\n`;
    const big = tmp();
    const [id] = makeRepo(join(big, "w"), [{ files, tag: "v1" }], { bare: join(big, "b.git") });
    const listed = await new CliGit(join(big, "b.git")).listTree(id!);
    expect(listed.length).toBe(3000);
    expect(new Set(listed.map((e) => e.path))).toEqual(new Set(Object.keys(files)));
    const byHand = execFileSync("git", ["--git-dir", join(big, "b.git"), "ls-tree", "-r", "-z", "--full-tree", id!]).toString("utf8").split("\0").filter(Boolean);
    expect(listed.map((e) => `${e.mode} blob ${e.oid}\t${e.path}`)).toEqual(byHand);
    await expect(new CliGit(join(big, "b.git")).listTree("0".repeat(40))).rejects.toMatchObject({ code: "E_GIT_FAILED" });
  });

  it("openRepo accepts a working tree or a bare repo and rejects other paths", async () => {
    expect((await openRepo(work)).gitdir).toBe(join(work, ".git"));
    expect((await openRepo(bare, "isomorphic-git")).kind).toBe("isomorphic-git");
    await expect(openRepo(tmp())).rejects.toMatchObject({ code: "E_REPO_NOT_FOUND" });
    await expect(openRepo("/does/not/exist")).rejects.toMatchObject({ code: "E_REPO_NOT_FOUND" });
  });
});

describe("tag guessing", () => {
  const cases: [string, string[], string][] = [
    ["xz-5.4.1.tar.gz", ["v5.4.0", "v5.4.1", "v5.4.10"], "v5.4.1"],
    ["xz-utils_5.4.1.orig.tar.xz", ["v5.4.1", "v5.4.1alpha"], "v5.4.1"],
    ["foo-5.4.1.tar.gz", ["5.4.1", "5.4.10"], "5.4.1"],
    ["xz-5.4.1.tar.bz2", ["xz-5.4.1", "xz-5.4.11"], "xz-5.4.1"],
    ["curl-7.88.1.tar.xz", ["curl-7_88_0", "curl-7_88_1"], "curl-7_88_1"],
    ["R-2.5.0.tar.gz", ["R_2_5_0", "R_2_5_1"], "R_2_5_0"],
    ["openssh-9.2p1.tar.gz", ["V_9_2_P1", "V_9_1_P1"], "V_9_2_P1"],
    ["sudo-1.9.13p3.tar.gz", ["SUDO_1_9_13p2", "SUDO_1_9_13p3"], "SUDO_1_9_13p3"],
    ["libssh2-1.10.0.tar.gz", ["libssh2-1.10.0", "libssh2-1.1.0"], "libssh2-1.10.0"],
    ["libsodium-1.0.18.tar.gz", ["1.0.18-RELEASE", "1.0.17-RELEASE"], "1.0.18-RELEASE"],
    ["pkg_2.0+dfsg.orig.tar.gz", ["v2.0", "v2.0.1"], "v2.0"],
  ];
  for (const [file, tags, want] of cases) {
    it(`${file} → ${want}`, () => {
      const parsed = parseTarballName(file);
      expect(parsed).not.toBeNull();
      expect(matchTags(tags, parsed!)[0]).toBe(want);
    });
  }
  it("finds nothing rather than a wrong tag", () => {
    expect(matchTags(["v15.4.1", "v5.4.11", "v5.4"], parseTarballName("xz-5.4.1.tar.gz")!)).toEqual([]);
  });
});

describe(".gitattributes", () => {
  const attrs = new GitAttributes([
    { path: ".gitattributes", content: "/tests export-ignore\n*.bat eol=crlf\nversion.h export-subst\n*.png binary\n" },
    { path: "sub/.gitattributes", content: "local.txt export-ignore\n" },
  ]);
  it("applies export-ignore to paths and everything under ignored directories", () => {
    expect(attrs.get("tests/a/b.c").exportIgnore).toBe(true);
    expect(attrs.get("src/tests/x").exportIgnore).toBe(false);
    expect(attrs.get("sub/local.txt").exportIgnore).toBe(true);
    expect(attrs.get("local.txt").exportIgnore).toBe(false);
  });
  it("reads eol, export-subst and binary macros", () => {
    expect(attrs.get("win/build.bat").eol).toBe("crlf");
    expect(attrs.get("include/version.h").exportSubst).toBe(true);
    expect(attrs.get("logo.png").text).toBe(false);
  });
});
