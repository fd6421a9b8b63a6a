/**
 * Fuzz targets (fast-check properties) for the parts of distvet that read untrusted input:
 * the archive reader, the .gitattributes parser, the tarball-name / tag parser, the provenance
 * normaliser, the hunk classifier and the setup.cfg reader. Each target is
 * "never throws anything but a DistvetError, never hangs, and keeps its invariant".
 * `test/fuzz.test.ts` runs a short smoke and replays the committed corpus; `npm run fuzz`
 * (bench/fuzz.ts) runs them for minutes.
 */
import fc from "fast-check";
import { writeFileSync } from "node:fs";
import { join, posix } from "node:path";
import { gzipSync } from "node:zlib";
import { structuredPatch } from "diff";
import { readTarball } from "../src/archive/read-tar.js";
import { isDistvetError } from "../src/errors.js";
import { GitAttributes } from "../src/git/attributes.js";
import { matchTags, nearbyTags, parseTarballName, previousTag } from "../src/git/resolve-tag.js";
import { bodyHash, helperStamp, m4Serial, normalizedLines, packLineHashes, unpackLineHashes } from "../src/provenance/normalize.js";
import { classifyHunks } from "../src/diff/classify-hunks.js";
import { isBuildScript } from "../src/content/kinds.js";
import { iniEntries } from "../src/normalize/python-sdist.js";
import { makeTarball, type Files } from "../samples/lib/fixture.js";
import { declarationsOf, fillsTemplate } from "../src/analysis/declared-outputs.js";
import { computedOperands } from "../src/analysis/reach.js";
const posixNormalize = (p: string): string => posix.normalize(p);

/* ------------------------------------------------------------------ archive reader */

/** Small trees the mutated tarballs start from (built with the same writer the tests use). */
export const SEED_TREES: Files[] = [
  { "configure.ac": "AC_INIT([x],[1])\n", "src/a.c": "int a;\n", "m4/x.m4": "# serial 1\nAC_DEFUN([X])\n" },
  { "bin/run": { content: "#!/bin/sh\necho hi\n", mode: 0o755 }, link: { symlink: "bin/run" }, hard: { hardlink: "bin/run" }, "empty/": { dir: true } },
  { [`${"long/".repeat(30)}name.txt`]: "long names need pax or GNU headers\n", "data.bin": Buffer.from([0, 1, 2, 3, 255, 254]) },
];

export type Mutation =
  | { op: "set"; at: number; byte: number }
  | { op: "truncate"; at: number }
  | { op: "insert"; at: number; bytes: number[] }
  | { op: "octal"; header: number; field: "size" | "mode" | "mtime" | "chksum" | "typeflag"; value: string; fixChecksum?: boolean }
  | { op: "zero"; at: number; length: number };

/** Where header fields sit in a 512-byte ustar header. */
const FIELD: Record<"size" | "mode" | "mtime" | "chksum" | "typeflag", [number, number]> = {
  mode: [100, 8],
  size: [124, 12],
  mtime: [136, 12],
  chksum: [148, 8],
  typeflag: [156, 1],
};

export interface TarRecipe {
  seed: number;
  /** Mutations apply to the plain tar; "gzip" then compresses it, "gzip-mutated" mutates the gzip stream instead. */
  stage: "none" | "gzip" | "gzip-mutated";
  mutations: Mutation[];
  /** Keep every member's bytes (exercises the retain path). */
  retainAll: boolean;
}

const seedCache = new Map<number, Buffer>();
async function seedTar(dir: string, seed: number): Promise<Buffer> {
  let b = seedCache.get(seed);
  if (!b) {
    const file = join(dir, `seed${seed}.tar`);
    await makeTarball(file, { root: "pkg-1.0", files: SEED_TREES[seed % SEED_TREES.length]!, compression: "none" });
    const { readFileSync } = await import("node:fs");
    b = readFileSync(file);
    seedCache.set(seed, b);
  }
  return b;
}

