/**
 * CMake and meson: their command-running and file-reading constructs. The command lists of
 * execute_process (a pipeline), add_custom_command/add_custom_target, exec_program, meson's
 * run_command/custom_target/run_target are analysed as shell; file(DOWNLOAD), file(READ … HEX /
 * OFFSET / LIMIT) of data files, file(WRITE) into the source tree and include() of data files are
 * judged directly.
 */
import type { Analysis, Effect, Hit } from "./analyze.js";
import { analyzeShell } from "./shell/analyze-shell.js";
import { lineAt, lineStarts } from "./lines.js";

const DATA = /(^|\/)(tests?|testdata|fixtures?|data|files|samples?)\/|\.(bin|dat|xz|lzma|gz|bz2|zst|png|jpe?g|gif|ico|so|a|o|exe|dll)$/i;


interface Call {
  name: string;
  args: string[];
  start: number;
  end: number;
}

/** CMake command invocations `name(args)`, comments and quoting respected. */
function cmakeCalls(text: string): Call[] {
  const calls: Call[] = [];
  const re = /(^|[\s;)])([A-Za-z_][A-Za-z0-9_]*)\s*\(/g;
  let m: RegExpExecArray | null;
  let i = 0;
  while (i < text.length) {
    // skip comments
    re.lastIndex = i;
    m = re.exec(text);
    if (!m) break;
    const pre = text.lastIndexOf("\n", m.index) + 1;
    const hash = text.slice(pre, m.index + m[1]!.length).indexOf("#");
    if (hash >= 0 && !/["]/.test(text.slice(pre, pre + hash))) {
      i = text.indexOf("\n", m.index + 1);
      if (i < 0) break;
      continue;
    }
    const start = m.index + m[1]!.length;
    let j = re.lastIndex;
    let depth = 1;
    const args: string[] = [];
    let cur = "";
    let quoted = false;
    const push = () => {
      if (cur !== "" || quoted) args.push(cur);
      cur = "";
      quoted = false;
    };
    while (j < text.length && depth > 0) {
      const c = text[j]!;
      if (c === '"') {
        quoted = true;
        j++;
        while (j < text.length && text[j] !== '"') {
          if (text[j] === "\\" && j + 1 < text.length) {
            cur += text[j + 1] === "n" ? "\n" : text[j + 1] === "t" ? "\t" : text[j + 1];
            j += 2;
            continue;
          }
          cur += text[j++];
        }
        j++;
        continue;
      }
      if (c === "[" && /^\[=*\[/.test(text.slice(j))) {
        const eq = /^\[(=*)\[/.exec(text.slice(j))![1]!;
        const close = text.indexOf(`]${eq}]`, j);
        cur += text.slice(j + eq.length + 2, close < 0 ? text.length : close);
        quoted = true;
        j = close < 0 ? text.length : close + eq.length + 2;
        continue;
      }
      if (c === "#") {
        const e = text.indexOf("\n", j);
        j = e < 0 ? text.length : e;
        continue;
      }
      if (c === "(") depth++;
      if (c === ")") {
        depth--;
        if (depth === 0) break;
      }
      if (/\s/.test(c)) push();
      else cur += c;
      j++;
    }
    push();
    calls.push({ name: m[2]!.toLowerCase(), args, start, end: j });
    i = j + 1;
  }
  return calls;
}

const KEYWORDS = new Set(["COMMAND", "WORKING_DIRECTORY", "OUTPUT", "DEPENDS", "BYPRODUCTS", "COMMENT", "VERBATIM", "USES_TERMINAL", "OUTPUT_VARIABLE", "ERROR_VARIABLE", "RESULT_VARIABLE", "RESULTS_VARIABLE", "INPUT_FILE", "OUTPUT_FILE", "ERROR_FILE", "OUTPUT_QUIET", "ERROR_QUIET", "TIMEOUT", "OUTPUT_STRIP_TRAILING_WHITESPACE", "ERROR_STRIP_TRAILING_WHITESPACE", "ENCODING", "ECHO_OUTPUT_VARIABLE", "ECHO_ERROR_VARIABLE", "COMMAND_ECHO", "COMMAND_ERROR_IS_FATAL", "MAIN_DEPENDENCY", "IMPLICIT_DEPENDS", "DEPFILE", "JOB_POOL", "JOB_SERVER_AWARE", "APPEND", "COMMAND_EXPAND_LISTS", "DEPENDS_EXPLICIT_ONLY", "CODEGEN", "ALL", "SOURCES", "TARGET", "PRE_BUILD", "PRE_LINK", "POST_BUILD", "ARGS", "RETURN_VALUE"]);

function shq(s: string): string {
  return /^[\w@%+=:,./${}-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`;
}

function commandLists(args: string[]): string[][] {
  const out: string[][] = [];
  let cur: string[] | null = null;
  for (const a of args) {
    if (a === "COMMAND") {
      cur = [];
      out.push(cur);
    } else if (KEYWORDS.has(a)) cur = null;
    else if (cur) cur.push(a);
  }
  return out;
}

function fromShell(cmd: string, line: number, lines: string[], hits: Hit[], label: string): void {
  // CMake variables ${X} are shell-compatible; $ENV{X} is not.
  const sh = cmd.replace(/\$ENV\{(\w+)\}/g, "${$1}");
  for (const h of analyzeShell(sh).hits) hits.push({ ...h, line, text: (lines[line - 1] ?? "").trim(), explain: `${label}: ${h.explain}` });
}

export function analyzeCmake(text: string): Analysis {
  const starts = lineStarts(text);
  const lines = text.split("\n");
  const hits: Hit[] = [];
  const codeLines = new Set<number>();
  const add = (line: number, id: string, effect: Effect, explain: string) => hits.push({ id, effect, line, text: (lines[line - 1] ?? "").trim(), explain });
  for (const c of cmakeCalls(text)) {
    const line = lineAt(starts, c.start);
    for (let l = line; l <= lineAt(starts, c.end); l++) codeLines.add(l);
    const A = c.args;
    if (c.name === "execute_process") {
      const cmds = commandLists(A).map((cl) => cl.map(shq).join(" "));
      if (cmds.length) fromShell(cmds.join(" | "), line, lines, hits, "execute_process");
      const inFile = A[A.indexOf("INPUT_FILE") + 1];
      if (A.includes("INPUT_FILE") && inFile && DATA.test(inFile)) add(line, "reads-test-data", "reads-tree", `execute_process reads ${inFile}: a data file as a command's input`);
    } else if (c.name === "add_custom_command" || c.name === "add_custom_target") {
      const cmds = commandLists(A).map((cl) => cl.map(shq).join(" "));
      if (cmds.length) fromShell(cmds.join(" ; "), line, lines, hits, c.name);
    } else if (c.name === "exec_program") {
      const argsIdx = A.indexOf("ARGS");
      const cmd = [A[0] ?? "", ...(argsIdx >= 0 ? A.slice(argsIdx + 1).filter((x) => !KEYWORDS.has(x)) : [])].join(" ");
      fromShell(cmd, line, lines, hits, "exec_program");
    } else if (c.name === "file") {
      const sub = (A[0] ?? "").toUpperCase();
      if (sub === "DOWNLOAD") add(line, "build-time-download", "downloads", `file(DOWNLOAD ${A[1] ?? ""}): the build fetches something that is not in the tarball`);
      if ((sub === "READ" || sub === "STRINGS") && A[1]) {
        if (A.includes("HEX") || A.includes("OFFSET") || A.includes("LIMIT")) add(line, "byte-carving", "carves-bytes", `file(${sub} ${A[1]} … ${A.filter((x) => /^(HEX|OFFSET|LIMIT)$/.test(x)).join(" ")}): reads bytes of a file as data`);
        if (DATA.test(A[1])) add(line, "reads-test-data", "reads-tree", `file(${sub} ${A[1]}): reads a data or binary file at configure time`);
      }
      if ((sub === "WRITE" || sub === "APPEND" || sub === "COPY" || sub === "RENAME" || sub === "CONFIGURE") && A.slice(1).some((x) => /\$\{(CMAKE_|PROJECT_)?(CURRENT_)?SOURCE_DIR\}\/.+\.(c|h|cc|cpp|cxx|hpp)$/.test(x))) {
        add(line, "writes-source-tree", "writes-tree", `file(${sub}) writes a source file of the tree at configure time`);
      }
      if (sub === "ARCHIVE_EXTRACT" && A.some((x) => DATA.test(x))) add(line, "decompress-data", "decodes", "file(ARCHIVE_EXTRACT) unpacks a data file at configure time");
    } else if ((c.name === "include" || c.name === "load_cache") && A[0] && DATA.test(A[0])) {
      add(line, "source-data", "sources", `include(${A[0]}): runs a data file as CMake code`);
    } else if (c.name === "cmake_language" && (A[0] === "EVAL" || A[0] === "CALL")) {
      add(line, "eval-generated", "evals", `cmake_language(${A[0]}) runs CMake code built at configure time`);
    } else if (c.name === "string" && /^(HEX|FROM_HEX)$/i.test(A[0] ?? "")) {
      add(line, "decode-data", "decodes", "string(HEX) converts data at configure time");
    }
  }
  return { language: "cmake", hits, codeLines };
}

/** meson: run_command(...), custom_target(command: [...]), run_target(command: [...]), and find_program of data. */
export function analyzeMeson(text: string): Analysis {
  const starts = lineStarts(text);
  const lines = text.split("\n");
  const hits: Hit[] = [];
  const codeLines = new Set<number>();
  lines.forEach((l, i) => {
    if (l.trim() && !l.trim().startsWith("#")) codeLines.add(i + 1);
  });
  const strings = (s: string) => [...s.matchAll(/'((?:\\.|[^'\\])*)'/g)].map((m) => m[1]!.replace(/\\(.)/g, "$1"));
  for (const m of text.matchAll(/\b(run_command|custom_target|run_target|generator|configure_file|install_script|add_install_script|add_postconf_script|add_dist_script)\s*\(/g)) {
    const start = m.index! + m[0].length;
    let depth = 1;
    let j = start;
    let inStr = false;
    for (; j < text.length && depth > 0; j++) {
      const c = text[j];
      if (c === "\\" && inStr) j++;
      else if (c === "'") inStr = !inStr;
      else if (!inStr && c === "(") depth++;
      else if (!inStr && c === ")") depth--;
    }
    const body = text.slice(start, j - 1);
    const line = lineAt(starts, m.index!);
    let argText = body;
    if (m[1] !== "run_command" && !/script$/.test(m[1]!)) {
      const cm = /\bcommand\s*:\s*\[([\s\S]*?)\]/.exec(body);
      if (!cm) continue;
      argText = cm[1]!;
    }
    const words = strings(argText.replace(/\bcheck\s*:\s*\w+|\bcapture\s*:\s*\w+|\benv\s*:[^,)]*/g, ""));
    if (words.length) fromShell(words.map(shq).join(" "), line, lines, hits, m[1]!);
    for (const w of words) if (DATA.test(w) && /^(cat|sh|bash|head|tail|dd|xxd|od|base64|xz|python3?)$/.test(words[0] ?? "")) hits.push({ id: "reads-test-data", effect: "reads-tree", line, text: (lines[line - 1] ?? "").trim(), explain: `${m[1]} reads ${w}: a data file read at configure time` });
  }
  return { language: "meson", hits, codeLines };
}
