import { createHash } from "node:crypto";

/** The helper scripts autotools copy into release tarballs, and how each carries its version. */
export const TRACKED_HELPERS: Record<string, RegExp | null> = {
  "ltmain.sh": /^VERSION=["']?([^"'\n]+?)["']?\s*$/m,
  "config.guess": /^timestamp='([^']+)'/m,
  "config.sub": /^timestamp='([^']+)'/m,
  "install-sh": /^scriptversion=([^;\s]+)/m,
  depcomp: /^scriptversion=([^;\s]+)/m,
  missing: /^scriptversion=([^;\s]+)/m,
  compile: /^scriptversion=([^;\s]+)/m,
  "test-driver": /^scriptversion=([^;\s]+)/m,
  "ar-lib": /^scriptversion=([^;\s]+)/m,
  "mdate-sh": /^scriptversion=([^;\s]+)/m,
  ylwrap: /^scriptversion=([^;\s]+)/m,
  "py-compile": /^scriptversion=([^;\s]+)/m,
  mkinstalldirs: /^scriptversion=([^;\s]+)/m,
  // config.rpath has no version variable, and its copyright years are no substitute: gettext
  // shipped different bodies under the same years (1996-2002, 1996-2014), so "same stamp, other
  // body" would not mean a doctored copy. Tracked by body only (stamp null).
  "config.rpath": null,
};

export const basename = (p: string): string => p.slice(p.lastIndexOf("/") + 1);

export function isTrackedHelper(fileName: string): boolean {
  return Object.hasOwn(TRACKED_HELPERS, basename(fileName));
}

/** `# serial N` or `# name.m4 serial N` of an m4 file (first occurrence): raw text and its leading number. */
export function m4Serial(content: string): { raw: string; value: number } | null {
  const m = /^(?:#|dnl)\s*(?:[\w.+@-]+\.m4\s+)?serial\s+(\d+(?:\.\d+)?)([^\n]*)$/m.exec(content);
  if (!m) return null;
  return { raw: (m[1]! + m[2]!).trim(), value: Number(m[1]) };
}

export function helperStamp(fileName: string, content: string): string | null {
  const re = TRACKED_HELPERS[basename(fileName)];
  return re ? (re.exec(content)?.[1]?.trim() ?? null) : null;
}

/**
 * The body that identifies a copy: whole-line comments (`#`, `dnl` in m4) and blank lines
 * dropped, whitespace runs collapsed. Licence headers, serial lines and re-indentation do not
 * change it; any change to code does.
 */
export function normalizedLines(content: string, kind: "m4" | "helper"): string[] {
  const comment = kind === "m4" ? /^(#|dnl\b)/ : /^#/;
  const out: string[] = [];
  for (const raw of content.split(/\r?\n/)) {
    const line = raw.trim().replace(/\s+/g, " ");
    if (line === "" || comment.test(line)) continue;
    out.push(line);
  }
  return out;
}

export function normalizedBody(content: string, kind: "m4" | "helper"): string {
  return normalizedLines(content, kind).join("\n");
}

/** 32-bit fingerprint of one normalised line (first 4 bytes of its sha1). */
export function lineHash(line: string): number {
  return createHash("sha1").update(line).digest().readUInt32BE(0);
}

/** Sorted, de-duplicated line fingerprints packed as base64 (big-endian uint32s). */
export function packLineHashes(hashes: Iterable<number>): string {
  const sorted = [...new Set(hashes)].sort((a, b) => a - b);
  const buf = Buffer.alloc(sorted.length * 4);
  sorted.forEach((h, i) => buf.writeUInt32BE(h, i * 4));
  return buf.toString("base64");
}

export function unpackLineHashes(packed: string): Set<number> {
  const buf = Buffer.from(packed, "base64");
  const out = new Set<number>();
  for (let i = 0; i + 4 <= buf.length; i += 4) out.add(buf.readUInt32BE(i));
  return out;
}

export function bodyHash(content: string, kind: "m4" | "helper"): string {
  return createHash("sha256").update(normalizedBody(content, kind)).digest("hex").slice(0, 16);
}
