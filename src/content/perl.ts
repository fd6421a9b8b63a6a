/**
 * Perl build scripts (Makefile.PL, Build.PL, *.pl run at build time). No maintained Perl parser
 * exists for JavaScript, so this front end does not guess at Perl semantics: it lifts out every
 * command Perl hands to a shell — backticks, qx//, system/exec with a string, piped open — and
 * those commands go through the shell analysis like any other; modules that reach the network
 * and string evals are hits of their own. What it cannot lift is reported as notAnalysed.
 */
import type { Analysis, Hit } from "./analyze.js";
import { analyzeShell } from "./shell/analyze-shell.js";
import { lineAt, lineStarts } from "./lines.js";

const QUOTED = String.raw`"((?:\\.|[^"\\])*)"|'((?:\\.|[^'\\])*)'`;
/** Shell-command carriers: `cmd`, qx{cmd}, qx(cmd), qx/cmd/, system("cmd"), exec 'cmd', open(F, "cmd |"), open(F, "-|", "cmd"). */
const CARRIERS = new RegExp(
  String.raw`\x60((?:\\.|[^\x60\\])*)\x60` +
    String.raw`|\bqx\s*(?:\{([^}]*)\}|\(([^)]*)\)|\/([^/]*)\/|\[([^\]]*)\])` +
    String.raw`|\b(?:system|exec)\s*\(?\s*(?:${QUOTED})` +
    String.raw`|\bopen\s*\(?\s*(?:my\s+)?[\w$]+\s*,\s*(?:(?:"\|?-?\|?"|'\|?-?\|?')\s*,\s*)?(?:${QUOTED})`,
  "g",
);

const NETWORK_MODULES = /\b(?:use|require)\s+(IO::Socket(?:::\w+)*|Socket|Net::(?:FTP|HTTP|SMTP|Telnet)\w*)\b/g;
const DOWNLOAD_MODULES = /\b(?:use|require)\s+(LWP(?:::\w+)*|HTTP::Tiny|File::Fetch|WWW::Mechanize)\b/g;
/** eval of anything but a literal block: a string built at run time is code nobody wrote down. */
const STRING_EVAL = /\beval\s*(?!\{)(?:\(\s*)?[$"'`]/g;


export function analyzePerl(text: string): Analysis {
  const lines = text.split("\n");
  const starts = lineStarts(text);
  const lineOf = (_text: string, index: number): number => lineAt(starts, index);
  const shell: string[] = [];
  const lineMap: number[] = [];
  const hits: Hit[] = [];
  const codeLines = new Set<number>();
  lines.forEach((l, i) => {
    if (!/^\s*(#|$)/.test(l)) codeLines.add(i + 1);
  });
  for (const m of text.matchAll(CARRIERS)) {
    const cmd = m.slice(1).find((g) => g !== undefined);
    if (!cmd) continue;
    const cmdText = cmd.replace(/\|\s*$/, "").replace(/\\n/g, "\n");
    const at = lineOf(text, m.index);
    for (const part of cmdText.split("\n")) {
      shell.push(part.replace(/\$\{?(\w+)\}?/g, "$$$1"));
      lineMap.push(at);
    }
  }
  const hit = (re: RegExp, id: string, effect: Hit["effect"], explain: string) => {
    for (const m of text.matchAll(re)) {
      const line = lineOf(text, m.index);
      hits.push({ id, effect, line, text: (lines[line - 1] ?? "").trim().slice(0, 300), explain });
    }
  };
  hit(NETWORK_MODULES, "perl-network-module", "network", "loads a Perl networking module in a build script");
  hit(DOWNLOAD_MODULES, "perl-download-module", "downloads", "loads a Perl HTTP/FTP client in a build script: the build fetches something");
  hit(STRING_EVAL, "perl-string-eval", "evals", "evaluates a string as Perl code: the script runs code that is not written in it");
  const sub = shell.length ? analyzeShell(shell.join("\n"), { lineMap, originalText: text }) : { hits: [] as Hit[], codeLines: new Set<number>() };
  return { language: "perl", hits: [...hits, ...sub.hits].sort((a, b) => a.line - b.line), codeLines };
}
