/**
 * Build data/provenance-db.json from directories holding upstream m4 macros and autotools helper
 * scripts (unpacked Debian packages, autopoint's gettext archive, upstream release tarballs) and
 * from the git histories of the projects that ship them.
 *   node dist/scripts/build-provenance-db.js --out data/provenance-db.json [--git NAME=GITDIR…] LABEL=DIR [LABEL=DIR…]
 * See docs/provenance-db.md for the sources used and how to extend them.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { bodyHash, hasVersionTemplate, helperStamp, isTrackedHelper, lineHash, m4Serial, normalizedLines, normKind, packLineHashes, versionTemplateHash } from "../src/provenance/normalize.js";
import type { ProvenanceDb } from "../src/provenance/db.js";
import { gitCopies } from "./provenance-git.js";

function* walk(dir: string): Generator<string> {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    let st;
    try {
      st = statSync(p); // follows symlinks (Debian links config.guess to autotools-dev's copy)
    } catch {
      continue;
    }
    if (st.isDirectory()) yield* walk(p);
    else if (st.isFile()) yield p;
  }
}

const args = process.argv.slice(2);
const outIdx = args.indexOf("--out");
const out = outIdx >= 0 ? args.splice(outIdx, 2)[1]! : "data/provenance-db.json";
const gitSpecs: [string, string][] = [];
for (let i = args.indexOf("--git"); i >= 0; i = args.indexOf("--git")) {
  const spec = args.splice(i, 2)[1] ?? "";
  const eq = spec.indexOf("=");
  if (eq < 0) throw new Error(`expected --git NAME=GITDIR, got ${spec}`);
  gitSpecs.push([spec.slice(0, eq), spec.slice(eq + 1)]);
}
const db: ProvenanceDb = { formatVersion: 1, builtAt: new Date().toISOString().slice(0, 10), sources: [], m4: {}, helpers: {}, versioned: {}, lines: { m4: {}, helpers: {}, templates: {} } };
const lines = { m4: new Map<string, Set<number>>(), helpers: new Map<string, Set<number>>(), templates: new Map<string, Set<number>>() };
const sourceIndex = new Map<string, number>();
const sourceOf = (label: string): number => {
  let i = sourceIndex.get(label);
  if (i === undefined) sourceIndex.set(label, (i = db.sources.push(label) - 1));
  return i;
};

function addLines(kind: "m4" | "helpers" | "templates", name: string, text: string): void {
  let set = lines[kind].get(name);
  if (!set) lines[kind].set(name, (set = new Set()));
  for (const l of normalizedLines(text, kind === "m4" ? "m4" : normKind("helper", name))) set.add(lineHash(l));
}

function add(table: ProvenanceDb["m4"], name: string, stamp: string | null, hash: string, source: number): void {
  const copies = (table[name] ??= []);
  const existing = copies.find(([s, h]) => s === stamp && h === hash);
  if (existing) {
    if (!existing[2].includes(source)) existing[2].push(source);
  } else copies.push([stamp, hash, [source]]);
}

function addVersioned(name: string, text: string, kind: "m4" | "helper", source: number): void {
  if (!hasVersionTemplate(name)) return;
  const t = versionTemplateHash(name, text, kind);
  if (t === null) return;
  const copies = (db.versioned![name] ??= []);
  const existing = copies.find(([h]) => h === t);
  if (existing) {
    if (!existing[1].includes(source)) existing[1].push(source);
  } else copies.push([t, [source]]);
}

/** One known copy of a file: m4 macro, tracked helper, or automake rule template. */
function addFile(kind: "m4" | "helper" | "template", name: string, text: string, source: number): void {
  if (kind === "template") return addLines("templates", "automake", text);
  if (kind === "m4") add(db.m4, name, m4Serial(text)?.raw ?? null, bodyHash(text, "m4"), source);
  else add(db.helpers, name, helperStamp(name, text), bodyHash(text, normKind("helper", name)), source);
  addVersioned(name, text, kind, source);
  addLines(kind === "m4" ? "m4" : "helpers", name, text);
}

let files = 0;
const repos = new Map(gitSpecs);
for (const [name, dir] of gitSpecs) {
  let n = 0;
  for (const c of gitCopies(name, dir, repos)) {
    addFile(c.kind, c.name, c.text, sourceOf(c.label));
    n++;
  }
  process.stderr.write(`git ${name}: ${n} file versions\n`);
  files += n;
}
for (const spec of args) {
  const eq = spec.indexOf("=");
  if (eq < 0) throw new Error(`expected LABEL=DIR, got ${spec}`);
  const label = spec.slice(0, eq);
  const dir = spec.slice(eq + 1);
  const source = sourceOf(label);
  for (const file of walk(dir)) {
    const name = file.slice(file.lastIndexOf("/") + 1);
    const isM4 = name.endsWith(".m4");
    if (name.endsWith(".am") && /\/am\/[^/]+$/.test(file)) {
      // automake's rule templates: the source of most of a Makefile.in's shell code.
      addFile("template", "automake", readFileSync(file, "latin1"), source);
      files++;
      continue;
    }
    if (!isM4 && !isTrackedHelper(name)) continue;
    addFile(isM4 ? "m4" : "helper", name, readFileSync(file, "latin1"), source);
    files++;
  }
}
const sortKeys = <T>(o: Record<string, T>): Record<string, T> => Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));
for (const kind of ["m4", "helpers", "templates"] as const) {
  db.lines[kind] = sortKeys(Object.fromEntries([...lines[kind]].map(([n, set]) => [n, packLineHashes(set)])));
}
// Per copy, releases (tags, packages, tarballs) before the commits that wrote the same body.
const isCommit = (i: number) => / [0-9a-f]{10} \(\d{4}-\d\d-\d\d\)$/.test(db.sources[i]!);
const releasesFirst = (src: number[]) => src.sort((a, b) => Number(isCommit(a)) - Number(isCommit(b)) || a - b);
for (const table of [db.m4, db.helpers]) for (const copies of Object.values(table)) for (const c of copies) releasesFirst(c[2]);
for (const copies of Object.values(db.versioned!)) for (const c of copies) releasesFirst(c[1]);
db.m4 = sortKeys(db.m4);
db.helpers = sortKeys(db.helpers);
db.versioned = sortKeys(db.versioned!);
writeFileSync(out, JSON.stringify(db) + "\n");
process.stdout.write(`${files} files from ${db.sources.length} sources: ${Object.keys(db.m4).length} m4 names, ${Object.keys(db.helpers).length} helper names -> ${out}\n`);
