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
  "tap-driver.sh": /^scriptversion=([^;\s]+)/m,
  // TeX, run by texi2dvi for the PDF/DVI manuals; `#` is TeX's parameter character, never a comment.
  "texinfo.tex": /^\\def\\texinfoversion\{([^}\n]+)\}/m,
  // config.rpath has no version variable, and its copyright years are no substitute: gettext
  // shipped different bodies under the same years (1996-2002, 1996-2014), so "same stamp, other
  // body" would not mean a doctored copy. Tracked by body only (stamp null).
  "config.rpath": null,
  // gtkdocize copies gtk-doc's Makefile fragment (gtk-doc.make, or one of its flavours under that
  // name); it carries no version, so it is known by body only.
  "gtk-doc.make": null,
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
 * A `#` line that is not a comment in every language these files carry: C preprocessor directives
 * (config.guess and m4 macros write C programs through heredocs and quoted strings, where
 * `#if`/`#define`/`#include` decide what is compiled), C line markers (`# 12 "x.c"`), interpreter
 * lines (`#!`, which say what runs a script written out or run directly), sed's `#n` (as a script's
 * first line it turns off printing) and Python's encoding declaration (`# -*- coding: utf-7 -*-`
 * changes how the rest of the file is read). Everything else after a leading `#` is a comment in
 * sh, awk, sed, make, perl, python and m4's output, and a null or invalid directive in C.
 */
const KEPT_HASH_LINE =
  /^#(?:!|n$|.*coding[:=]|\s*(?:\d|(?:if|ifdef|ifndef|elif|elifdef|elifndef|else|endif|define|undef|include|include_next|import|embed|error|warning|pragma|line|ident|sccs|assert|unassert)(?![\w$])))/;

/**
 * The body that identifies a copy: whole-line comments (`#` lines other than KEPT_HASH_LINE, and
 * `dnl` in m4) and blank lines dropped, whitespace runs collapsed. Licence headers, serial lines
 * and re-indentation do not change it; any change to code does, and so does any change to a C
 * preprocessor line or an interpreter line.
 */
export function normalizedLines(content: string, kind: NormKind): string[] {
  const out: string[] = [];
  for (const raw of content.split(/\r?\n/)) {
    const line = raw.trim().replace(/\s+/g, " ");
    if (line === "") continue;
    if (line.startsWith("#") ? kind !== "tex" && !KEPT_HASH_LINE.test(line) : kind === "m4" && /^dnl\b/.test(line)) continue;
    out.push(line);
  }
  return out;
}

/** How a file's lines are normalised: m4 (also drops `dnl` lines), shell-like helpers, or TeX (keeps `#` lines). */
export type NormKind = "m4" | "helper" | "tex";
/** The normalisation of a file kind and name (texinfo.tex is TeX, not shell). */
export const normKind = (kind: "m4" | "helper", name: string): NormKind => (kind === "helper" && basename(name) === "texinfo.tex" ? "tex" : kind);

export function normalizedBody(content: string, kind: NormKind): string {
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

export function bodyHash(content: string, kind: NormKind): string {
  return createHash("sha256").update(normalizedBody(content, kind)).digest("hex").slice(0, 16);
}

/**
 * Files into which a release process writes the release's version (libtool's bootstrap_edit puts
 * it into ltmain.sh and ltversion.m4; Debian's packaging adds its own revision). Per name, where
 * the file states its version values.
 */
const VERSION_VALUES: Record<string, RegExp[]> = {
  "ltmain.sh": [/^VERSION=(?:"([^"\n]*)"|'([^'\n]*)'|([^\s"';]*))\s*$/m, /^package_revision=(?:"([^"\n]*)"|'([^'\n]*)'|([^\s"';]*))\s*$/m],
  "ltversion.m4": [/^m4_define\(\[LT_PACKAGE_VERSION\], \[([^\]\n]*)\]\)/m, /^m4_define\(\[LT_PACKAGE_REVISION\], \[([^\]\n]*)\]\)/m],
};
/** A version literal: digits with at least two dots and plain suffixes, or Debian's revision word. */
const SAFE_VERSION_WORD = /^(?:\d+\.\d+\.\d+(?:[-.+~][A-Za-z0-9]+)*|Debian-\d[A-Za-z0-9.+~-]*)$/;
const VERSION_TOKEN = "\u0001";

export const hasVersionTemplate = (name: string): boolean => Object.hasOwn(VERSION_VALUES, basename(name));

/**
 * The body hash of a file with every occurrence of its stated version values (and of each word of
 * them) replaced by one placeholder, or null when the file states no version or a value that is not
 * a plain version literal. Two files with the same template hash are the same bytes except for
 * version literals in the places where the release had its version: what a release process that
 * substitutes the version would produce, whatever version it was given.
 */
export function versionTemplateHash(name: string, content: string, kind: "m4" | "helper"): string | null {
  const res = VERSION_VALUES[basename(name)];
  if (!res || content.includes(VERSION_TOKEN)) return null;
  const values = new Set<string>();
  for (const re of res) {
    const m = re.exec(content);
    const v = m ? (m[1] ?? m[2] ?? m[3] ?? "") : "";
    const words = v.split(" ");
    if (!words.every((w) => SAFE_VERSION_WORD.test(w))) return null;
    values.add(v);
    for (const w of words) values.add(w);
  }
  let t = content;
  for (const v of [...values].sort((a, b) => b.length - a.length)) t = t.replaceAll(v, VERSION_TOKEN);
  return bodyHash(t, kind);
}
