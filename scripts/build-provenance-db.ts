/**
 * Build data/provenance-db.json from directories holding upstream m4 macros and autotools helper
 * scripts (unpacked Debian packages, autopoint's gettext archive, upstream release tarballs).
 *   node dist/scripts/build-provenance-db.js --out data/provenance-db.json LABEL=DIR [LABEL=DIR…]
 * See docs/provenance-db.md for the sources used and how to extend them.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { bodyHash, helperStamp, isTrackedHelper, lineHash, m4Serial, normalizedLines, packLineHashes } from "../src/provenance/normalize.js";
import type { ProvenanceDb } from "../src/provenance/db.js";

function* walk(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
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
const db: ProvenanceDb = { formatVersion: 1, builtAt: new Date().toISOString().slice(0, 10), sources: [], m4: {}, helpers: {}, lines: { m4: {}, helpers: {}, templates: {} } };
const lines = { m4: new Map<string, Set<number>>(), helpers: new Map<string, Set<number>>(), templates: new Map<string, Set<number>>() };

function addLines(kind: "m4" | "helpers" | "templates", name: string, text: string): void {
  let set = lines[kind].get(name);
  if (!set) lines[kind].set(name, (set = new Set()));
  for (const l of normalizedLines(text, kind === "m4" ? "m4" : "helper")) set.add(lineHash(l));
}

function add(table: ProvenanceDb["m4"], name: string, stamp: string | null, hash: string, source: number): void {
  const copies = (table[name] ??= []);
  const existing = copies.find(([s, h]) => s === stamp && h === hash);
  if (existing) {
    if (!existing[2].includes(source)) existing[2].push(source);
  } else copies.push([stamp, hash, [source]]);
}

let files = 0;
for (const spec of args) {
  const eq = spec.indexOf("=");
  if (eq < 0) throw new Error(`expected LABEL=DIR, got ${spec}`);
  const label = spec.slice(0, eq);
  const dir = spec.slice(eq + 1);
  const source = db.sources.push(label) - 1;
  for (const file of walk(dir)) {
    const name = file.slice(file.lastIndexOf("/") + 1);
    const isM4 = name.endsWith(".m4");
    if (name.endsWith(".am") && /\/am\/[^/]+$/.test(file)) {
      // automake's rule templates: the source of most of a Makefile.in's shell code.
      addLines("templates", "automake", readFileSync(file, "latin1"));
      files++;
      continue;
    }
    if (!isM4 && !isTrackedHelper(name)) continue;
    const text = readFileSync(file, "latin1");
    if (isM4) add(db.m4, name, m4Serial(text)?.raw ?? null, bodyHash(text, "m4"), source);
    else add(db.helpers, name, helperStamp(name, text), bodyHash(text, "helper"), source);
    addLines(isM4 ? "m4" : "helpers", name, text);
    files++;
  }
}
const sortKeys = <T>(o: Record<string, T>): Record<string, T> => Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));
for (const kind of ["m4", "helpers", "templates"] as const) {
  db.lines[kind] = sortKeys(Object.fromEntries([...lines[kind]].map(([n, set]) => [n, packLineHashes(set)])));
}
db.m4 = sortKeys(db.m4);
db.helpers = sortKeys(db.helpers);
writeFileSync(out, JSON.stringify(db) + "\n");
process.stdout.write(`${files} files from ${db.sources.length} sources: ${Object.keys(db.m4).length} m4 names, ${Object.keys(db.helpers).length} helper names -> ${out}\n`);
