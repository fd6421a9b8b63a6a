import { readFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../version.js";
import { basename, bodyHash, helperStamp, isTrackedHelper, lineHash, m4Serial, normalizedLines, normKind, unpackLineHashes, versionTemplateHash } from "./normalize.js";

/**
 * On disk (data/provenance-db.json): for each file name, the known copies as
 * [stamp, bodyHash, sourceIndexes]; `sources` names where each copy was seen.
 */
export interface ProvenanceDb {
  formatVersion: 1;
  builtAt: string;
  sources: string[];
  m4: Record<string, [string | null, string, number[]][]>;
  helpers: Record<string, [string | null, string, number[]][]>;
  /**
   * Files a release process writes its version into (ltmain.sh, ltversion.m4): per name, the
   * versionTemplateHash of each known copy and where it was seen.
   */
  versioned?: Record<string, [string, number[]][]>;
  /** Per file name, the fingerprints of every normalised line any known copy has (see packLineHashes). */
  lines: { m4: Record<string, string>; helpers: Record<string, string>; templates?: Record<string, string> };
}

export type ProvenanceKind = "m4" | "helper";
export type ProvenanceResult =
  | {
      status: "match";
      kind: ProvenanceKind;
      name: string;
      stamp: string | null;
      sources: string[];
      /** Set when the copy equals a known one except for its version literals (see versionTemplateHash). */
      versionOnly?: true;
    }
  | { status: "unknown-name"; kind: ProvenanceKind; name: string; stamp: string | null }
  | { status: "body-mismatch"; kind: ProvenanceKind; name: string; stamp: string; knownSources: string[]; novel: string[] }
  | { status: "serial-above-known"; kind: "m4"; name: string; serial: number; maxKnown: number; knownSources: string[] }
  | { status: "stamp-unknown"; kind: ProvenanceKind; name: string; stamp: string | null; knownStamps: string[]; novel: string[] };

/** How far above the highest known serial a macro may go before it is suspicious (xz: 30 vs 3). */
export const SERIAL_MARGIN = 10;

const leadingNumber = (s: string | null): number | null => {
  const m = s === null ? null : /^\d+(\.\d+)?/.exec(s);
  return m ? Number(m[0]) : null;
};

export interface ProvenanceChecker {
  /** True when a (normalised) line appears in any known upstream m4 macro, helper or automake template. */
  isKnownUpstreamLine(line: string): boolean;
  checkM4(fileName: string, content: string): ProvenanceResult;
  checkHelper(fileName: string, content: string): ProvenanceResult | null;
  info(): { builtAt: string; sources: string[]; m4Names: number; helperNames: number };
}

export function createProvenanceChecker(db: ProvenanceDb): ProvenanceChecker {
  const names = (idx: number[]) => [...new Set(idx.map((i) => db.sources[i] ?? `source #${i}`))];
  const unpacked = new Map<string, Set<number>>();
  /** Normalised lines of `content` that no known copy of `name` has. */
  const novelLines = (kind: ProvenanceKind, name: string, content: string): string[] => {
    const key = `${kind}:${name}`;
    let known = unpacked.get(key);
    if (!known) {
      known = unpackLineHashes((kind === "m4" ? db.lines.m4 : db.lines.helpers)[name] ?? "");
      unpacked.set(key, known);
    }
    return [...new Set(normalizedLines(content, normKind(kind, name)))].filter((l) => !known.has(lineHash(l)));
  };

  function check(kind: ProvenanceKind, name: string, stamp: string | null, hash: string, content: string): ProvenanceResult {
    const copies = (kind === "m4" ? db.m4 : db.helpers)[name];
    if (!copies) return { status: "unknown-name", kind, name, stamp };
    const hit = copies.filter(([, h]) => h === hash);
    if (hit.length) {
      const exact = hit.filter(([s]) => s === stamp);
      return { status: "match", kind, name, stamp, sources: names((exact.length ? exact : hit).flatMap(([, , src]) => src)) };
    }
    const templates = db.versioned?.[name];
    if (templates) {
      const t = versionTemplateHash(name, content, kind);
      const same = t === null ? [] : templates.filter(([h]) => h === t);
      if (same.length) {
        const sources = names(same.flatMap(([, src]) => src)).map((s) => `${s} (only its version literals differ: ${stamp ?? "none stated"})`);
        return { status: "match", kind, name, stamp, sources, versionOnly: true };
      }
    }
    if (kind === "m4") {
      const serial = leadingNumber(stamp);
      const known = copies.map(([s]) => leadingNumber(s)).filter((n): n is number => n !== null);
      if (serial !== null && known.length && serial > Math.max(...known) + SERIAL_MARGIN) {
        const max = Math.max(...known);
        return { status: "serial-above-known", kind, name, serial, maxKnown: max, knownSources: names(copies.filter(([s]) => leadingNumber(s) === max).flatMap(([, , src]) => src)) };
      }
    }
    const same = stamp === null ? [] : copies.filter(([s]) => s === stamp);
    const novel = novelLines(kind, name, content);
    if (same.length && stamp !== null) return { status: "body-mismatch", kind, name, stamp, knownSources: names(same.flatMap(([, , src]) => src)), novel };
    return { status: "stamp-unknown", kind, name, stamp, knownStamps: [...new Set(copies.map(([s]) => s ?? "(none)"))].sort(), novel };
  }

  let everyLine: Set<number> | undefined;
  return {
    isKnownUpstreamLine(line) {
      if (!everyLine) {
        everyLine = new Set();
        for (const table of [db.lines.m4, db.lines.helpers, db.lines.templates ?? {}]) {
          for (const packed of Object.values(table)) for (const h of unpackLineHashes(packed)) everyLine.add(h);
        }
      }
      return everyLine.has(lineHash(line.trim().replace(/\s+/g, " ")));
    },
    checkM4(fileName, content) {
      return check("m4", basename(fileName), m4Serial(content)?.raw ?? null, bodyHash(content, "m4"), content);
    },
    checkHelper(fileName, content) {
      const name = basename(fileName);
      if (!isTrackedHelper(name)) return null;
      return check("helper", name, helperStamp(name, content), bodyHash(content, normKind("helper", name)), content);
    },
    info() {
      return { builtAt: db.builtAt, sources: db.sources, m4Names: Object.keys(db.m4).length, helperNames: Object.keys(db.helpers).length };
    },
  };
}

let loaded: ProvenanceChecker | undefined;

/** The checker over the database shipped in data/provenance-db.json (loaded once, lazily). */
export function defaultChecker(): ProvenanceChecker {
  loaded ??= createProvenanceChecker(JSON.parse(readFileSync(join(packageRoot(), "data", "provenance-db.json"), "utf8")) as ProvenanceDb);
  return loaded;
}
