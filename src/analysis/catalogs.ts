import { mo as moFormat, po as poFormat, type GetTextTranslations } from "gettext-parser";
import { flatCopy } from "../strings.js";

/**
 * gettext catalogs, read with gettext-parser. Two uses: prove that a compiled catalog (.gmo/.mo)
 * holds exactly the messages of its .po (what msgfmt produces), and check that no translation
 * changes the printf directives of its message (a `%n` or an extra `%s` in a msgstr is memory
 * corruption in a C program, whatever the file's name says).
 */

export type Catalog = Map<string, string[]>;

const isFuzzy = (flag: string | undefined): boolean => /(^|[\s,])fuzzy([\s,]|$)/.test(flag ?? "");

/**
 * A message with ISO C <inttypes.h> macros (`%<PRIu64>`): msgfmt writes it to the .mo's
 * system-dependent section, which gettext-parser does not read, so it cannot be compared.
 */
export const isSystemDependent = (msgid: string): boolean => /%[^%\s]*<PRI\w+>/.test(msgid);

/** Messages msgfmt would compile: translated, not fuzzy, not obsolete; keyed by context + msgid (+ plural). */
export function catalogOf(t: GetTextTranslations, opts: { skipSystemDependent?: boolean } = {}): Catalog {
  const out: Catalog = new Map();
  for (const [ctxt, entries] of Object.entries(t.translations)) {
    for (const [id, e] of Object.entries(entries)) {
      if (id === "" || e.obsolete || isFuzzy(e.comments?.flag)) continue;
      if (opts.skipSystemDependent && isSystemDependent(id)) continue;
      if (e.msgstr.every((s) => s === "")) continue;
      out.set(`${ctxt}\u0004${id}\u0000${e.msgid_plural ?? ""}`, e.msgstr);
    }
  }
  return out;
}

/**
 * Parsed catalogs by the bytes they came from: the gettext profile and the format rule read the
 * same catalogs, and parsing 100 .po files twice was a tenth of a GNU release's audit. Read-only.
 */
const parsedPo = new WeakMap<Buffer, GetTextTranslations | null>();
const parsedMo = new WeakMap<Buffer, GetTextTranslations | null>();
function once(parsed: WeakMap<Buffer, GetTextTranslations | null>, bytes: Buffer, parse: (b: Buffer) => GetTextTranslations | null): GetTextTranslations | null {
  if (parsed.has(bytes)) return parsed.get(bytes)!;
  const t = parse(bytes);
  parsed.set(bytes, t);
  return t;
}

/**
 * gettext-parser converts from the catalog's declared charset through the `encoding` package,
 * which prints the whole exception with console.error when it does not know the charset (and then
 * keeps the bytes as they are, as msgfmt does with a warning). A tarball's catalog must not make
 * distvet print a stack trace: the parse runs (synchronously) with console.error silenced.
 */
function quietly<T>(parse: () => T): T {
  const error = console.error;
  console.error = () => {};
  try {
    return parse();
  } finally {
    console.error = error;
  }
}

export function parsePo(bytes: Buffer): GetTextTranslations | null {
  return once(parsedPo, bytes, (b) => {
    try {
      return wellFormed(quietly(() => poFormat.parse(b)), true);
    } catch {
      return null;
    }
  });
}

/**
 * A parsed catalog in the shape the checks read, whatever the file held: gettext-parser does not
 * validate by default, so an entry with a msgid and no msgstr has none. Such an entry translates
 * nothing; it must not stop the checks of the other entries (a planted one would hide a `%n`).
 *
 * gettext-parser's .po lexer also builds each string a character at a time: a 500-character
 * msgstr is a chain of 500 V8 cons strings (about 16 KB). A memoized catalog lives as long as its
 * bytes, so `flatten` replaces its strings by flat copies of the same text (xz-utils' po4a
 * catalogs: 280,000 cons strings, 9 MB of heap).
 */
function wellFormed(t: GetTextTranslations, flatten: boolean): GetTextTranslations {
  const f = flatten ? flat : <T>(x: T): T => x;
  for (const entries of Object.values(t.translations ?? {})) {
    for (const e of Object.values(entries ?? {})) {
      const str: unknown = e.msgstr;
      e.msgstr = (Array.isArray(str) ? str : typeof str === "string" ? [str] : []).map((x: unknown) => f(typeof x === "string" ? x : String(x ?? "")));
      e.msgid = f(typeof e.msgid === "string" ? e.msgid : "");
      if (e.msgid_plural !== undefined) e.msgid_plural = f(e.msgid_plural);
      if (e.msgctxt !== undefined) e.msgctxt = f(e.msgctxt);
      const c = e.comments as Record<string, unknown> | undefined;
      if (flatten && c) for (const k of Object.keys(c)) c[k] = f(c[k]);
    }
  }
  return t;
}
const flat = <T>(s: T): T => (typeof s === "string" ? (flatCopy(s) as T) : s);

