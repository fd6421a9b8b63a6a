import { posix } from "node:path";
import type { StructuredPatchHunk } from "diff";
import { isBuildScript } from "../content/kinds.js";

/**
 * Hunk-level classification: a hunk whose changed lines are all version or date stamps is
 * explained; any other hunk keeps the file a finding.
 */
export interface StampRule {
  id: string;
  /** Which files the rule may apply to. */
  applies(path: string): boolean;
  /** Both the removed and the added line must match. */
  line: RegExp;
}

const DOC_FILE = /(^|\/)(NEWS|RELEASE[-_]?NOTES|ChangeLog|CHANGES|HISTORY|README|INSTALL|VERSION)(\.\w+)?$|\.(1|2|3|4|5|6|7|8|man|texi|texinfo|txt|md|rst|html?)(\.in)?$/i;
const MAN_PAGE = /\.([1-9][a-z]*|man)(\.in)?$/;

export const STAMP_RULES: readonly StampRule[] = [
  { id: "man-page-date", applies: (p) => MAN_PAGE.test(p), line: /^\.TH\s[^\\]*$/ },
  {
    id: "version-define",
    applies: (p) => /\.(h|hh|hpp|hxx|h\.in)$/.test(p),
    // The name has VERSION/DATE/… as a whole word (PKG_VERSION, not VALIDATE); the value is a literal.
    line: /^\s*#\s*define\s+(\w+_)?(VERSION|TIMESTAMP|RELEASE_DATE|BUILD_DATE|DATE|REVISION|RELEASE)(_\w+)?\s+("[^"]*"|0x[0-9a-fA-F]+[uUlL]*|[\d.]+[uUlL]*|\(?[\d.]+\)?|[A-Z_][A-Z0-9_]*)\s*(\/\*.*\*\/|\/\/.*)?$/,
  },
  { id: "texinfo-set", applies: (p) => /\.(texi|texinfo|txi)$/.test(p), line: /^@set\s+(UPDATED|UPDATED-MONTH|EDITION|VERSION)\b/ },
  { id: "pot-creation-date", applies: (p) => /\.(po|pot)$/.test(p), line: /^"(POT-Creation-Date|PO-Revision-Date|Project-Id-Version):/ },
];

const MONTHS = /\b(Jan(uary)?|Feb(ruary)?|Mar(ch)?|Apr(il)?|May|June?|July?|Aug(ust)?|Sep(tember)?|Oct(ober)?|Nov(ember)?|Dec(ember)?)\b/g;
/** A line with its numbers and month names blanked: equal shapes differ only in dates/versions. */
const shape = (l: string): string => l.replace(MONTHS, "M").replace(/\d+/g, "0");

const defineName = (l: string): string | undefined => /#\s*define\s+(\w+)/.exec(l)?.[1];

/** A #define value that looks like a version or date: a string, a dotted or packed number, never a small flag. */
const VERSION_VALUE = /^("[^"%\\]*"|0x[0-9a-fA-F]{5,}[uUlL]*|\d+(\.\d+)+|\d{6,}[uUlL]*)$/;
const defineValue = (l: string): string => /#\s*define\s+\w+\s+("[^"]*"|\S+)/.exec(l)?.[1] ?? "";
/** Small integers are version parts only in a part's own name (X_VERSION_MINOR 9 → 10); elsewhere (SKIP_VERSION_CHECK 1 → 0) they are flags. */
const versionValue = (name: string, value: string): boolean =>
  VERSION_VALUE.test(value) || (/_(MAJOR|MINOR|PATCH|MICRO|PATCHLEVEL|REVISION|BUILD|NUM|NUMBER)$/.test(name) && /^\d+$/.test(value));

/** `#define NAME MACRO` in git that the release wrote as `#define NAME <MACRO's literal value>`. */
function isSubstitution(removed: string, added: string, resolve?: (macro: string) => string | undefined): boolean {
  const r = /^\s*#\s*define\s+(\w+)\s+([A-Za-z_]\w*)\s*$/.exec(removed);
  const a = /^\s*#\s*define\s+(\w+)\s+("[^"]*"|[\w.]+)\s*$/.exec(added);
  return !!(r && a && resolve && r[1] === a[1] && resolve(r[2]!) === a[2]);
}

function isStampPair(path: string, removed: string, added: string, resolve?: (macro: string) => string | undefined): string | null {
  if (isSubstitution(removed, added, resolve)) return "macro-substituted";
  // Build scripts are never stamps: a changed line in one runs at build time. ($Format:…$ expansion
  // is reproduced exactly by the gitattributes profile, never accepted by shape here.)
  if (isBuildScript(path)) return null;
  for (const r of STAMP_RULES) {
    if (!r.applies(path) || !r.line.test(removed) || !r.line.test(added)) continue;
    // A version #define may change its value, never its name.
    if (r.id === "version-define" && (defineName(removed) !== defineName(added) || !versionValue(defineName(removed)!, defineValue(removed)) || !versionValue(defineName(added)!, defineValue(added)))) continue;
    return r.id;
  }
  // Release dates and version numbers in documentation (NEWS, ChangeLog, man pages, READMEs).
  if (DOC_FILE.test(posix.basename(path)) && shape(removed) === shape(added)) return "release-date";
  return null;
}

export interface HunkVerdict {
  hunk: StructuredPatchHunk;
  /** Stamp rule ids when every changed line is a stamp; null when the hunk is a real change. */
  stamps: string[] | null;
}

/** Classify each hunk: changed lines must pair up one-for-one as stamps of the same kind. */
export function classifyHunks(path: string, hunks: StructuredPatchHunk[], resolve?: (macro: string) => string | undefined): HunkVerdict[] {
  return hunks.map((hunk) => {
    const removed = hunk.lines.filter((l) => l.startsWith("-")).map((l) => l.slice(1));
    const added = hunk.lines.filter((l) => l.startsWith("+")).map((l) => l.slice(1));
    if (removed.length !== added.length || removed.length === 0) return { hunk, stamps: null };
    const ids: string[] = [];
    for (let i = 0; i < removed.length; i++) {
      const id = isStampPair(path, removed[i]!, added[i]!, resolve);
      if (!id) return { hunk, stamps: null };
      ids.push(id);
    }
    return { hunk, stamps: [...new Set(ids)] };
  });
}
