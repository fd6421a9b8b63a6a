import { posix } from "node:path";
import { defineProfile, verified } from "./profile.js";
import { isBuildScript } from "../content/kinds.js";
import { isBinary } from "../content/classify.js";

/**
 * Man-page `.TH` stamps: release scripts (curl's scripts/updatemanpages.pl, many `make dist`
 * hooks) rewrite the date and version fields of every man page's `.TH` line. The change is
 * verified by evidence, not by the file's name:
 *
 * - git's page is a roff page: the `.TH` request is its first request (only roff comments and
 *   blank lines before it) and a `.SH` section heading follows;
 * - every line of the shipped page is git's line, except that one `.TH` line (and, optionally, one
 *   empty line written right after it, as curl's script does);
 * - putting git's date and version fields back into the shipped `.TH` line gives git's line byte
 *   for byte: request name, title, section, manual name, spacing and quoting are git's;
 * - the new date field is a calendar date and the new version field is the release's version
 *   (with git's prefix, "libcurl 7.88.1"); neither holds a backslash (no roff escape such as `\X`,
 *   `\*`, `\n`, `\"`), a quote inside, or anything else.
 */

/** Names man pages have; checked in addition to the content, never instead of it. */
const MAN_NAME = /\.([1-9][a-z]*|man)(\.in)?$/;

interface Arg {
  start: number;
  end: number;
  value: string;
}

/**
 * Arguments of a `.TH` request line with their raw spans (quotes included), as troff splits them:
 * blanks separate arguments, a double-quoted argument may hold blanks and `""` for a quote. Null
 * when the line is not a plain `.TH` request or holds a backslash (any escape: we do not interpret them).
 */
export function thArguments(line: string): Arg[] | null {
  if (!/^\.TH(?=[ \t]|$)/.test(line) || line.includes("\\")) return null;
  const args: Arg[] = [];
  let i = 3;
  while (i < line.length) {
    while (line[i] === " " || line[i] === "\t") i++;
    if (i >= line.length) break;
    const start = i;
    let value = "";
    if (line[i] === '"') {
      i++;
      for (;;) {
        if (i >= line.length) break;
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            value += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += line[i++];
      }
      // troff ends a quoted argument at its closing quote; text glued after it is malformed for us.
      if (i < line.length && line[i] !== " " && line[i] !== "\t") return null;
    } else {
      while (i < line.length && line[i] !== " " && line[i] !== "\t") value += line[i++];
    }
    args.push({ start, end: i, value });
  }
  return args;
}

const MONTH = "(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)";
const DATE_FORMS: RegExp[] = [
  /^(\d{4})-(\d{2})-(\d{2})$/, // 2023-02-19
  new RegExp(`^${MONTH}\\.? (\\d{1,2}),? (\\d{4})$`), // February 19 2023, January 02, 2023, Feb. 19, 2023
  new RegExp(`^(\\d{1,2}) ${MONTH}\\.?,? (\\d{4})$`), // 19 Feb 2023
  new RegExp(`^${MONTH} (\\d{4})$`), // February 2023
];

/** A calendar date in one of the forms release scripts write (year 1970–2199, day 1–31, month 1–12). */
export function isDate(s: string): boolean {
  const iso = DATE_FORMS[0]!.exec(s);
  if (iso) return +iso[1]! >= 1970 && +iso[1]! < 2200 && +iso[2]! >= 1 && +iso[2]! <= 12 && +iso[3]! >= 1 && +iso[3]! <= 31;
  for (const re of DATE_FORMS.slice(1)) {
    const m = re.exec(s);
    if (!m) continue;
    const nums = m.slice(1).map(Number);
    const year = nums[nums.length - 1]!;
    const day = nums.length > 1 ? nums[0]! : 1;
    return year >= 1970 && year < 2200 && day >= 1 && day <= 31;
  }
  return false;
}

const VERSIONISH = /^v?\d+(?:\.\d+)*[\w.+~-]*$/;

/**
 * The version field: the release's version, alone or after git's own prefix ("libcurl 7.17.0" →
 * "libcurl 7.88.1", or "libcurl" → "libcurl 7.88.1"). `oldV` is git's field.
 */
function isVersionStamp(oldV: string, newV: string, versions: readonly string[]): boolean {
  for (const v of versions) {
    // The version comes from the tarball's name too: only a plain version string can be a stamp.
    if (!/^[\w.+~-]+$/.test(v) || !newV.endsWith(v)) continue;
    const prefix = newV.slice(0, newV.length - v.length);
    if (prefix !== "" && !/^[A-Za-z][\w+.-]* $/.test(prefix)) continue;
    // git's field named the program only ("libcurl" → "libcurl 7.88.1").
    if (prefix !== "" && oldV === prefix.trimEnd()) return true;
    const rest = oldV.startsWith(prefix) ? oldV.slice(prefix.length) : null;
    if (rest !== null && (rest === "" || VERSIONISH.test(rest))) return true;
  }
  return false;
}