export function parseMo(bytes: Buffer): GetTextTranslations | null {
  return once(parsedMo, bytes, (b) => {
    try {
      const t = quietly(() => moFormat.parse(b));
      return t && typeof t === "object" && t.translations ? wellFormed(t, false) : null;
    } catch {
      return null;
    }
  });
}

/** Same messages in both catalogs (the header entry aside). */
export function sameCatalog(a: Catalog, b: Catalog): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) {
    const w = b.get(k);
    if (!w || w.length !== v.length || w.some((s, i) => s !== v[i])) return false;
  }
  return true;
}

interface Directive {
  arg: number;
  kind: string;
}

/** Type class of a printf conversion: what the argument must be. */
const CLASS: Record<string, string> = {
  d: "int", i: "int", o: "int", u: "int", x: "int", X: "int", c: "int",
  e: "double", E: "double", f: "double", F: "double", g: "double", G: "double", a: "double", A: "double",
  s: "string", p: "pointer", n: "write-count",
};

/** printf directives of a C format string, with their argument numbers (text that is no directive is skipped). */
export function cFormatDirectives(s: string): Directive[] {
  const out: Directive[] = [];
  let next = 1;
  const re = /%(?:(\d+)\$)?([-+ #0']*)(\*(?:\d+\$)?|\d+)?(?:\.(\*(?:\d+\$)?|\d*))?(hh|h|ll|l|L|q|j|z|Z|t|I64|I32|I)?([diouxXeEfFgGaAcspn%]|<PRI\w+>)?/g;
  for (const m of s.matchAll(re)) {
    const conv = m[6];
    // "% of RAM", "100% sure": printf would print these literally (or not at all); they take no argument.
    if (conv === undefined) continue;
    if (conv === "%") continue;
    for (const star of [m[3], m[4]]) if (star?.startsWith("*")) out.push({ arg: next++, kind: "int" });
    const arg = m[1] ? Number(m[1]) : next++;
    out.push({ arg, kind: conv.startsWith("<PRI") ? `int:${conv}` : CLASS[conv]! });
  }
  return out;
}

/**
 * Why a translation's directives are unsafe for its message, or null. Judged on the bytes, not on
 * the `c-format` flag: a compiled catalog carries no flags, and a .po's flags are the author's to edit.
 */
export function formatMismatch(msgid: string, msgstr: string): string | null {
  if (!msgstr.includes("%")) return null;
  const want = cFormatDirectives(msgid);
  if (want.length === 0) {
    // The message is not a printf format: a translation that is one cannot be passed to printf by this message's caller...
    // unless the caller does. A %n anywhere is never a translation.
    return /%(\d+\$)?[-+ #0]*\d*(\.\d*)?(hh|h|ll|l|j|z|t)?n/.test(msgstr) && !/%n/.test(msgid) ? "the translation writes through %n" : null;
  }
  const got = cFormatDirectives(msgstr);
  const byArg = new Map(want.map((d) => [d.arg, d.kind]));
  for (const d of got) {
    if (d.kind === "write-count" && byArg.get(d.arg) !== "write-count") return `the translation adds %n (writes to memory) at argument ${d.arg}`;
    const expected = byArg.get(d.arg);
    if (expected === undefined) return `the translation uses argument ${d.arg}, the message passes only ${byArg.size}`;
    if (expected !== d.kind) return `argument ${d.arg} is ${expected} in the message but ${d.kind} in the translation`;
  }
  return null;
}

/** msgids a catalog flags `no-c-format`: the message is not passed to printf. */
export function noFormatIds(t: GetTextTranslations): string[] {
  const out: string[] = [];
  for (const entries of Object.values(t.translations)) {
    for (const [id, e] of Object.entries(entries)) if (/(^|[\s,])no-c-format([\s,]|$)/.test(e.comments?.flag ?? "")) out.push(id);
  }
  return out;
}

/**
 * Every unsafe translation in a catalog: "msgid → msgstr: why". `notFormat` holds msgids that
 * are not printf formats by evidence outside the tarball (git's own catalogs flag them
 * `no-c-format`); the tarball's flags are never consulted.
 */
export function unsafeTranslations(t: GetTextTranslations, notFormat: ReadonlySet<string> = new Set()): string[] {
  const out: string[] = [];
  for (const entries of Object.values(t.translations)) {
    for (const [id, e] of Object.entries(entries)) {
      // Fuzzy and obsolete entries are never compiled, so they never reach printf.
      if (id === "" || e.obsolete || isFuzzy(e.comments?.flag) || notFormat.has(id)) continue;
      e.msgstr.forEach((str, i) => {
        const source = i > 0 && e.msgid_plural ? e.msgid_plural : id;
        const why = formatMismatch(source, str) ?? (e.msgid_plural && i === 0 ? null : formatMismatch(id, str));
        if (why) out.push(`${JSON.stringify(source).slice(0, 120)} → ${JSON.stringify(str).slice(0, 120)}: ${why}`);
      });
    }
  }
  return out;
}