export function mutate(input: Buffer, mutations: Mutation[]): Buffer {
  let b = Buffer.from(input);
  for (const m of mutations) {
    if (b.length === 0) break;
    switch (m.op) {
      case "set":
        b[m.at % b.length] = m.byte & 0xff;
        break;
      case "truncate":
        b = b.subarray(0, m.at % (b.length + 1));
        break;
      case "insert": {
        const at = m.at % (b.length + 1);
        b = Buffer.concat([b.subarray(0, at), Buffer.from(m.bytes), b.subarray(at)]);
        break;
      }
      case "zero": {
        const at = m.at % b.length;
        b.fill(0, at, Math.min(b.length, at + m.length));
        break;
      }
      case "octal": {
        const blocks = Math.floor(b.length / 512);
        if (blocks === 0) break;
        const base = (m.header % blocks) * 512;
        const [off, len] = FIELD[m.field];
        const text = Buffer.from(m.value.slice(0, len), "latin1");
        b.fill(0, base + off, base + off + len);
        text.copy(b, base + off);
        // A header with a wrong checksum is refused at once; recomputing it reaches the code behind.
        if (m.fixChecksum && m.field !== "chksum") {
          b.fill(0x20, base + 148, base + 156);
          let sum = 0;
          for (let k = base; k < base + 512; k++) sum += b[k]!;
          b.write(sum.toString(8).padStart(6, "0") + "\0 ", base + 148, "latin1");
        }
        break;
      }
    }
  }
  return b;
}

/** The bytes a recipe describes (deterministic: the seed tarballs have fixed dates). */
export async function recipeBytes(dir: string, r: TarRecipe): Promise<Buffer> {
  const raw = await seedTar(dir, r.seed);
  if (r.stage === "none") return mutate(raw, r.mutations);
  if (r.stage === "gzip") return gzipSync(mutate(raw, r.mutations));
  return mutate(gzipSync(raw), r.mutations);
}

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant("set" as const), at: fc.nat(), byte: fc.nat(255) }),
  fc.record({ op: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({ op: fc.constant("insert" as const), at: fc.nat(), bytes: fc.array(fc.nat(255), { maxLength: 600 }) }),
  fc.record({ op: fc.constant("zero" as const), at: fc.nat(), length: fc.integer({ min: 1, max: 1024 }) }),
  fc.record({
    op: fc.constant("octal" as const),
    header: fc.nat(64),
    field: fc.constantFrom("size" as const, "mode" as const, "mtime" as const, "chksum" as const, "typeflag" as const),
    value: fc.oneof(
      fc.stringMatching(/^[0-7 \0]{1,12}$/),
      fc.constantFrom("0", "777777777777", "-1", "1e9", "\x80\0\0\0\0\0\0\0\0\0\0\x01", "5", "0", "1", "2", "L", "K", "x", "g", "S", "V"),
      fc.string({ maxLength: 12 }),
    ),
    fixChecksum: fc.boolean(),
  }),
);

export const tarRecipeArb: fc.Arbitrary<TarRecipe> = fc.record({
  seed: fc.nat(SEED_TREES.length - 1),
  stage: fc.constantFrom("none" as const, "gzip" as const, "gzip-mutated" as const),
  mutations: fc.array(mutationArb, { minLength: 1, maxLength: 6 }),
  retainAll: fc.boolean(),
});

/** A reading that neither resolves nor rejects within this time counts as a hang. */
export const ARCHIVE_HANG_MS = 20_000;

export class FuzzFailure extends Error {}

/** Archive target: readTarball on the recipe's bytes resolves, or rejects with a DistvetError, in bounded time. */
export async function archiveTarget(dir: string, r: TarRecipe, n: number, hangMs = ARCHIVE_HANG_MS): Promise<void> {
  const file = join(dir, `case${n % 4}.tar${r.stage === "none" ? "" : ".gz"}`);
  writeFileSync(file, await recipeBytes(dir, r));
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<"hang">((resolve) => (timer = setTimeout(() => resolve("hang"), hangMs)));
  try {
    const out = await Promise.race([
      readTarball(file, { retain: () => r.retainAll, wantsInspection: () => true, inspect: () => undefined }).then(
        (listing) => {
          // What the reader returns must be consistent: every file has a blob id, sizes are sane.
          for (const e of listing.entries) {
            // A file without a blob id must be accounted for (e.g. a hardlink to a missing member).
            if (e.type === "file" && !e.oid && !e.unsafe && !listing.problems.some((p) => p.path.endsWith(e.path))) throw new FuzzFailure(`file entry without a blob id, not listed as a problem: ${e.path}`);
            if (!(e.size >= 0)) throw new FuzzFailure(`negative or NaN size for ${e.path}`);
          }
          return "ok" as const;
        },
        (e: unknown) => {
          if (isDistvetError(e)) return "error" as const;
          throw new FuzzFailure(`readTarball threw a non-DistvetError: ${(e as Error)?.stack ?? String(e)}`);
        },
      ),
      hang,
    ]);
    if (out === "hang") throw new FuzzFailure(`readTarball neither resolved nor rejected within ${hangMs} ms`);
  } finally {
    clearTimeout(timer);
  }
}

/* ------------------------------------------------------------------ text parsers */

/** Text built from pieces that matter to the parsers, mixed with arbitrary strings. */
const piece = (specials: string[]): fc.Arbitrary<string> =>
  fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...specials) }, { weight: 1, arbitrary: fc.string({ maxLength: 8 }) }, { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 4 }) });
