import { describe, it, expect } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readTarball } from "../src/archive/read-tar.js";
import { detectCompression } from "../src/archive/detect.js";
import { blobId } from "../src/archive/blob-id.js";
import { normalizeMemberName, resolveLinkTarget } from "../src/archive/paths.js";
import { makeRepo, makeTarball, type Compression } from "../samples/lib/fixture.js";
import { noise } from "../samples/lib/autotools-shapes.js";
import { tmp } from "./tmp.js";

const has = (cmd: string): boolean => spawnSync(cmd, ["--version"]).status === 0;
const files = { "a.txt": "hello\n", "dir/b.c": "int x;\n", "run.sh": { content: "#!/bin/sh\necho hi\n", mode: 0o755 }, link: { symlink: "a.txt" } };

describe("archive reader", () => {
  const compressions: Compression[] = ["gzip", "xz", "bzip2", "zstd", "none"];
  for (const c of compressions) {
    it.skipIf(c === "bzip2" ? !has("bzip2") : c === "zstd" ? !has("zstd") : c === "xz" ? !has("xz") : false)(`reads ${c} by magic bytes and hashes entries as git blobs`, async () => {
      const file = join(tmp(), "pkg-1.0.archive"); // no telling extension: detection is by content
      await makeTarball(file, { root: "pkg-1.0", files, compression: c });
      const r = await readTarball(file);
      expect(r.compression).toBe(c);
      expect(r.root).toBe("pkg-1.0");
      const byPath = Object.fromEntries(r.entries.map((e) => [e.path, e]));
      expect(byPath["a.txt"]!.oid).toBe(blobId("hello\n"));
      expect(byPath["dir/b.c"]!.oid).toBe(blobId("int x;\n"));
      expect(byPath["run.sh"]!.mode & 0o111).not.toBe(0);
      expect(byPath["link"]).toMatchObject({ type: "symlink", linkTarget: "a.txt", oid: blobId("a.txt") });
      expect(r.sha256).toMatch(/^[0-9a-f]{64}$/);
    });
  }

  for (const c of ["bzip2", "zstd"] as const) {
    it.skipIf(!has(c))(`decodes ${c} in JavaScript when the ${c} program is missing`, async () => {
      const dir = tmp();
      const file = join(dir, "p.tar.x");
      const big = noise(300_000, 7);
      await makeTarball(file, { root: "p-1", files: { ...files, big }, compression: c });
      const r = await readTarball(file, { forceJsDecompressors: true });
      expect(r.entries.find((e) => e.path === "big")?.oid).toBe(blobId(big));
      expect(r.entries.find((e) => e.path === "a.txt")?.oid).toBe(blobId("hello\n"));
      const bytes = readFileSync(file);
      writeFileSync(join(dir, "cut"), bytes.subarray(0, Math.floor(bytes.length / 2)));
      await expect(readTarball(join(dir, "cut"), { forceJsDecompressors: true })).rejects.toMatchObject({ code: expect.stringMatching(/E_TRUNCATED|E_CORRUPT/) });
    });
  }

  it("matches the blob ids git itself computes (git archive output, pax global header)", async () => {
    const dir = tmp();
    const [commit] = makeRepo(join(dir, "repo"), [{ files, tag: "v1" }]);
    const tarFile = join(dir, "x.tar");
    execFileSync("git", ["-C", join(dir, "repo"), "archive", "--prefix=x-1/", "-o", tarFile, "v1"]);
    const r = await readTarball(tarFile);
    expect(r.paxCommit).toBe(commit);
    const lsTree = execFileSync("git", ["-C", join(dir, "repo"), "ls-tree", "-r", "v1"], { encoding: "utf8" });
    for (const line of lsTree.trim().split("\n")) {
      const [meta, path] = line.split("\t");
      const oid = meta!.split(" ")[2];
      expect(r.entries.find((e) => e.path === path)?.oid, path).toBe(oid);
    }
  });

  it("reads V7 headers (no ustar magic)", async () => {
    const file = join(tmp(), "v7.tar");
    await makeTarball(file, { root: "old-1", files: { "README": "old\n" }, compression: "none", format: "v7" });
    const r = await readTarball(file);
    expect(r.entries.map((e) => e.path)).toContain("README");
  });

  it("reads pax long names", async () => {
    const long = `${"d".repeat(60)}/${"e".repeat(60)}/${"f".repeat(70)}.txt`;
    const file = join(tmp(), "pax.tar");
    await makeTarball(file, { root: "p-1", files: { [long]: "deep\n" }, compression: "none" });
    const r = await readTarball(file);
    expect(r.entries.find((e) => e.path === long)?.oid).toBe(blobId("deep\n"));
  });

  it.skipIf(!has("tar"))("reads GNU long names and long link targets (tar --format=gnu)", async () => {
    const dir = join(tmp(), "gnu-1");
    mkdirSync(dir);
    const long = `${"x".repeat(120)}.txt`;
    writeFileSync(join(dir, long), "gnu\n");
    symlinkSync(long, join(dir, `link-${"y".repeat(110)}`));
    const file = join(dir, "..", "gnu.tar");
    execFileSync("tar", ["--format=gnu", "-cf", file, "-C", join(dir, ".."), "gnu-1"]);
    const r = await readTarball(file);
    expect(r.entries.find((e) => e.path === long)?.oid).toBe(blobId("gnu\n"));
    expect(r.entries.find((e) => e.type === "symlink")?.linkTarget).toBe(long);
  });

  it("resolves hardlinks to the earlier member's content", async () => {
    const file = join(tmp(), "hl.tar.gz");
    await makeTarball(file, { root: "h-1", files: { "a": "same\n", "b": { hardlink: "a" } } });
    const r = await readTarball(file, { retain: () => true });
    const b = r.entries.find((e) => e.path === "b")!;
    expect(b).toMatchObject({ type: "file", hardlinkTo: "a", oid: blobId("same\n") });
    expect(b.data?.toString()).toBe("same\n");
  });

  it("reports a hardlink to a missing member instead of guessing", async () => {
    const file = join(tmp(), "hl2.tar");
    await makeTarball(file, { root: "h-1", files: { "b": { hardlink: "nope" } }, compression: "none" });
    const r = await readTarball(file);
    expect(r.problems).toEqual([{ path: "b", reason: expect.stringContaining("hardlink") }]);
  });

  it("keeps bytes only for entries the caller wants", async () => {
    const file = join(tmp(), "k.tar.gz");
    await makeTarball(file, { root: "k-1", files: { "keep": "1\n", "drop": "2\n" } });
    const r = await readTarball(file, { retain: (oid) => oid === blobId("1\n") });
    expect(r.entries.find((e) => e.path === "keep")!.data?.toString()).toBe("1\n");
    expect(r.entries.find((e) => e.path === "drop")!.data).toBeUndefined();
  });

  it("fails clearly on truncated gzip and xz streams", async () => {
    for (const c of ["gzip", "xz"] as const) {
      const dir = tmp();
      const full = join(dir, `full.${c}`);
      await makeTarball(full, { root: "t-1", files: { big: noise(200_000, 3) }, compression: c });
      const bytes = readFileSync(full);
      writeFileSync(join(dir, "cut"), bytes.subarray(0, Math.floor(bytes.length / 2)));
      await expect(readTarball(join(dir, "cut"))).rejects.toMatchObject({ code: "E_TRUNCATED" });
    }
  });

  it("fails clearly on a truncated plain tar", async () => {
    const file = join(tmp(), "t.tar");
    await makeTarball(file, { root: "t-1", files: { a: "x".repeat(5000) }, compression: "none", truncateAt: 2048 });
    await expect(readTarball(file)).rejects.toMatchObject({ code: expect.stringMatching(/E_TRUNCATED|E_CORRUPT/) });
  });

  it("rejects files that are not tarballs, zip files and missing files", async () => {
    const dir = tmp();
    writeFileSync(join(dir, "notes.tar.gz"), "just text, not an archive\n");
    await expect(readTarball(join(dir, "notes.tar.gz"))).rejects.toMatchObject({ code: "E_NOT_AN_ARCHIVE" });
    writeFileSync(join(dir, "a.zip"), Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0]));
    await expect(readTarball(join(dir, "a.zip"))).rejects.toMatchObject({ code: "E_NOT_AN_ARCHIVE", message: expect.stringContaining("zip") });
    await expect(readTarball(join(dir, "missing.tar.gz"))).rejects.toMatchObject({ code: "E_TARBALL_NOT_FOUND" });
  });

  it("does not strip a root when entries have different top-level names", async () => {
    const file = join(tmp(), "flat.tar");
    await makeTarball(file, { files: { "a/x": "1", "b/y": "2" }, compression: "none" });
    const r = await readTarball(file);
    expect(r.root).toBeUndefined();
    expect(r.entries.map((e) => e.path).sort()).toEqual(["a", "a/x", "b", "b/y"]);
  });
});

describe("magic bytes and member names", () => {
  it("detects formats by content", () => {
    expect(detectCompression(Buffer.from([0x1f, 0x8b, 8]))).toBe("gzip");
    expect(detectCompression(Buffer.from("hello world"))).toBe("unknown");
  });
  it("flags absolute and traversing names", () => {
    expect(normalizeMemberName("./a//b/./c")).toEqual({ path: "a/b/c" });
    expect(normalizeMemberName("/etc/passwd").unsafe).toMatch(/absolute/);
    expect(normalizeMemberName("pkg/../../x").unsafe).toMatch(/traversal/);
  });
  it("resolves symlink targets inside the tree only", () => {
    expect(resolveLinkTarget("a/b/link", "../c")).toBe("a/c");
    expect(resolveLinkTarget("a/link", "../../etc/passwd")).toBeNull();
    expect(resolveLinkTarget("link", "/etc/passwd")).toBeNull();
  });
});
