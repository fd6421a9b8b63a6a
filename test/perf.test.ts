/**
 * Bounded work whatever the input's shape. No timed assertions: each test checks what the
 * bounded code path produces (counts, notChecked entries, folded findings), with a fake clock
 * where time is the bound.
 */
import { describe, it, expect } from "vitest";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { runScenario, findingsOf, explained, tmp } from "./helpers.js";
import { makeRepo } from "../samples/lib/fixture.js";
import { noise } from "../samples/lib/autotools-shapes.js";
import { CliGit } from "../src/git/cli.js";
import { DiffBudget, DIFF_TIMEOUT_MS } from "../src/diff/text-diff.js";
import { AuditContext } from "../src/context.js";
import { GitAttributes } from "../src/git/attributes.js";
import { NameMatcher } from "../src/rules/build-script-uses-added-file.js";
import { defineRule, FINDINGS_PER_SEVERITY_MAX } from "../src/rules/define-rule.js";
import type { Change, Finding, TarEntry, TreeEntry } from "../src/types.js";
import type { GitBackend } from "../src/git/backend.js";
import type { Rule } from "../src/rules/registry.js";

const hasGit = (() => {
  try {
    execFileSync("git", ["--version"]);
    return true;
  } catch {
    return false;
  }
})();

describe("git cat-file --batch reader", () => {
  it.skipIf(!hasGit)("returns large blobs intact, skips blobs over the cap and keeps answering in order", async () => {
    const dir = tmp();
    const big = randomBytes(6 * 1024 * 1024); // arrives in many pipe chunks
    makeRepo(join(dir, "repo"), [{ files: { "big.bin": big, "small.txt": "small\n", "empty": "" }, tag: "v1" }]);
    const git = new CliGit(join(dir, "repo", ".git"));
    const tree = await git.listTree((await git.resolveCommit("v1"))!);
    const oid = (p: string) => tree.find((e) => e.path === p)!.oid;
    const [a, skipped, b, c, missing, d] = await Promise.allSettled([
      git.readBlob(oid("big.bin")),
      git.readBlob(oid("big.bin"), 1024), // over the cap: null, bytes discarded as they arrive
      git.readBlob(oid("small.txt")),
      git.readBlob(oid("empty")),
      git.readBlob("0".repeat(40)),
      git.readBlob(oid("small.txt"), 6),
    ]);
    expect(a.status === "fulfilled" && a.value.equals(big)).toBe(true);
    expect(skipped).toEqual({ status: "fulfilled", value: null });
    expect(b.status === "fulfilled" && b.value.toString()).toBe("small\n");
    expect(c.status === "fulfilled" && c.value.length).toBe(0);
    expect(missing.status === "rejected" && String(missing.reason.message)).toMatch(/missing from the repository/);
    expect(d.status === "fulfilled" && d.value?.toString()).toBe("small\n");
    await git.close();
  });
});

describe("total time budget for text diffs", () => {
  const lines = (n: number, salt: string) => Array.from({ length: n }, (_, i) => `${salt} line ${i} ${(i * 7919) % 1000}`).join("\n");

  it("gives each diff at most what is left, then stops diffing and counts", () => {
    // Each diff "takes" its full per-file timeout: the clock moves on between its start and end reading.
    let clock = 0;
    let reads = 0;
    const budget = new DiffBudget(5000, () => (reads++ % 2 === 0 ? clock : (clock += DIFF_TIMEOUT_MS)));
    const results = [];
    for (let i = 0; i < 5; i++) results.push(budget.diff(`f${i}`, "a\nb\n", "a\nc\n"));
    expect(results.map((d) => Boolean(d.notComputed))).toEqual([false, false, false, true, true]);
    expect(budget.notComputed).toBe(2);
    expect(results[0]!.hunks).not.toBeNull();
    expect(results[3]!.text).toMatch(/^diff not computed: the time budget for text diffs/);
    expect(results[3]!.added).toBe(2);
  });

  it("reports diffs left out for time in notChecked with their count, and still reads no blob it does not need", async () => {
    const tree = new Map<string, TreeEntry>();
    const tar = new Map<string, TarEntry>();
    const changes: Change[] = [];
    let reads = 0;
    const gitText = lines(50, "git");
    const backend: GitBackend = {
      kind: "cli",
      gitdir: "/nonexistent",
      resolveCommit: async () => null,
      listTags: async () => [],
      listTree: async () => [],
      readBlob: (async () => {
        reads++;
        return Buffer.from(gitText);
      }) as GitBackend["readBlob"],
      close: async () => undefined,
    };
    for (let i = 0; i < 4; i++) {
      const path = `doc/f${i}.txt`;
      const g: TreeEntry = { path, mode: "100644", oid: `${i}`.repeat(40) };
      // f3's tarball side is too large to keep: no diff, and no git read for it.
      const t: TarEntry = { path, rawName: `p/${path}`, type: "file", mode: 0o644, size: 10, oid: "f".repeat(40), ...(i < 3 ? { data: Buffer.from(lines(50, `tar${i}`)) } : {}) };
      tree.set(path, g);
      tar.set(path, t);
      changes.push({ kind: "modified", path, git: g, tarball: t });
    }
    const ctx = new AuditContext(tar, tree, new GitAttributes([]), backend, changes);
    (ctx as unknown as { diffBudget: DiffBudget }).diffBudget = new DiffBudget(0);
    const diffs = await Promise.all(changes.map((c) => ctx.diff(c)));
    expect(diffs.slice(0, 3).every((d) => d?.notComputed === true)).toBe(true);
    expect(diffs[3]).toBeNull();
    expect(reads).toBe(3);
    expect(ctx.notChecked).toEqual([{ path: "(text diffs)", reason: expect.stringMatching(/^3 text diff\(s\) not computed/) }]);
  });
});