const textOf = (specials: string[], maxLength = 60): fc.Arbitrary<string> => fc.array(piece(specials), { maxLength }).map((a) => a.join(""));

const ATTR_PIECES = ["\n", "\r\n", " ", "\t", "*", "**", "/", "\\", "!", "#", "[attr]", "-", "=", "export-ignore", "export-subst", "eol=crlf", "eol=lf", "text", "-text", "text=auto", "binary", "!export-ignore", "*.c", "dir/", "a", "[a-z]", "?", "\"", "\\ "];
export const attributesArb = fc.record({
  files: fc.array(fc.record({ dir: fc.constantFrom("", "a", "a/b", "sub dir", "x*"), content: textOf(ATTR_PIECES) }), { maxLength: 3 }),
  paths: fc.array(textOf(["a", "b", "/", ".c", "sub dir", "x*", ".", "..", "*", "\\"], 8), { maxLength: 6 }),
});

export function attributesTarget(input: { files: { dir: string; content: string }[]; paths: string[] }): void {
  const attrs = new GitAttributes(input.files.map((f) => ({ path: f.dir ? `${f.dir}/.gitattributes` : ".gitattributes", content: f.content })));
  for (const p of input.paths) {
    const got = attrs.get(p);
    if (typeof got.exportIgnore !== "boolean" || typeof got.exportSubst !== "boolean") throw new FuzzFailure("attributes not boolean");
    if (got.eol !== undefined && got.eol !== "crlf" && got.eol !== "lf") throw new FuzzFailure(`eol=${String(got.eol)}`);
  }
}

const NAME_PIECES = ["-", "_", ".", "v", "V", "1", "2", "10", "0", "rc1", ".tar", ".gz", ".xz", ".orig", "+dfsg", "~", "release", "/", "xz", "curl", "7_88"];
export const tagsArb = fc.record({
  file: textOf(NAME_PIECES, 12),
  tags: fc.array(textOf(NAME_PIECES, 8), { maxLength: 12 }),
});