/** Only roff comments (`.\"`, `'\"`, `.\\"`) and blank lines may come before the `.TH` request. */
const PREAMBLE = /^(?:[.']\\{1,2}".*|[.']?\s*)$/;

export interface ThStamp {
  line: number;
  date?: [string, string];
  version?: [string, string];
  blankAdded: boolean;
}

/**
 * The `.TH` stamp between git's page and the shipped page, or why there is none. Exported for tests
 * and for the reason text.
 */
export function thStamp(git: string, tar: string, versions: readonly string[]): ThStamp | string {
  const g = git.split("\n");
  const t = tar.split("\n");
  if (t.length !== g.length && t.length !== g.length + 1) return "line counts differ by more than one blank line";
  let i = 0;
  while (i < g.length && g[i] === t[i]) i++;
  if (i >= g.length) return "no changed line";
  const blankAdded = t.length === g.length + 1;
  if (blankAdded && t[i + 1] !== "") return "a line other than one blank line after .TH was added";
  const rest = blankAdded ? 2 : 1;
  for (let j = i + 1; j < g.length; j++) if (g[j] !== t[j + rest - 1]) return "a line other than the .TH line changed";
  // git's page is roff: .TH is its first request, and a section heading follows.
  for (let j = 0; j < i; j++) if (!PREAMBLE.test(g[j]!)) return "git's page has a line that is not a roff comment before .TH";
  if (!g.slice(i + 1).some((l) => /^\.SH(?:[ \t]|$)/.test(l))) return "git's page has no .SH section after .TH";
  const ga = thArguments(g[i]!);
  const ta = thArguments(t[i]!);
  if (!ga || !ta) return "the changed line is not a plain .TH request on both sides";
  if (ga.length !== ta.length || ta.length < 3) return "the .TH line's fields changed in number";
  // Put git's date and version fields back into the shipped line: the result must be git's line.
  let rebuilt = t[i]!;
  for (const k of [3, 2]) if (ta[k]) rebuilt = rebuilt.slice(0, ta[k]!.start) + g[i]!.slice(ga[k]!.start, ga[k]!.end) + rebuilt.slice(ta[k]!.end);
  if (rebuilt !== g[i]) return "the .TH line changed outside its date and version fields";
  const out: ThStamp = { line: i + 1, blankAdded };
  if (ga[2]!.value !== ta[2]!.value) {
    if (!isDate(ta[2]!.value)) return `the new .TH date field "${ta[2]!.value}" is not a date`;
    out.date = [ga[2]!.value, ta[2]!.value];
  }
  if (ta[3] && ga[3]!.value !== ta[3].value) {
    if (!isVersionStamp(ga[3]!.value, ta[3].value, versions)) return `the new .TH version field "${ta[3].value}" is not the release's version`;
    out.version = [ga[3]!.value, ta[3].value];
  }
  if (!out.date && !out.version) return "no field changed";
  return out;
}

export const manpageStamp = defineProfile({
  id: "manpage-stamp",
  description: "Man pages whose only change is the date and version fields of the .TH line (checked field by field against git's page).",
  async explain(change, ctx) {
    if (change.kind !== "modified" || !change.git || !MAN_NAME.test(posix.basename(change.path)) || isBuildScript(change.path)) return null;
    // Compared as bytes (latin1 maps each byte to one character): UTF-8 decoding could make two
    // different invalid byte sequences look equal.
    const tarB = ctx.tarBytes(change.path);
    const gitB = tarB && !isBinary(tarB) ? await ctx.gitBlob(change.git.oid) : null;
    if (!tarB || !gitB || isBinary(gitB)) return null;
    const s = thStamp(gitB.toString("latin1"), tarB.toString("latin1"), ctx.releaseVersions);
    if (typeof s === "string") return null;
    const fields = [s.date ? `date "${s.date[0]}" → "${s.date[1]}"` : "", s.version ? `version "${s.version[0]}" → "${s.version[1]}"` : ""].filter(Boolean).join(", ");
    return verified(
      "reproduction",
      `.TH line ${s.line}: ${fields}${s.blankAdded ? " (and one blank line after it)" : ""}; with git's fields put back, the page is git's byte for byte`,
    );
  },
});