describe("one pass over names (build-script-uses-added-file)", () => {
  const m = new NameMatcher(["bf-test.c", "payload.sh", "odd name.c"]);
  it("finds names however a build script writes the path around them", () => {
    expect([...m.mentioned("\tcc -o bf $(srcdir)/bf-test.c && ./bf")]).toEqual(["bf-test.c"]);
    expect([...m.mentioned('sh "${srcdir}/tests/payload.sh"')]).toEqual(["payload.sh"]);
    expect([...m.mentioned("cp x.bf-test.c y")]).toEqual(["bf-test.c"]);
    expect([...m.mentioned("`cat 'odd name.c'`")]).toEqual(["odd name.c"]);
    expect([...m.mentioned("SRC=bf-test.c\nRUN=payload.sh")].sort()).toEqual(["bf-test.c", "payload.sh"]);
  });
  it("does not take a longer or different name for one of them", () => {
    expect([...m.mentioned("bf-test.cc xbf-test.c bf-test.c2 payload.shx")]).toEqual([]);
  });
  it("flags a build script naming one of 3,000 tarball-only files, and only that one", async () => {
    const base = { "configure.ac": "AC_INIT([p],[1])\n", "Makefile.am": "SUBDIRS = src\n", "src/main.c": "int main(void){return 0;}\n" };
    const added: Record<string, string> = {};
    for (let i = 0; i < 3000; i++) added[`gen/unit${i}.c`] = `int u${i};\n`;
    const r = await runScenario({
      git: base,
      tarball: { ...base, ...added, "Makefile.am": "SUBDIRS = src\nall-local:\n\t$(CC) -o t $(srcdir)/gen/unit2999.c\n" },
    });
    expect(findingsOf(r, "build-script-uses-added-file")).toEqual(["high Makefile.am"]);
    const f = r.findings.find((x) => x.rule === "build-script-uses-added-file")!;
    expect(f.message).toContain("gen/unit2999.c");
    expect(f.message).not.toContain("gen/unit1.c");
    expect(f.evidence?.lines).toEqual(["Makefile.am:3: $(CC) -o t $(srcdir)/gen/unit2999.c"]);
  });
});

describe("copies: blob ids indexed once", () => {
  it("explains a tarball-only copy of a tagged file and names the first such file", async () => {
    const files = { "a/x.c": "int x;\n", "b/x.c": "int x;\n", "c.txt": "c\n" };
    const r = await runScenario({ git: files, tarball: { ...files, "d/copy.c": "int x;\n", "d/new.c": "int new;\n" } });
    expect(explained(r, "d/copy.c")).toBe("copy");
    expect(r.changes.find((c) => c.path === "d/copy.c")!.explainedBy!.reason).toBe("byte-identical to a/x.c in the tagged tree");
    expect(explained(r, "d/new.c")).toBeUndefined();
  });
  it("does not take a symlink's target text for a copy of the link", async () => {
    const r = await runScenario({ git: { "l": { symlink: "target.c" }, "target.c": "int t;\n" }, tarball: { "l": { symlink: "target.c" }, "target.c": "int t;\n", "fake.c": "target.c" } });
    expect(explained(r, "fake.c")).toBeUndefined();
  });
});