export function tagsTarget(input: { file: string; tags: string[] }): void {
  const parsed = parseTarballName(input.file);
  if (parsed) {
    if (!parsed.version || !/^\d/.test(parsed.version)) throw new FuzzFailure(`version '${parsed.version}' does not start with a digit`);
    const matched = matchTags(input.tags, parsed);
    for (const t of matched) if (!input.tags.includes(t)) throw new FuzzFailure(`matchTags invented ${t}`);
    for (const t of nearbyTags(input.tags, parsed)) if (!input.tags.includes(t)) throw new FuzzFailure(`nearbyTags invented ${t}`);
  }
  for (const cur of input.tags) {
    const prev = previousTag(input.tags, cur);
    if (prev !== null && (prev === cur || !input.tags.includes(prev))) throw new FuzzFailure(`previousTag(${cur}) = ${prev}`);
  }
}

const M4_PIECES = ["# serial ", "dnl serial ", "#", "dnl", "1", "30", ".5", " ", "\t", "\n", "\r\n", "AC_DEFUN", "([X])", "x.m4 ", "scriptversion=", "timestamp='", "'", "VERSION=", "\"", ";"];
export const provenanceArb = fc.record({
  content: textOf(M4_PIECES, 80),
  name: fc.constantFrom("x.m4", "ltmain.sh", "config.guess", "install-sh", "config.rpath", "missing", "other"),
  hashes: fc.array(fc.nat(), { maxLength: 50 }),
});

export function provenanceTarget(input: { content: string; name: string; hashes: number[] }): void {
  m4Serial(input.content);
  helperStamp(input.name, input.content);
  for (const kind of ["m4", "helper"] as const) {
    const lines = normalizedLines(input.content, kind);
    for (const l of lines) if (l !== l.trim() || l === "" || /\s\s/.test(l)) throw new FuzzFailure(`line not normalised: ${JSON.stringify(l)}`);
    if (!/^[0-9a-f]+$/.test(bodyHash(input.content, kind))) throw new FuzzFailure("body hash not hex");
  }
  const set = new Set(input.hashes.map((h) => h >>> 0));
  const back = unpackLineHashes(packLineHashes(set));
  if (back.size !== set.size || [...set].some((h) => !back.has(h))) throw new FuzzFailure("packLineHashes/unpackLineHashes do not round-trip");
}

const HUNK_PIECES = [".TH X 1 \"2024\"", "#define VERSION \"1.2\"", "#define PKG_VERSION 0x1", "@set UPDATED 1 May 2024", "\"POT-Creation-Date: 2024\"", "$Format:%H$", "$Format:%cd$", "abc", "1.2.3", "May", "2024-01-01", " ", "$", "%", "\\"];
export const hunksArb = fc.record({
  path: fc.constantFrom("x.1", "a.h", "doc.texi", "po/x.po", "NEWS", "src/a.c", "README.md", "CMakeLists.txt", "configure", "m4/x.m4"),
  before: fc.array(textOf(HUNK_PIECES, 6), { maxLength: 12 }),
  after: fc.array(textOf(HUNK_PIECES, 6), { maxLength: 12 }),
});

export function hunksTarget(input: { path: string; before: string[]; after: string[] }): void {
  const a = input.before.map((l) => l.replace(/[\r\n]/g, "")).join("\n");
  const b = input.after.map((l) => l.replace(/[\r\n]/g, "")).join("\n");
  const patch = structuredPatch("a", "b", a, b, "", "", { context: 1, timeout: 1000 });
  if (!patch) return;
  const verdicts = classifyHunks(input.path, patch.hunks);
  if (verdicts.length !== patch.hunks.length) throw new FuzzFailure("one verdict per hunk");
  for (const v of verdicts) if (v.stamps !== null && v.stamps.length === 0) throw new FuzzFailure("empty stamp list");
  // Build scripts are never stamps, whatever their lines look like.
  if (isBuildScript(input.path) && verdicts.some((v) => v.stamps !== null)) throw new FuzzFailure(`a hunk of the build script ${input.path} counted as a stamp`);
}

const INI_PIECES = ["[metadata]", "[options]", "[egg_info]", "[", "]", "name", "Name-X", " = ", ":", "=", "\n", "\r\n", "  ", "\t", "#", ";", "value", "tag_build", "\n  continued"];
export const iniArb = textOf(INI_PIECES, 80);

