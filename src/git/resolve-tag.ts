import { basename } from "node:path";

/** Name and version read from a release tarball's file name. */
export interface TarballName {
  name: string;
  version: string;
}

const ARCHIVE_EXT = /(\.orig)?(\.tar)?\.(gz|tgz|xz|txz|bz2|tbz2?|zst|tzst|lz|lzma|zip)$|\.tar$|\.tgz$|\.crate$/i;

/** Split "xz-utils_5.4.1.orig.tar.xz" into { name: "xz-utils", version: "5.4.1" }. */
export function parseTarballName(file: string): TarballName | null {
  const stem = basename(file).replace(ARCHIVE_EXT, "").replace(/\.orig$/, "");
  // The version starts at the last "-" or "_" followed by a digit (or "v"+digit).
  const m = /^(.*?)[-_]v?(\d[\w.+~-]*)$/.exec(stem);
  if (!m) return null;
  const version = m[2]!.replace(/[+~](dfsg|ds|repack|really)[\w.]*$/i, "");
  return { name: m[1]!, version };
}

/** Break a name or version into lowercase alphanumeric tokens: "V_9_2_P1" → [v, 9, 2, p, 1]. */
export function tokens(s: string): string[] {
  return s.toLowerCase().match(/[a-z]+|\d+/g) ?? [];
}

const TRAILING_WORDS = new Set(["release", "final", "stable", "rel"]);

/** Rank tags that name `version` of `name`; best first. An empty list means no tag fits. */
export function matchTags(tags: string[], tarball: TarballName): string[] {
  const want = tokens(tarball.version).map((t) => t.replace(/^0+(?=\d)/, ""));
  const nameToks = tokens(tarball.name);
  const scored: { tag: string; score: number }[] = [];
  for (const tag of tags) {
    let tt = tokens(tag).map((t) => t.replace(/^0+(?=\d)/, ""));
    while (tt.length && TRAILING_WORDS.has(tt[tt.length - 1]!)) tt = tt.slice(0, -1);
    if (tt.length < want.length) continue;
    const tail = tt.slice(tt.length - want.length);
    if (tail.join(" ") !== want.join(" ")) continue;
    const prefix = tt.slice(0, tt.length - want.length);
    // What precedes the version must be words ("v", "release", "R") or the project's own name ("libssh2").
    const nameSuffix = nameToks.length <= prefix.length && prefix.slice(prefix.length - nameToks.length).join(" ") === nameToks.join(" ");
    const rest = nameSuffix ? prefix.slice(0, prefix.length - nameToks.length) : prefix;
    if (rest.some((t) => /^\d/.test(t))) continue;
    let score = 0;
    if (tag === tarball.version) score = 100;
    else if (tag === `v${tarball.version}`) score = 95;
    else if (tag.toLowerCase() === `${tarball.name}-${tarball.version}`.toLowerCase()) score = 90;
    else score = 50 - rest.length;
    scored.push({ tag, score });
  }
  return scored.sort((a, b) => b.score - a.score || (a.tag < b.tag ? -1 : 1)).map((s) => s.tag);
}

/** Tags that share the version's first component: shown when no tag fits. */
export function nearbyTags(tags: string[], tarball: TarballName, limit = 8): string[] {
  const major = tokens(tarball.version)[0];
  return tags.filter((t) => major !== undefined && tokens(t).includes(major)).slice(-limit);
}

/** Compare token lists as versions: numbers numerically, words lexically; a suffix word sorts first (rc < final). */
function compareVersionTokens(a: string[], b: string[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === undefined) return y !== undefined && /^\d/.test(y) ? -1 : 1;
    if (y === undefined) return /^\d/.test(x) ? 1 : -1;
    const nx = /^\d+$/.test(x);
    const ny = /^\d+$/.test(y);
    if (nx && ny) {
      const d = Number(x) - Number(y);
      if (d !== 0) return d;
    } else if (nx !== ny) return nx ? 1 : -1;
    else if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/**
 * The release tag just before `current` in the same naming scheme (same word prefix, e.g. "v" or
 * "curl-"), by version order. Null when there is none.
 */
export function previousTag(tags: string[], current: string): string | null {
  const split = (t: string) => {
    const toks = tokens(t);
    const i = toks.findIndex((x) => /^\d/.test(x));
    return i < 0 ? null : { prefix: toks.slice(0, i).join(" "), version: toks.slice(i) };
  };
  const cur = split(current);
  if (!cur) return null;
  let best: { tag: string; version: string[] } | null = null;
  for (const t of tags) {
    const s = split(t);
    if (!s || s.prefix !== cur.prefix || t === current) continue;
    if (compareVersionTokens(s.version, cur.version) >= 0) continue;
    if (!best || compareVersionTokens(s.version, best.version) > 0) best = { tag: t, version: s.version };
  }
  return best?.tag ?? null;
}