describe("fixture-churn does no previous-release work when nothing can churn", () => {
  const dir = tmp();
  const repo = join(dir, "repo");
  const v1 = { "configure.ac": "AC_INIT([p],[1])\n", "tests/a.txt": "one\n", "tests/b.txt": "two\n" };
  const v2 = { ...v1, "tests/a.txt": "one, changed\n" };
  makeRepo(repo, [
    { files: v1, tag: "v1.0" },
    { files: v2, tag: "v1.1" },
    { files: { ...v2, "tests/blob.bin": noise(256, 3) }, tag: "v1.2" },
    { files: { ...v2, "tests/blob.bin": noise(256, 4) }, tag: "v1.3" },
  ]);
  it("text-only fixtures: the previous tag is not even looked up", async () => {
    const r = await runScenario({ git: v2, tarball: v2, tag: "v1.1", options: { repo } });
    expect(r.git.previousRef).toBeUndefined();
  });
  it("a binary fixture: the previous tag is compared (and a replaced one is reported)", async () => {
    const files = { ...v2, "tests/blob.bin": noise(256, 4) };
    const r = await runScenario({ git: files, tarball: files, tag: "v1.3", options: { repo } });
    expect(r.git.previousRef).toBe("v1.2");
    expect(findingsOf(r, "fixture-churn")).toEqual(["medium tests/blob.bin"]);
  });
  it("a test file that names the replaced fixture explains it (evasion: named only inside a longer word does not)", async () => {
    const repo2 = join(dir, "repo2");
    const a = { "configure.ac": "AC_INIT([p],[1])\n", "tests/blob.bin": noise(256, 1), "tests/run.sh": "#!/bin/sh\n" };
    const named = { ...a, "tests/blob.bin": noise(256, 2), "tests/run.sh": "#!/bin/sh\n./check < \"$srcdir/blob.bin\"\n" };
    const dodged = { ...a, "tests/blob.bin": noise(256, 2), "tests/run.sh": "#!/bin/sh\n# see xblob.bin\n" };
    makeRepo(repo2, [
      { files: a, tag: "v1.0" },
      { files: named, tag: "v1.1" },
    ]);
    const ok = await runScenario({ git: named, tarball: named, tag: "v1.1", options: { repo: repo2 } });
    expect(findingsOf(ok, "fixture-churn")).toEqual([]);
    const repo3 = join(dir, "repo3");
    makeRepo(repo3, [
      { files: a, tag: "v1.0" },
      { files: dodged, tag: "v1.1" },
    ]);
    const bad = await runScenario({ git: dodged, tarball: dodged, tag: "v1.1", options: { repo: repo3 } });
    expect(findingsOf(bad, "fixture-churn")).toEqual(["medium tests/blob.bin"]);
  });
});

describe("many findings", () => {
  it("folds findings of one rule and severity past the limit into one counted finding", async () => {
    const rule = defineRule({
      id: "other-file-changed",
      severity: "low",
      title: "t",
      check(_ctx, report) {
        for (let i = 0; i < FINDINGS_PER_SEVERITY_MAX + 1500; i++) report({ path: `f${i}`, message: "m" });
        report({ path: "h", message: "m", severity: "high" });
      },
    });
    const out = await rule.check({} as AuditContext);
    expect(out.length).toBe(FINDINGS_PER_SEVERITY_MAX + 2);
    const folded = out.find((f) => f.path === "(1500 more files)")!;
    expect(folded.severity).toBe("low");
    expect(folded.evidence?.lines?.[0]).toBe(`f${FINDINGS_PER_SEVERITY_MAX}`);
    expect(out.filter((f) => f.severity === "high").map((f) => f.path)).toEqual(["h"]);
  });
  it("an audit takes 200,000 findings from one rule without spreading them into a call", async () => {
    const flood: Rule = {
      id: "flood",
      severity: "info",
      title: "many",
      check: async () => Array.from({ length: 200_000 }, (_, i): Finding => ({ rule: "flood", severity: "info", path: `p${i}`, title: "t", message: "m", docs: "" })),
    };
    const r = await runScenario({ git: { "a.txt": "a\n" }, tarball: { "a.txt": "a\n" }, options: { rules: [flood] } });
    expect(r.summary.findings.info).toBe(200_000);
  });
});