export function iniTarget(text: string): void {
  const out = iniEntries(text);
  for (const [k, v] of out) {
    if (!k.includes(".")) throw new FuzzFailure(`key without a section: ${k}`);
    if (v !== v.trim()) throw new FuzzFailure(`value not trimmed: ${JSON.stringify(v)}`);
  }
}

const BUILD_PIECES = ["\n", "\t", " ", ":", "::", "=", "+=", ":=", "\\\n", "#", ";", "$(", ")", "${", "}", "$$", "$(srcdir)/", "$(top_srcdir)/", "../", "/", ".", "..", "a.c", "list.h", "BUILT_SOURCES", "CLEANFILES", "nodist_p_SOURCES", ".PHONY", "all", "AC_CONFIG_FILES([", "])", "a:b.in", "add_custom_command(OUTPUT", "configure_file(", "${CMAKE_CURRENT_BINARY_DIR}/", "output : ['", "']", "@VERSION@", "@", "cd ", "make -C ", "$(MAKE) -f ", "include ", "add_subdirectory(", "subdir('", "\u0000"];
export const buildFilesArb = fc.record({
  name: fc.constantFrom("Makefile.am", "sub/Makefile.in", "configure.ac", "CMakeLists.txt", "x/y.cmake", "meson.build", "rules.mk"),
  text: textOf(BUILD_PIECES, 80),
  template: textOf(["@A@", "@B@", "x", "\n", "@", " ", "a"], 20),
  values: fc.array(textOf(["1", "x", "@", "", " ", ".*"], 3), { minLength: 2, maxLength: 2 }),
});

/**
 * Build files of the tree (declared outputs) and of the tarball (operands that reach a
 * makefile): every declared path is a clean tree path; a template filled in with values is
 * recognised with exactly those values' effect.
 */
export function buildFilesTarget(input: { name: string; text: string; template: string; values: string[] }): void {
  for (const [p, d] of declarationsOf(input.name, input.text)) {
    if (p !== posixNormalize(p) || p.startsWith("..") || p.startsWith("/") || p.includes("\u0000") || p === "." || p === "") throw new FuzzFailure(`declared path not a tree path: ${JSON.stringify(p)}`);
    if (!Number.isInteger(d.line) || d.line < 1) throw new FuzzFailure(`bad line ${d.line}`);
  }
  for (const op of computedOperands(input.text)) if (!op.includes("$")) throw new FuzzFailure(`operand without a variable: ${op}`);
  const [a, b] = input.values as [string, string];
  const filled = input.template.split("@A@").join(a.replace(/\n/g, "")).split("@B@").join(b.replace(/\n/g, ""));
  const got = fillsTemplate(input.template, filled);
  if (got) {
    // Rebuilt the way config.status reads the template: placeholders left to right.
    const back = input.template.split(/(@[A-Za-z_]\w*@)/).map((part, i) => (i % 2 === 1 ? got.get(part.slice(1, -1)) ?? part : part)).join("");
    if (back !== filled) throw new FuzzFailure("fillsTemplate's values do not rebuild the file");
  }
}

export interface TextTarget<T> {
  arb: fc.Arbitrary<T>;
  run: (input: T) => void;
}
const target = <T>(arb: fc.Arbitrary<T>, run: (input: T) => void): TextTarget<unknown> => ({ arb, run }) as TextTarget<unknown>;

/** Every synchronous target, by name, with its input generator. */
export const TEXT_TARGETS: Record<string, TextTarget<unknown>> = {
  attributes: target(attributesArb, attributesTarget),
  tags: target(tagsArb, tagsTarget),
  provenance: target(provenanceArb, provenanceTarget),
  hunks: target(hunksArb, hunksTarget),
  ini: target(iniArb, iniTarget),
  buildfiles: target(buildFilesArb, buildFilesTarget),
};
