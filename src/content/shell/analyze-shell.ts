/**
 * Shell analysis on the tree-sitter-bash syntax tree: commands are judged by what they do and by
 * where their data comes from, after literal variable assignments, aliases, `$IFS`, quoting,
 * escapes and printf/echo-built strings are resolved. Text handed to `eval`, `sh -c`, a shell's
 * stdin or a heredoc read by a shell is parsed and analysed in turn.
 */
import { parseToPlain, type PNode } from "./parser.js";
import type { Analysis, Effect, Hit } from "../analyze.js";
import { analyzePythonCode, setShellHook } from "../python.js";

/** Where data flowing through a pipeline or held in a variable came from. */
type Taint = "tree" | "tree-list" | "carved" | "decoded" | "generated" | "literal";
/** Taints that mean "data that is not build machinery": what must never become code. */
const isData = (t: Taint) => t === "tree" || t === "tree-list" || t === "carved" || t === "decoded";
const hasData = (s: Iterable<Taint> | null | undefined) => !!s && [...s].some(isData);

/** One assignment of a variable: what it stores, and where it sits in the program. */
interface Site {
  /** The assignment node (null for values known before the script starts). */
  node: PNode | null;
  texts: string[];
  dynamic: boolean;
  /** A statement of straight-line top-level code (see flowScan): it runs at most once, in file order. */
  straight: boolean;
  /** A straight self-referential assignment (x=$x...) not resolved yet: dynamic until the walk reaches it. */
  pending: boolean;
  /** Values computed by running every iteration of the for loop it is in. */
  unrolled?: boolean;
}

interface VarInfo {
  sites: Site[];
  taint: Set<Taint>;
}

/**
 * Where the straight-line top-level statements are: the program's statements and those of the
 * if/elif/else branches and { } groups they contain (not loops, case items, functions, subshells,
 * && lists or pipelines). Each runs at most once, after every such statement written before it
 * in the same or an enclosing branch. `chain` names the branches a statement is in.
 */
interface Flow {
  anchors: Map<PNode, string[]>;
  /** Assignment nodes that are straight statements (or one of several on one statement). */
  straightAssign: Map<PNode, string[]>;
  /** name -> statements that surely overwrite it (a plain assignment; an if/else assigning it in every branch). */
  killers: Map<string, { start: number; end: number; key: string }[]>;
  /** Variables a kill cannot be trusted for (readonly: the assignment may fail). */
  noKill: Set<string>;
}

interface Word {
  text: string;
  /** Contains an expansion or substitution that could not be resolved to a literal. */
  dynamic: boolean;
  /** Contains a command substitution whose text is not statically known. */
  substituted: boolean;
  /** Unquoted expansion present: the shell splits the result into several words. */
  split: boolean;
  taint: Set<Taint>;
  /** Alternative values when the word is a single variable with several literal assignments. */
  alts?: string[];
}

export interface ShellOptions {
  /** Line of the analysed text (0-based row) -> line of the original file (1-based). */
  lineMap?: number[];
  /** The original file, for the hit's `text` (defaults to the analysed text). */
  originalText?: string;
  /** Variables known before the script starts (make variables of a Makefile). */
  presetVars?: Map<string, string>;
}

/** Variables that name the source tree: never resolved, so a path keeps saying where it points. */
const TREE_ROOT_VARS = /^(ac_|am_)?(abs_)?(top_)?(builddir_)?srcdir$|^(ac_)?(abs_)?top_srcdir$|^(CMAKE_)?(CURRENT_)?SOURCE_DIR$|^(CMAKE_)?(CURRENT_)?LIST_DIR$|^PROJECT_SOURCE_DIR$|^MESON_SOURCE_ROOT$|^MESON_PROJECT_SOURCE_ROOT$|^ac_confdir$|^ac_pwd$/;
const TREE_ROOT_TEXT = /^["']?(\$\{?(ac_|am_)?(abs_)?(top_)?srcdir\}?|\$\{?(CMAKE_)?(CURRENT_)?SOURCE_DIR\}?|\$\{?MESON_(PROJECT_)?SOURCE_ROOT\}?|\$\{?ac_confdir\}?|\$\{?PROJECT_SOURCE_DIR\}?)/;

const SHELLS = new Set(["sh", "bash", "dash", "ksh", "zsh", "ash", "mksh", "yash", "posh", "busybox", "rbash", "ksh93", "fish", "csh", "tcsh"]);
const SHELL_VARS = new Set(["SHELL", "CONFIG_SHELL", "BASH", "ZSH_NAME", "as_shell", "SH", "BASH_BIN", "ac_cs_shell"]);
const BUILTINS_NO_EXEC = new Set([
  ":", "true", "false", "test", "[", "[[", "echo", "printf", "set", "unset", "export", "readonly", "local", "declare", "typeset",
  "shift", "return", "exit", "break", "continue", "cd", "pwd", "read", "wait", "trap", "umask", "getopts", "hash", "type",
  "let", "alias", "unalias", "ulimit", "times", "shopt",
]);
const DECOMPRESSORS = new Set(["xz", "lzma", "gzip", "bzip2", "zstd", "lz4", "lzip", "lzop", "brotli", "compress", "pigz", "pbzip2", "lbzip2", "pixz", "plzip", "lrzip", "7z", "7za", "7zr", "zpaq", "unzip", "lzfse", "snzip"]);
const UNCOMPRESS_CMDS = new Set(["unxz", "unlzma", "gunzip", "zcat", "gzcat", "xzcat", "lzcat", "bzcat", "bunzip2", "zstdcat", "unzstd", "lz4cat", "unlz4", "uncompress", "unpigz", "lzmadec", "xzdec", "lzmainfo", "brcat", "funzip"]);
const DECODERS = new Set(["base64", "base32", "basenc", "uudecode", "b64decode", "openssl", "xxd", "gpg", "certutil", "recode", "iconv"]);
const DOWNLOADERS = new Set(["curl", "wget", "fetch", "aria2c", "lwp-download", "lwp-request", "GET", "axel", "wget2", "httpie", "http", "https", "ftp", "tftp", "lftp", "rsync", "scp", "sftp"]);
const NETWORK = new Set(["nc", "ncat", "netcat", "socat", "telnet", "ssh", "openvpn", "nmap", "cryptcat", "pwncat"]);
const INTERPRETERS: Record<string, string> = { python: "-c", python2: "-c", python3: "-c", pypy: "-c", pypy3: "-c", perl: "-e", ruby: "-e", node: "-e", nodejs: "-e", php: "-r", lua: "-e", tclsh: "", awk: "", gawk: "", mawk: "", nawk: "" };
const READERS = new Set(["cat", "sed", "gsed", "awk", "gawk", "mawk", "nawk", "head", "tail", "strings", "grep", "egrep", "fgrep", "cut", "tr", "od", "xxd", "hexdump", "hd", "dd", "perl", "rev", "tac", "sort", "uniq", "paste", "fold", "base64", "base32", "xz", "lzma", "gzip", "bzip2", "zstd", "lz4", "unxz", "gunzip", "zcat", "xzcat", "bzcat", "lzcat", "uudecode", "openssl", "sh", "bash", "dash", "source", ".", "python", "python3", "look", "nl", "split", "csplit", "less", "more", "expand", "unexpand", "iconv", "cmp", "sum", "cksum", "md5sum", "sha1sum", "sha256sum", "wc", "file", "ls", "stat", "tee", "cp"]);
/** Commands that only inspect metadata or copy/install: reading a fixture this way does not extract data. */
const HARMLESS_READERS = new Set(["cmp", "sum", "cksum", "md5sum", "sha1sum", "sha256sum", "sha512sum", "wc", "file", "ls", "stat", "cp", "install", "test", "diff", "tar", "mv", "rm", "ln", "touch", "chmod"]);

/** A path that is data, not build machinery: test fixtures, archives, binaries, images. */
const DATA_DIR = /(^|\/)(tests?|testdata|test-data|test_data|fixtures?|testsuite|samples?|corpus|golden|files|data|assets|vectors)\//i;
const DATA_EXT = /\.(xz|lzma|lz|lz4|gz|bz2|zst|zstd|z|bin|dat|raw|img|iso|png|jpe?g|gif|bmp|ico|webp|tiff?|pdf|wav|mp3|ogg|flac|db|sqlite3?|pcap|der|cer|crt|pem|key|p12|so|a|o|obj|exe|dll|dylib|jar|class|pyc|wasm|zip|7z|rar|cpio|deb|rpm|br|lzo|sz|gmo|mo|ttf|otf|woff2?|dump|hex|blob)["']?$/i;
const ARCHIVE = /\.(tar|shar|cpio)(\.\w+)?["']?$|\.(tgz|tbz2?|txz|tlz|tzst|zip)["']?$/i;
const SOURCE_EXT = /\.(c|h|cc|cpp|cxx|hh|hpp|hxx|s|S|asm|inc|py|js|mjs|go|rs|java|m4|ac|am|in|sh|cmake|pl|pm|rb|php|y|l|def|map|ld|lds|mk|txt|build)$/;

function unbackslash(s: string): string {
  return s.replace(/\\\n/g, "").replace(/\\(.)/gs, "$1");
}

function decodeAnsiC(s: string): string {
  return s.replace(/\\(x[0-9a-fA-F]{1,2}|u[0-9a-fA-F]{1,4}|U[0-9a-fA-F]{1,8}|[0-7]{1,3}|c.|.)/gs, (_, e: string) => {
    if (e[0] === "x" || e[0] === "u" || e[0] === "U") return String.fromCodePoint(parseInt(e.slice(1), 16));
    if (/^[0-7]/.test(e)) return String.fromCharCode(parseInt(e, 8) & 0xff);
    const simple: Record<string, string> = { n: "\n", t: "\t", r: "\r", a: "\x07", b: "\b", e: "\x1b", E: "\x1b", f: "\f", v: "\v", "\\": "\\", "'": "'", '"': '"', "?": "?" };
    return simple[e] ?? `\\${e}`;
  });
}

/** printf FORMAT ARGS... with the escapes and conversions a payload builder uses (%s %b %c %d, \NNN, \xHH). */
export function evalPrintf(args: string[]): string {
  const [fmt = "", ...rest] = args;
  const esc = (s: string) =>
    s.replace(/\\(x[0-9a-fA-F]{1,2}|0?[0-7]{1,3}|.)/gs, (_, e: string) => {
      if (e[0] === "x") return String.fromCharCode(parseInt(e.slice(1), 16));
      if (/^[0-7]/.test(e)) return String.fromCharCode(parseInt(e, 8) & 0xff);
      const simple: Record<string, string> = { n: "\n", t: "\t", r: "\r", a: "\x07", b: "\b", f: "\f", v: "\v", "\\": "\\" };
      return simple[e] ?? `\\${e}`;
    });
  let out = "";
  let i = 0;
  do {
    out += fmt.replace(/%([-+ #0]*\d*(?:\.\d+)?)([sbcdiouxX%])/g, (_, _flags: string, conv: string) => {
      if (conv === "%") return "%";
      const a = rest[i++] ?? "";
      if (conv === "b") return esc(a);
      if (conv === "c") return a.slice(0, 1);
      if ("diouxX".includes(conv)) {
        const n = Number(a.startsWith("'") || a.startsWith('"') ? a.charCodeAt(1) : a) || 0;
        return conv === "o" ? n.toString(8) : conv === "x" ? n.toString(16) : conv === "X" ? n.toString(16).toUpperCase() : String(n);
      }
      return a;
    });
  } while (i > 0 && i < rest.length);
  return esc(out);
}

function echoValue(args: string[]): string {
  let interp = false;
  let noNl = false;
  while (args.length && /^-[neE]+$/.test(args[0]!)) {
    const f = args.shift()!;
    if (f.includes("e")) interp = true;
    if (f.includes("n")) noNl = true;
  }
  const s = args.join(" ");
  void noNl;
  // dash's echo interprets escapes always: so does a payload relying on it.
  return interp || /\\[0-7x]/.test(s) ? evalPrintf(["%b", s]) : s;
}

function isPermutationTr(a: string, b: string): boolean {
  if (a === b) return false;
  const octalRanges = /\\[0-7]{1,3}-\\[0-7]{1,3}/g;
  if ((a.match(octalRanges)?.length ?? 0) + (b.match(octalRanges)?.length ?? 0) >= 3) return true;
  const sorted = (s: string) => [...s].sort().join("");
  return a.length >= 3 && sorted(a) === sorted(b);
}

interface State {
  hits: Hit[];
  seen: Set<string>;
  codeLines: Set<number>;
  vars: Map<string, VarInfo>;
  aliases: Map<string, string>;
  functions: Map<string, PNode[]>;
  taintedFiles: Map<string, Set<Taint>>;
  /** The file's text, for the line a hit quotes; `lines` is its split, made on the first hit. */
  original: string;
  lines: string[] | null;
  errors: number;
  budget: number;
  resolving: Set<string>;
  parseCache: Map<string, PNode>;
  reparsed: Set<string>;
  lateTaint: boolean;
  /** The texts an echo/printf of literal words may write into the pipe, for the next stage only. */
  pipeLiteral?: string[];
  /** Files the script writes from a heredoc or echo/printf of text: path -> that text (code if later run). */
  writtenText: Map<string, string>;
  /** Statement order of plain shell text (null for text rebuilt from m4 or make, whose order is not run order). */
  flow: Flow | null;
  /** The straight statement being walked (null in a function body or out of order). */
  anchor: { start: number; chain: string[] } | null;
  /** While a self-referential assignment is evaluated: the value its own variable stands for. */
  binds?: Map<string, string>;
  /** Set when a lookup met the variable being assigned. */
  selfHit: boolean;
  /** Lookups that returned several alternative values (counted while a value must be unique). */
  altCount: number;
  /** Positional parameters while the output of `sh -c CODE NAME ARGS` is computed. */
  positional?: string[];
}

interface Frame {
  src: string;
  /** Line in the original file for a row of `src`; fixed when this is re-parsed generated text. */
  lineOf: (row: number) => number;
  depth: number;
  /** Re-parsed from a string (eval, sh -c, alias, a variable holding code). */
  generated: boolean;
  /** What the commands of this block read on stdin (a compound command inside a pipeline). */
  stdin: Set<Taint> | null;
}

const MAX_DEPTH = 6;
/** Longest value a variable is followed through (a payload line is shorter; configure's accumulators are not literals). */
const MAX_VALUE = 65536;

/**
 * Variables by name. Values set before the script runs (a makefile's variables, for each of its
 * recipe lines) are looked up in the caller's map and copied in only when used: a Makefile.in
 * has hundreds of variables and thousands of recipe lines.
 */
class Variables extends Map<string, VarInfo> {
  constructor(private readonly preset: ReadonlyMap<string, string> | undefined) {
    super();
  }
  override get(name: string): VarInfo | undefined {
    const own = super.get(name);
    if (own !== undefined || !this.preset?.has(name)) return own;
    const info: VarInfo = { sites: [{ node: null, texts: [this.preset.get(name)!], dynamic: false, straight: false, pending: false }], taint: new Set() };
    super.set(name, info);
    return info;
  }
  override has(name: string): boolean {
    return super.has(name) || !!this.preset?.has(name);
  }
}

export function analyzeShell(text: string, opts: ShellOptions = {}): Analysis {
  const original = opts.originalText ?? text;
  const st: State = {
    hits: [],
    seen: new Set(),
    codeLines: new Set(),
    vars: new Variables(opts.presetVars),
    aliases: new Map(),
    functions: new Map(),
    taintedFiles: new Map(),
    original,
    lines: null,
    errors: 0,
    budget: 20000,
    resolving: new Set(),
    parseCache: new Map(),
    reparsed: new Set(),
    lateTaint: false,
    writtenText: new Map(),
    flow: null,
    anchor: null,
    selfHit: false,
    altCount: 0,
  };
  const lineMap = opts.lineMap;
  const frame: Frame = { src: text, lineOf: (row) => (lineMap ? (lineMap[row] ?? row + 1) : row + 1), depth: 0, generated: false, stdin: null };
  let root: PNode;
  try {
    root = parseToPlain(text);
  } catch (e) {
    return { language: "shell", hits: [], codeLines: new Set(), notAnalysed: `shell parser failed: ${(e as Error).message}` };
  }
  if (!opts.lineMap && !opts.presetVars) st.flow = flowScan(root, text);
  collectAssignments(root, frame, st);
  walk(root, frame, st);
  // Assignments are flow-insensitive: a variable that only learned it holds tree data late in the
  // walk (defined below its use, as m4 macros often are) gets a second pass.
  if (st.lateTaint) {
    st.lateTaint = false;
    st.reparsed.clear();
    st.budget = 20000;
    st.anchor = null;
    walk(root, frame, st);
  }
  st.hits.sort((a, b) => a.line - b.line || a.id.localeCompare(b.id));
  const a: Analysis = { language: "shell", hits: st.hits, codeLines: st.codeLines };
  // Regions tree-sitter could not parse were re-read line by line and segment by segment
  // (tokenFallback): they are analysed, so they are not reported as notAnalysed.
  return a;
}

function hit(st: State, f: Frame, node: PNode | number, id: string, effect: Effect, explain: string): void {
  const line = typeof node === "number" ? node : f.lineOf(node.row);
  const key = `${line}\0${id}`;
  if (st.seen.has(key)) return;
  st.seen.add(key);
  st.hits.push({ id, effect, line, text: lineText(st, line), explain: f.generated ? `${explain} (in code built from strings and run through eval, sh -c or an alias)` : explain });
}

/**
 * A line of the original file, split on the first hit. Makefiles are analysed one recipe line at
 * a time against the same file text: the last split is kept for the next call.
 */
let lastSplit: { text: string; lines: string[] } | null = null;
function lineText(st: State, line: number): string {
  if (!st.lines) {
    if (lastSplit?.text !== st.original) lastSplit = { text: st.original, lines: st.original.split("\n") };
    st.lines = lastSplit.lines;
  }
  return (st.lines[line - 1] ?? "").trim();
}

const txt = (n: PNode, f: Frame) => f.src.slice(n.start, n.end);

/** Pass 1: every literal assignment in the file, flow-insensitively (a later use sees an earlier or later value). */
function collectAssignments(root: PNode, f: Frame, st: State): void {
  const stack: PNode[] = [root];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === "variable_assignment") recordAssignment(n, f, st, true);
    else if (n.type === "command") {
      // alias name='value'
      const name = n.kids.find((k) => k.field === "name");
      if (name && txt(name, f) === "alias") {
        for (const a of n.kids.filter((k) => k.field === "argument")) {
          const w = wordValue(a, f, st, 0);
          const eq = w.text.indexOf("=");
          if (eq > 0) st.aliases.set(w.text.slice(0, eq), w.text.slice(eq + 1));
        }
      }
    } else if (n.type === "function_definition") {
      const name = n.kids.find((k) => k.field === "name");
      const body = n.kids.find((k) => k.field === "body");
      if (name && body) {
        const list = st.functions.get(txt(name, f)) ?? [];
        list.push(body);
        st.functions.set(txt(name, f), list);
      }
    }
    for (const k of n.kids) stack.push(k);
  }
}

function recordAssignment(n: PNode, f: Frame, st: State, firstPass: boolean): void {
  const nameNode = n.kids.find((k) => k.field === "name");
  if (!nameNode) return;
  const name = txt(nameNode, f).replace(/\[.*$/, "");
  if (TREE_ROOT_VARS.test(name) || name === "IFS") return;
  const valueNode = n.kids.find((k) => k.field === "value");
  const append = n.kids.some((k) => k.type === "+=");
  const info = st.vars.get(name) ?? { sites: [], taint: new Set<Taint>() };
  const straight = !f.generated && f.depth === 0 && !!st.flow?.straightAssign.has(n);
  let site = info.sites.find((x) => x.node === n);
  if (!site) {
    if (info.sites.length >= 64) {
      // Too many assignments to follow one by one: the variable is not a literal.
      if (!info.sites.some((x) => !x.node && x.dynamic)) info.sites.push({ node: null, texts: [], dynamic: true, straight: false, pending: false });
      st.vars.set(name, info);
      return;
    }
    site = { node: n, texts: [], dynamic: false, straight, pending: false };
    info.sites.push(site);
  }
  st.vars.set(name, info);
  if (!valueNode) {
    if (append) return;
    if (!site.texts.includes("")) site.texts.push("");
    return;
  }
  // Pass 1 must not analyse command substitutions (that happens in the walk): only literal text.
  // A value that refers to the variable itself (x="$x more", x+=more) is not a literal, unless it
  // is a straight statement: then the walk expands the values x can hold there (sequentially).
  st.resolving.add(name);
  st.selfHit = false;
  const w = firstPass ? wordValue(valueNode, f, st, 0, true) : wordValue(valueNode, f, st, 0);
  st.resolving.delete(name);
  const selfRef = append || st.selfHit;
  for (const t of w.taint) {
    if (!info.taint.has(t) && isData(t) && !firstPass) st.lateTaint = true;
    info.taint.add(t);
  }
  if (selfRef) {
    if (site.unrolled && !firstPass) return;
    if (firstPass || !straight) {
      site.dynamic = true;
      site.pending = firstPass && straight && !site.texts.length;
      return;
    }
    const vals = w.substituted ? null : resolveSelfAppend(name, n, valueNode, append, f, st);
    if (vals) {
      site.texts = vals;
      site.dynamic = false;
    } else site.dynamic = true;
    site.pending = false;
    return;
  }
  if (w.dynamic) site.dynamic = true;
  if (!w.substituted && !site.texts.includes(w.text) && site.texts.length < 16) site.texts.push(w.text);
}

/**
 * The values of a straight `x=...$x...` (or `x+=...`): its right side expanded once for every value
 * x can hold just before it. Null (not a literal) when x may still hold the environment's value
 * there, when any of those values is not a literal, or when another expansion is ambiguous.
 */
function resolveSelfAppend(name: string, n: PNode, valueNode: PNode, append: boolean, f: Frame, st: State): string[] | null {
  const flow = st.flow;
  const info = st.vars.get(name);
  if (!flow || !info || flow.noKill.has(name)) return null;
  const at = { start: n.start, chain: st.anchor?.chain ?? [] };
  if (!st.anchor || st.anchor.start > n.start) return null;
  // Some earlier statement must set x on every path here, or x may come from the environment.
  if (!(flow.killers.get(name) ?? []).some((k) => k.end <= at.start && at.chain.includes(k.key))) return null;
  const reach = reachingSites(name, info, st, at);
  if (reach.some((x) => x.dynamic || x.pending)) return null;
  const before = [...new Set(reach.flatMap((x) => x.texts))];
  if (before.length === 0 || before.length > 16) return null;
  const out: string[] = [];
  for (const v of before) {
    st.binds = new Map([[name, v]]);
    st.altCount = 0;
    const w = wordValue(valueNode, f, st, 0, true);
    const alts = st.altCount;
    st.binds = undefined;
    if (w.dynamic || w.substituted || alts > 0 || w.taint.size > 0) return null;
    const text = append ? v + w.text : w.text;
    if (text.length > MAX_VALUE) return null;
    if (!out.includes(text)) out.push(text);
  }
  return out;
}

/**
 * A straight `for v in WORDS; do ... x=$x...; done` over literal words, with the self-append a
 * statement of the body (so it runs once per word) and no break or continue: the values x takes,
 * computed by running the iterations. Anything else leaves the loop-built value dynamic.
 */
function unrollFor(n: PNode, f: Frame, st: State): void {
  const flow = st.flow;
  const varNode = n.kids.find((k) => k.field === "variable");
  const body = n.kids.find((k) => k.field === "body");
  const valueNodes = n.kids.filter((k) => k.field === "value");
  if (!flow || !varNode || !body || body.type !== "do_group" || valueNodes.length === 0) return;
  const bodyText = txt(body, f);
  if (/\b(break|continue|eval|source|read|unset|getopts|return|exit)\b|(^|[\s;&|(])\.\s/.test(bodyText)) return;
  const loopVar = txt(varNode, f);
  const words: string[] = [];
  for (const v of valueNodes) {
    st.altCount = 0;
    const w = wordValue(v, f, st, f.depth, true);
    if (w.dynamic || w.substituted || st.altCount > 0 || /[*?[]/.test(w.text)) return;
    if (w.split && v.type !== "string" && v.type !== "raw_string") words.push(...w.text.split(/[ \t\n]+/).filter(Boolean));
    else words.push(w.text);
  }
  if (words.length > 32) return;
  // Every assignment in the body, by name.
  const sets = new Map<string, PNode[]>();
  const stack = [body];
  while (stack.length) {
    const k = stack.pop()!;
    if (k.type === "variable_assignment") {
      const nm = k.kids.find((c) => c.field === "name");
      if (nm) sets.set(txt(nm, f), [...(sets.get(txt(nm, f)) ?? []), k]);
    }
    if (k.type === "function_definition" || k.type === "command_substitution") return;
    for (const c of k.kids) stack.push(c);
  }
  if (sets.has(loopVar)) return;
  for (const a of body.kids.filter((k) => k.type === "variable_assignment")) {
    const nm = a.kids.find((c) => c.field === "name");
    const valueNode = a.kids.find((c) => c.field === "value");
    if (!nm || !valueNode) continue;
    const name = txt(nm, f);
    if (sets.get(name)?.length !== 1 || flow.noKill.has(name)) continue;
    const info = st.vars.get(name);
    const site = info?.sites.find((x) => x.node === a);
    if (!info || !site) continue;
    const append = a.kids.some((c) => c.type === "+=");
    const at = { start: n.start, chain: st.anchor!.chain };
    if (!(flow.killers.get(name) ?? []).some((k) => k.end <= at.start && at.chain.includes(k.key))) continue;
    const reach = reachingSites(name, info, st, at).filter((x) => x !== site);
    // A function, an eval or another loop that sets x could reset it between two iterations.
    if (reach.length === 0 || reach.some((x) => x.dynamic || x.pending || !x.straight) || info.sites.some((x) => x !== site && !x.straight)) continue;
    let cur = [...new Set(reach.flatMap((x) => x.texts))];
    if (cur.length > 4) continue;
    const all = new Set(cur);
    let ok = true;
    for (const word of words) {
      const next: string[] = [];
      for (const v of cur) {
        st.binds = new Map([[name, v], [loopVar, word]]);
        st.altCount = 0;
        const w = wordValue(valueNode, f, st, f.depth, true);
        const alts = st.altCount;
        st.binds = undefined;
        const text = append ? v + w.text : w.text;
        if (w.dynamic || w.substituted || alts > 0 || w.taint.size > 0 || text.length > MAX_VALUE) ok = false;
        next.push(text);
      }
      if (!ok) break;
      cur = next;
      for (const x of cur) all.add(x);
    }
    if (!ok || all.size > 64) continue;
    site.texts = [...all];
    site.dynamic = false;
    site.pending = false;
    site.unrolled = true;
  }
}

/** The assignments of a variable whose value can reach the statement `at` (all of them when out of order). */
function reachingSites(name: string, info: VarInfo, st: State, at = st.anchor): Site[] {
  if (!at || !st.flow) return info.sites;
  const ks = st.flow.noKill.has(name) ? [] : (st.flow.killers.get(name) ?? []);
  const live = info.sites.filter((s) => {
    if (!s.straight || !s.node) return true;
    if (s.node.start >= at.start) return false;
    const end = s.node.end;
    return !ks.some((k) => k.start >= end && k.end <= at.start && at.chain.includes(k.key));
  });
  // Used before any assignment: keep the whole file's values (a function may run it later).
  return live.length ? live : info.sites;
}

/** See Flow. */
function flowScan(root: PNode, src: string): Flow {
  const flow: Flow = { anchors: new Map(), straightAssign: new Map(), killers: new Map(), noKill: new Set() };
  const NOT_STMT = new Set([";", "&", ";;", "\n", "comment", "if", "then", "fi", "elif", "else", "{", "}", "heredoc_body"]);
  const nameOf = (a: PNode) => {
    const nm = a.kids.find((k) => k.field === "name");
    return nm ? src.slice(nm.start, nm.end).replace(/\[.*$/, "") : "";
  };
  const plain = (s: PNode): PNode[] => (s.type === "variable_assignment" ? [s] : s.type === "variable_assignments" ? s.kids.filter((k) => k.type === "variable_assignment") : []);
  const isPlainSet = (a: PNode) => !a.kids.some((k) => k.type === "+=");
  /** Statements of a branch: the kids after `then` (if/elif), all of an else or { } group. */
  const bodyOf = (n: PNode): PNode[] => {
    const kids = n.kids.filter((k) => !NOT_STMT.has(k.type));
    if (n.type === "if_statement" || n.type === "elif_clause") {
      const then = n.kids.findIndex((k) => k.type === "then");
      return n.kids.slice(then + 1).filter((k) => !NOT_STMT.has(k.type) && k.type !== "elif_clause" && k.type !== "else_clause");
    }
    return kids;
  };
  /** Names every branch of an if with an else surely assigns. */
  const mustAssign = (stmts: PNode[]): Set<string> => {
    const out = new Set<string>();
    for (const s of stmts) {
      for (const a of plain(s)) if (isPlainSet(a)) out.add(nameOf(a));
      if (s.type === "compound_statement") for (const x of mustAssign(bodyOf(s))) out.add(x);
      if (s.type === "if_statement") for (const x of ifAssigns(s)) out.add(x);
    }
    return out;
  };
  const ifAssigns = (s: PNode): Set<string> => {
    const elseC = s.kids.find((k) => k.type === "else_clause");
    if (!elseC) return new Set();
    const branches = [bodyOf(s), ...s.kids.filter((k) => k.type === "elif_clause").map(bodyOf), bodyOf(elseC)].map(mustAssign);
    return new Set([...branches[0]!].filter((x) => branches.every((b) => b.has(x))));
  };
  const kill = (name: string, s: PNode, key: string) => {
    if (!name) return;
    const l = flow.killers.get(name) ?? [];
    l.push({ start: s.start, end: s.end, key });
    flow.killers.set(name, l);
  };
  // Where the parser gave up, its idea of nesting is not the shell's: statements from the first
  // unparsed region on are not treated as straight (so they never kill a value or bound a lookup).
  let firstError = Infinity;
  const scan = [root];
  while (scan.length) {
    const n = scan.pop()!;
    if (n.type === "ERROR") firstError = Math.min(firstError, n.start);
    for (const k of n.kids) scan.push(k);
  }
  const visit = (stmts: PNode[], chain: string[]) => {
    const key = chain[chain.length - 1]!;
    for (const s of stmts) {
      const whole = s.end <= firstError;
      // A statement that runs into the unparsed region still starts where it starts; a branch
      // that does would bound lookups in its later, unregistered statements wrongly.
      if (whole || (s.start < firstError && s.type !== "if_statement" && s.type !== "compound_statement")) flow.anchors.set(s, chain);
      if (whole) for (const a of plain(s)) {
        flow.straightAssign.set(a, chain);
        if (isPlainSet(a)) kill(nameOf(a), a, key);
      }
      if (s.type === "if_statement") {
        if (whole) for (const x of ifAssigns(s)) kill(x, s, key);
        visit(bodyOf(s), [...chain, `then@${s.start}`]);
        for (const k of s.kids) if (k.type === "elif_clause" || k.type === "else_clause") visit(bodyOf(k), [...chain, `${k.type}@${k.start}`]);
      } else if (s.type === "compound_statement") visit(bodyOf(s), [...chain, `group@${s.start}`]);
    }
  };
  visit(root.kids.filter((k) => !NOT_STMT.has(k.type)), ["program"]);
  // readonly (or declare -r, -n): a later assignment may fail or write another variable.
  const stack = [root];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === "declaration_command") {
      const t = src.slice(n.start, n.end);
      if (/^readonly\b|\s-[a-zA-Z]*[rn]/.test(t)) {
        for (const k of n.kids.slice(1)) {
          if (k.type === "variable_assignment") flow.noKill.add(nameOf(k));
          else if (k.type === "variable_name" || k.type === "word") flow.noKill.add(src.slice(k.start, k.end));
          else flow.killers.clear();
        }
      }
      if (/\s-[a-zA-Z]*n/.test(t)) flow.killers.clear();
    }
    for (const k of n.kids) stack.push(k);
  }
  return flow;
}

function emptyWord(text = ""): Word {
  return { text, dynamic: false, substituted: false, split: false, taint: new Set() };
}

function lookupVar(name: string, st: State): { text: string; dynamic: boolean; taint: Set<Taint>; alts?: string[] } {
  const bound = st.binds?.get(name);
  if (bound !== undefined) return { text: bound, dynamic: false, taint: new Set() };
  if (st.positional && /^[1-9]$/.test(name)) return { text: st.positional[Number(name) - 1] ?? "", dynamic: false, taint: new Set() };
  if (name === "IFS") return { text: " ", dynamic: false, taint: new Set() };
  // The shell sets these to numbers: their value cannot carry code (configure's $LINENO tricks).
  if (/^(LINENO|RANDOM|SECONDS|PPID|BASHPID|\$|\?|#)$/.test(name) && !st.vars.has(name)) return { text: "0", dynamic: false, taint: new Set() };
  if (TREE_ROOT_VARS.test(name)) return { text: `$${name}`, dynamic: true, taint: new Set() };
  const v = st.vars.get(name);
  if (st.resolving.has(name)) {
    st.selfHit = true;
    return { text: `$${name}`, dynamic: true, taint: v ? v.taint : new Set() };
  }
  const sites = v ? reachingSites(name, v, st) : [];
  const values = [...new Set(sites.flatMap((x) => x.texts))];
  if (!v || values.length === 0) return { text: `$${name}`, dynamic: true, taint: v ? v.taint : new Set() };
  const nonEmpty = values.filter((x) => x !== "");
  const best = nonEmpty.reduce((a, b) => (b.length > a.length ? b : a), "");
  if (nonEmpty.length > 1) st.altCount++;
  return { text: best, dynamic: sites.some((x) => x.dynamic || x.pending), taint: v.taint, ...(nonEmpty.length > 1 ? { alts: nonEmpty } : {}) };
}

/**
 * The value of a word: quotes removed, escapes decoded, literal variables substituted, static
 * command substitutions (printf/echo, their decoders) computed; anything else marked dynamic.
 */
function wordValue(n: PNode, f: Frame, st: State, depth: number, literalOnly = false): Word {
  switch (n.type) {
    case "word":
    case "command_name":
    case "number": {
      if (n.kids.length && n.type === "command_name") return wordValue(n.kids[0]!, f, st, depth, literalOnly);
      if (n.kids.length) return concat(n.kids, f, st, depth, literalOnly, false);
      return emptyWord(unbackslash(txt(n, f)));
    }
    case "raw_string":
      return emptyWord(txt(n, f).slice(1, -1));
    case "ansi_c_string":
      return emptyWord(decodeAnsiC(txt(n, f).slice(2, -1)));
    case "translated_string":
      return n.kids[0] ? wordValue(n.kids[n.kids.length - 1]!, f, st, depth, literalOnly) : emptyWord();
    case "string":
    case "heredoc_body": {
      // Plain text between the expansions is kept as written (minus the escapes "..." honours).
      const inner = n.kids.filter((k) => k.type !== '"' && k.type !== "string_content" && k.type !== "heredoc_content");
      const from = n.type === "string" ? n.start + 1 : n.start;
      const to = n.type === "string" ? n.end - 1 : n.end;
      const w = emptyWord();
      let pos = from;
      const plain = (a: number, b: number) => f.src.slice(a, b).replace(/\\\n/g, "").replace(/\\([$`"\\])/g, "$1");
      for (const k of inner) {
        if (k.start > pos) w.text += plain(pos, k.start);
        const v = wordValue(k, f, st, depth, literalOnly);
        w.text += v.text;
        w.dynamic ||= v.dynamic;
        w.substituted ||= v.substituted;
        for (const t of v.taint) w.taint.add(t);
        if (inner.length === 1 && v.alts && k.start === from && k.end === to) w.alts = v.alts;
        pos = k.end;
      }
      if (to > pos) w.text += plain(pos, to);
      if (w.text.length > MAX_VALUE) {
        w.text = w.text.slice(0, MAX_VALUE);
        w.dynamic = true;
      }
      return w;
    }
    case "string_content":
      return emptyWord(txt(n, f).replace(/\\\n/g, "").replace(/\\([$`"\\])/g, "$1"));
    case "concatenation":
      return concat(n.kids, f, st, depth, literalOnly, false);
    case "simple_expansion": {
      const name = n.kids.find((k) => k.type === "variable_name" || k.type === "special_variable_name");
      if (!name) return { ...emptyWord(txt(n, f)), dynamic: true };
      const v = lookupVar(txt(name, f), st);
      return { text: v.text, dynamic: v.dynamic, substituted: false, split: true, taint: new Set(v.taint), ...(v.alts ? { alts: v.alts } : {}) };
    }
    case "expansion": {
      const raw = txt(n, f);
      const m = /^\$\{(#?)([A-Za-z_][A-Za-z0-9_]*|[0-9@*#?$!-])(.*)\}$/s.exec(raw);
      if (!m) return { ...emptyWord(raw), dynamic: true, split: true };
      const [, len, name, op] = m;
      if (name === "IFS") return { ...emptyWord(" "), split: true };
      if (len) return { ...emptyWord(raw), dynamic: true };
      const v = lookupVar(name!, st);
      if (op && /^:?[-=?+]/.test(op)) {
        const def = op.replace(/^:?[-=?+]/, "");
        if (v.dynamic && !TREE_ROOT_VARS.test(name!)) return { text: unbackslash(def.replace(/^["']|["']$/g, "")), dynamic: true, substituted: false, split: true, taint: new Set(v.taint) };
      } else if (op) {
        return { text: v.text, dynamic: true, substituted: false, split: true, taint: new Set(v.taint) };
      }
      return { text: v.text, dynamic: v.dynamic, substituted: false, split: true, taint: new Set(v.taint), ...(v.alts ? { alts: v.alts } : {}) };
    }
    case "command_substitution": {
      if (literalOnly) {
        // The value is what the command prints: resolvable only when it is a printf/echo of literals.
        const stat = staticOutput(n, f, st, depth);
        if (stat !== null) return emptyWord(stat);
        return { text: txt(n, f), dynamic: true, substituted: true, split: true, taint: new Set<Taint>(["generated"]) };
      }
      const stat = staticOutput(n, f, st, depth);
      const out = runBody(n.kids.filter((k) => !["$(", ")", "`", "$`"].includes(k.type)), f, st, null);
      if (stat !== null) return { ...emptyWord(stat), taint: out, split: true };
      const taint = new Set<Taint>(out);
      taint.add("generated");
      return { text: txt(n, f), dynamic: true, substituted: true, split: true, taint };
    }
    case "process_substitution":
      runBody(n.kids.filter((k) => !["<(", ">(", ")"].includes(k.type)), f, st, null);
      return { text: txt(n, f), dynamic: true, substituted: true, split: false, taint: new Set<Taint>(["generated"]) };
    case "arithmetic_expansion":
      return { ...emptyWord(txt(n, f)), dynamic: true };
    default:
      return { ...emptyWord(unbackslash(txt(n, f))), dynamic: n.kids.length > 0 };
  }
}

function concat(kids: PNode[], f: Frame, st: State, depth: number, literalOnly: boolean, quoted: boolean): Word {
  const out = emptyWord();
  let last = 0;
  let pos = kids[0]?.start ?? 0;
  for (const k of kids) {
    // Text between named children of a string (tree-sitter leaves plain text unnamed in some nodes).
    if (k.start > pos && quoted) out.text += f.src.slice(pos, k.start).replace(/\\([$`"\\])/g, "$1");
    const w = wordValue(k, f, st, depth, literalOnly);
    out.text += w.text;
    if (out.text.length > MAX_VALUE) {
      out.text = out.text.slice(0, MAX_VALUE);
      out.dynamic = true;
    }
    out.dynamic ||= w.dynamic;
    out.substituted ||= w.substituted;
    out.split ||= w.split;
    for (const t of w.taint) out.taint.add(t);
    if (kids.length === 1 && w.alts) out.alts = w.alts;
    pos = k.end;
    last++;
  }
  void last;
  return out;
}

/** The output of `$(printf ...)`, `$(echo ...)` or those piped through a decoder, when all of it is literal. */
function staticOutput(n: PNode, f: Frame, st: State, depth: number): string | null {
  const body = n.kids.filter((k) => !["$(", ")", "`", "$`"].includes(k.type));
  if (body.length !== 1) return null;
  const stages = body[0]!.type === "pipeline" ? body[0]!.kids.filter((k) => k.type === "command") : body[0]!.type === "command" ? [body[0]!] : [];
  if (stages.length === 0) return null;
  let data: string | null = null;
  for (const [i, s] of stages.entries()) {
    const argv = argvOf(s, f, st, depth, true);
    if (!argv) return null;
    const name = argv[0]!.text;
    const args = argv.slice(1).map((w) => w.text);
    if (argv.some((w) => w.dynamic)) return null;
    if (i === 0 && name === "printf") data = evalPrintf(args);
    else if (i === 0 && name === "echo") data = echoValue(args) + "\n";
    else if (i > 0 && data !== null && name === "base64" && args.some((a) => /^-(d|D|-decode)$/.test(a))) data = Buffer.from(data, "base64").toString("latin1");
    else if (i > 0 && data !== null && name === "xxd" && args.includes("-r")) data = Buffer.from(data.replace(/[^0-9a-fA-F]/g, ""), "hex").toString("latin1");
    else if (i > 0 && data !== null && name === "rev") data = data.split("\n").map((l) => [...l].reverse().join("")).join("\n");
    else return null;
  }
  return data === null ? null : data.replace(/\n+$/, "");
}

/** argv of a simple command (words after splitting); null when the node has no command name. */
function argvOf(cmd: PNode, f: Frame, st: State, depth: number, literalOnly = false): Word[] | null {
  const words: Word[] = [];
  for (const k of cmd.kids) {
    if (k.field === "name" || k.field === "argument") {
      const w = wordValue(k, f, st, depth, literalOnly);
      if (w.split && !w.dynamic && /\s/.test(w.text.trim()) && k.type !== "string") {
        for (const part of w.text.split(/[ \t\n]+/).filter(Boolean)) words.push({ ...w, text: part, split: false });
      } else if (w.split && !w.dynamic && w.text === "" && k.type !== "string") {
        /* an empty unquoted expansion vanishes */
      } else words.push(w);
    }
  }
  return words.length ? words : null;
}

function addCodeLines(n: PNode, f: Frame, st: State): void {
  if (f.generated) return;
  for (let r = n.row; r <= n.endRow; r++) st.codeLines.add(f.lineOf(r));
}

/** Walk statements; returns the taint of what the last statement prints. */
function walk(n: PNode, f: Frame, st: State): Set<Taint> {
  const chain = st.flow && f.depth === 0 && !f.generated ? st.flow.anchors.get(n) : undefined;
  if (!chain) return walkNode(n, f, st);
  const prev = st.anchor;
  st.anchor = { start: n.start, chain };
  try {
    if (n.type === "for_statement") unrollFor(n, f, st);
    return walkNode(n, f, st);
  } finally {
    st.anchor = prev;
  }
}

function walkNode(n: PNode, f: Frame, st: State): Set<Taint> {
  if (--st.budget < 0 && f.depth > 0) return new Set();
  switch (n.type) {
    case "program":
    case "compound_statement":
    case "subshell":
    case "do_group":
    case "else_clause":
    case "elif_clause":
    case "if_statement":
    case "while_statement":
    case "for_statement":
    case "c_style_for_statement":
    case "case_statement":
    case "case_item":
    case "list":
    case "negated_command":
      return runBody(n.kids, f, st, null);
    case "function_definition": {
      // The body runs when the function is called, not here: its lookups see every assignment.
      const body = n.kids.find((k) => k.field === "body");
      const prev = st.anchor;
      st.anchor = null;
      try {
        return body ? walk(body, f, st) : new Set();
      } finally {
        st.anchor = prev;
      }
    }
    case "pipeline":
      return runPipeline(n, f, st);
    case "command":
    case "redirected_statement":
    case "declaration_command":
    case "unset_command":
    case "test_command":
    case "variable_assignment":
    case "variable_assignments":
      return runStage(n, f, st, null, false);
    case "ERROR":
      st.errors++;
      addCodeLines(n, f, st);
      errorFallback(n, f, st);
      return runBody(n.kids, f, st, null);
    case "comment":
    case "heredoc_body":
      return new Set();
    default:
      return runBody(n.kids, f, st, null);
  }
}

function runBody(kids: PNode[], f: Frame, st: State, _stdin: Set<Taint> | null): Set<Taint> {
  let out = new Set<Taint>();
  for (const k of kids) {
    if (k.field === "condition" || k.field === "value" || k.type === "word" || k.type === "string") {
      // if/while conditions run; a case value or for-list word may hold a command substitution.
      if (k.type === "command_substitution" || k.type === "string" || k.type === "concatenation") wordValue(k, f, st, f.depth);
    }
    if (k.type === "word" || k.type === "string" || k.type === "concatenation" || k.type === "simple_expansion" || k.type === "expansion" || k.type === "raw_string") continue;
    if (k.type === "command_substitution") {
      wordValue(k, f, st, f.depth);
      continue;
    }
    out = walk(k, f, st);
  }
  return out;
}

function runPipeline(n: PNode, f: Frame, st: State): Set<Taint> {
  const stages = n.kids.filter((k) => k.type !== "|" && k.type !== "|&");
  let data: Set<Taint> | null = null;
  for (const [i, s] of stages.entries()) {
    // `echo "$literal" | sh` runs text written in the file: the next stage judges that text as code
    // (autoconf's `$as_echo "$as_bourne_compatible$as_required" | as_run=a "$as_shell"`).
    st.pipeLiteral = i === 1 ? (literalStageOutput(stages[0]!, f, st) ?? undefined) : undefined;
    data = runStage(s, f, st, data, i > 0);
  }
  st.pipeLiteral = undefined;
  return data ?? new Set();
}

/**
 * What the first stage of a pipeline writes, when it only prints words written in the file: one
 * text per value the variable naming the command can hold (autoconf 2.69's `$as_echo`); null when
 * any of them is not such a printer or any word is not a literal.
 */
function literalStageOutput(stage: PNode, f: Frame, st: State): string[] | null {
  const cmd = stage.type === "command" ? stage : stage.kids.find((k) => k.type === "command");
  if (!cmd || stage.kids.some((k) => k.type === "file_redirect" || k.type === "heredoc_redirect" || k.type === "herestring_redirect")) return null;
  const saved = st.altCount;
  try {
    return printerOutputs(cmd, f, st, 0);
  } finally {
    st.altCount = saved;
  }
}

/** A plain command that only prints (echo, printf, ksh print, eval or sh -c of one, expr STR : RE): its outputs, or null. */
function printerOutputs(cmd: PNode, f: Frame, st: State, depth: number): string[] | null {
  if (depth > 4 || cmd.type !== "command" || cmd.kids.some((k) => k.type.endsWith("redirect"))) return null;
  let words = cmd.kids.filter((k) => k.field === "name" || k.field === "argument");
  // tree-sitter-bash sometimes runs `A=1 B=2<newline>if { cmd ... | sh; }` together into one
  // command named `if`: the shell ends the assignments at the newline, and the pipeline starts at cmd.
  const lastSet = cmd.kids.filter((k) => k.type === "variable_assignment").pop();
  if (lastSet && words[0] && /(^|[^\\])\n/.test(f.src.slice(lastSet.end, words[0].start))) {
    while (words.length && /^(if|while|until|!|\{|then|do|else|elif)$/.test(txt(words[0]!, f))) words = words.slice(1);
  }
  if (words.length === 0) return null;
  const rest: string[] = [];
  for (const k of words.slice(1)) {
    st.altCount = 0;
    const w = wordValue(k, f, st, f.depth, true);
    if (w.dynamic || w.substituted || w.taint.size > 0 || st.altCount > 0 || fileTaint(w, st).size > 0) return null;
    if (w.split && k.type !== "string" && k.type !== "raw_string") rest.push(...w.text.split(/[ \t\n]+/).filter(Boolean));
    else rest.push(w.text);
  }
  const nameNode = words[0]!;
  const inner = nameNode.type === "command_name" && nameNode.kids.length === 1 ? nameNode.kids[0]! : nameNode;
  let names: string[];
  if (inner.type === "simple_expansion" || (inner.type === "expansion" && /^\$\{[A-Za-z_]\w*\}$/.test(txt(inner, f)))) {
    // A variable naming the command: every value it can hold here must be a printer (an empty one
    // would run the arguments themselves).
    const vname = txt(inner, f).replace(/^\$\{?|\}$/g, "");
    const v = st.vars.get(vname);
    if (!v || st.resolving.has(vname)) return null;
    const sites = reachingSites(vname, v, st);
    if (sites.some((x) => x.dynamic || x.pending)) return null;
    names = [...new Set(sites.flatMap((x) => x.texts))];
    if (names.length === 0 || names.length > 8 || names.some((x) => x.trim() === "")) return null;
    names = names.map((x) => x.trim());
  } else {
    st.altCount = 0;
    const w = wordValue(nameNode, f, st, f.depth, true);
    if (w.dynamic || w.substituted || w.taint.size > 0 || st.altCount > 0) return null;
    names = [w.split ? w.text.trim() : w.text];
  }
  const outs: string[] = [];
  for (const nm of names) {
    const argv = [...(inner.type === "string" || inner.type === "raw_string" ? [nm] : nm.split(/[ \t\n]+/).filter(Boolean)), ...rest];
    const o = printed(argv, f, st, depth);
    if (o === null) return null;
    for (const x of o) if (!outs.includes(x)) outs.push(x);
  }
  return outs.length > 16 ? null : outs;
}

function printed(argv: string[], f: Frame, st: State, depth: number): string[] | null {
  const cmd = argv[0] ?? "";
  // A printer found by PATH or in a system directory, not a file of the tree.
  if (cmd.includes("/") && !/^\/(usr\/)?(s?bin|ucb)\/[^/]+$/.test(cmd)) return null;
  const name = baseName(cmd);
  const args = argv.slice(1);
  if (name === "printf" && args.length) return [evalPrintf(args)];
  if (name === "echo") return [echoValue([...args]) + "\n"];
  if (name === "print") {
    let i = 0;
    let raw = false;
    while (i < args.length && /^-[rn]+$/.test(args[i]!)) raw ||= args[i++]!.includes("r");
    if (args[i] === "--") i++;
    else if (args[i]?.startsWith("-")) return null;
    const t = args.slice(i).join(" ");
    return [(raw ? t : evalPrintf(["%b", t])) + "\n"];
  }
  if (name === "expr" && args.length === 3 && args[1] === ":") {
    const m = breMatch(args[0]!, args[2]!);
    return m === null ? null : [m + "\n"];
  }
  const code = name === "eval" ? args.join(" ") : SHELLS.has(name) && args[0] === "-c" && args.length >= 2 ? args[1]! : null;
  if (code === null) return null;
  let root: PNode;
  try {
    root = st.parseCache.get(code) ?? parseToPlain(code);
  } catch {
    return null;
  }
  st.parseCache.set(code, root);
  const stmts = root.kids.filter((k) => k.type !== "comment" && k.type !== ";" && k.type !== "\n");
  if (stmts.length !== 1) return null;
  const saved = st.positional;
  if (name !== "eval") st.positional = args.slice(3);
  try {
    return printerOutputs(stmts[0]!, { src: code, lineOf: f.lineOf, depth: f.depth + 1, generated: true, stdin: null }, st, depth + 1);
  } finally {
    st.positional = saved;
  }
}

/** `expr STRING : REGEX` for a basic regular expression of literal characters, `.`, `*` and one \( \) group. */
function breMatch(s: string, re: string): string | null {
  let js = "^";
  let groups = 0;
  for (let i = 0; i < re.length; i++) {
    const c = re[i]!;
    if (c === "\\") {
      const d = re[++i];
      if (d === "(" && groups === 0) {
        js += "(";
        groups++;
      } else if (d === ")" && groups === 1 && !js.endsWith(")")) js += ")";
      else if (d !== undefined && /[.*[\]\\^$/]/.test(d)) js += `\\${d}`;
      else return null;
    } else if (c === ".") js += "[\\s\\S]";
    else if (c === "*" && js !== "^" && !js.endsWith("(")) js += "*";
    else if (/[A-Za-z0-9 _:=,%@#-]/.test(c)) js += c === "-" ? "\\-" : c;
    else return null;
  }
  let m: RegExpExecArray | null;
  try {
    m = new RegExp(js).exec(s);
  } catch {
    return null;
  }
  if (groups) return m ? (m[1] ?? "") : "";
  return String(m ? m[0].length : 0);
}

interface Redirs {
  stdinFile?: Word;
  heredoc?: { text: string; node: PNode; quoted: boolean };
  herestring?: Word;
  outFiles: Word[];
  pipeAfter?: PNode;
}

function collectRedirects(nodes: PNode[], f: Frame, st: State): Redirs {
  const r: Redirs = { outFiles: [] };
  for (const k of nodes) {
    if (k.type === "file_redirect") {
      const op = k.kids.find((c) => ["<", ">", ">>", "&>", "&>>", ">|", "<>", ">&", "<&", "&>"].includes(c.type));
      const dest = k.kids.find((c) => c.field === "destination") ?? k.kids[k.kids.length - 1];
      if (!dest || !op) continue;
      const w = wordValue(dest, f, st, f.depth);
      if (/\/dev\/(tcp|udp)\//.test(w.text)) hit(st, f, k, "reverse-shell", "network", `redirects to ${w.text}: opens a network connection from the build`);
      if (op.type === "<" || op.type === "<>") r.stdinFile = w;
      else if (op.type !== "<&" && op.type !== ">&") r.outFiles.push(w);
      else if (!/^\d+$|^-$/.test(w.text)) r.outFiles.push(w);
    } else if (k.type === "heredoc_redirect") {
      const body = k.kids.find((c) => c.type === "heredoc_body");
      const start = k.kids.find((c) => c.type === "heredoc_start");
      const quoted = !!start && /['"\\]/.test(txt(start, f));
      if (body) r.heredoc = { text: quoted ? txt(body, f) : wordValue(body, f, st, f.depth).text, node: body, quoted };
      else r.heredoc = { text: "", node: k, quoted };
      const pipe = k.kids.find((c) => c.type === "pipeline" || c.type === "command" || c.type === "list");
      if (pipe) r.pipeAfter = pipe;
    } else if (k.type === "herestring_redirect") {
      const w = k.kids.find((c) => c.type !== "<<<");
      if (w) r.herestring = wordValue(w, f, st, f.depth);
    }
  }
  return r;
}

function fileTaint(w: Word, st: State): Set<Taint> {
  const t = new Set<Taint>();
  for (const x of w.taint) if (x === "tree" || x === "tree-list" || x === "decoded" || x === "carved") t.add("tree");
  const tf = st.taintedFiles.get(w.text);
  if (tf) for (const x of tf) t.add(x);
  if (isDataPath(w.text)) t.add("tree");
  return t;
}

function isDataPath(p: string): boolean {
  if (/^\/dev\/|^-$/.test(p)) return false;
  // configure's scratch files (conftest.o, conftest.file) are written by configure itself.
  if (/(^|\/)conftest[^/]*$/.test(p) && !DATA_DIR.test(p)) return false;
  if (ARCHIVE.test(p) && !DATA_DIR.test(p)) return false;
  if (/^\/(etc|usr|proc|sys)\//.test(p)) return false;
  return DATA_DIR.test(p) || DATA_EXT.test(p);
}

function isTreeRoot(p: string): boolean {
  return TREE_ROOT_TEXT.test(p) || /^(\.|\.\/|\.\.|\.\.\/|\/|\*|\.\/\*|~\/?)$/.test(p.replace(/["']/g, ""));
}

function isSrcdirSource(p: string): boolean {
  return TREE_ROOT_TEXT.test(p) && /\//.test(p) && SOURCE_EXT.test(p.replace(/["']$/, ""));
}

function baseName(s: string): string {
  return s.replace(/^.*\//, "");
}

/**
 * One pipeline stage: a command (with its redirections), an assignment, a compound command.
 * `stdin` is the taint of piped-in data (null when nothing is piped in).
 */
function runStage(n: PNode, f: Frame, st: State, stdin: Set<Taint> | null, piped: boolean): Set<Taint> {
  if (n.type === "redirected_statement") {
    const body = n.kids.find((k) => k.field === "body");
    const redirs = collectRedirects(n.kids.filter((k) => k.field === "redirect" || k.type.endsWith("redirect")), f, st);
    let input = stdin;
    if (redirs.stdinFile) input = new Set([...(input ?? []), ...fileTaint(redirs.stdinFile, st), ...(redirs.stdinFile.dynamic && !redirs.stdinFile.taint.size ? [] : [])]);
    if (redirs.herestring) input = new Set([...(input ?? []), ...redirs.herestring.taint, "literal" as Taint]);
    if (redirs.heredoc) input = new Set([...(input ?? []), "literal" as Taint]);
    let out: Set<Taint>;
    if (body && body.type === "command") out = runCommand(body, f, st, input, piped || !!redirs.stdinFile || !!redirs.heredoc || !!redirs.herestring, redirs);
    else if (body) {
      addCodeLines(body, f, st);
      out = body.type === "pipeline" ? runPipeline(body, f, st) : walk(body, f, st);
      if (body.type === "while_statement" && redirs.stdinFile && fileTaint(redirs.stdinFile, st).size) out.add("tree");
    } else out = new Set();
    for (const w of redirs.outFiles) afterWrite(w, out, n, f, st, baseName(body ? txt(body, f).split(/\s/)[0] ?? "" : ""));
    // `cat > f <<EOF … EOF` writes text that a later `sh f` or `. f` runs.
    if (redirs.heredoc && body && /^(cat|tee)$/.test(baseName(txt(body, f).split(/\s/)[0] ?? ""))) {
      for (const w of redirs.outFiles) if (!/^\/dev\//.test(w.text)) st.writtenText.set(w.text, (st.writtenText.get(w.text) ?? "") + redirs.heredoc.text);
    }
    if (redirs.pipeAfter) {
      // `cmd <<EOF | sh`: the heredoc's command pipes into what follows.
      const rest = redirs.pipeAfter.type === "pipeline" ? redirs.pipeAfter.kids.filter((k) => k.type !== "|") : [redirs.pipeAfter];
      let data: Set<Taint> = out;
      const heredocAsCode = redirs.heredoc && body && /^(cat|echo|printf)$/.test(baseName(txt(body, f).split(/\s/)[0] ?? ""));
      for (const s of rest) {
        const hd: Redirs = heredocAsCode ? { outFiles: [], heredoc: redirs.heredoc! } : { outFiles: [] };
        if (s.type === "command") data = runCommand(s, f, st, data, true, hd);
        else data = runStage(s, f, st, data, true);
      }
      return data;
    }
    return out;
  }
  if (n.type === "command") return runCommand(n, f, st, stdin, piped, { outFiles: [] });
  if (n.type === "variable_assignment") {
    addCodeLines(n, f, st);
    const v = n.kids.find((k) => k.field === "value");
    if (v) {
      const w = wordValue(v, f, st, f.depth);
      recordAssignment(n, f, st, false);
      storedCode(w, v, f, st);
    }
    return new Set();
  }
  if (n.type === "declaration_command" || n.type === "variable_assignments" || n.type === "unset_command" || n.type === "test_command") {
    addCodeLines(n, f, st);
    for (const k of n.kids) if (k.type === "variable_assignment") runStage(k, f, st, null, false);
    else if (k.type !== "word") runBody([k], f, st, null);
    return new Set();
  }
  if (n.type === "pipeline") return runPipeline(n, f, st);
  // Compound command in a pipeline (`... | while read l; do ...; done`, `( ... )`): its commands read the pipe.
  const out = walk(n, stdin && hasData(stdin) ? { ...f, stdin } : f, st);
  if (stdin && stdin.size) for (const t of stdin) out.add(t);
  return out;
}

/** A literal string that is itself a command line with a dangerous effect (xz: gl_path_map='tr ...'). */
function storedCode(w: Word, v: PNode, f: Frame, st: State): void {
  if (f.depth >= MAX_DEPTH || w.dynamic || !/\s/.test(w.text) || w.text.length > 20000) return;
  if (v.type !== "raw_string" && v.type !== "string") return;
  if (!interestingCommand(w.text)) return;
  reparse(w.text, f, st, v, null, false, true);
}

/** Does this command line start with a command whose effects this analysis judges? */
function interestingCommand(line: string): boolean {
  const first = line.trim().split(/\s+/)[0] ?? "";
  const name = baseName(first.replace(/^\\/, ""));
  if (!/^[A-Za-z_.][\w.+-]*$/.test(name)) return false;
  return DECOMPRESSORS.has(name) || UNCOMPRESS_CMDS.has(name) || DECODERS.has(name) || DOWNLOADERS.has(name) || NETWORK.has(name) || name === "tr" || name === "dd" || name === "head" || name === "tail" || name === "eval" || SHELLS.has(name) || name === "grep" || name === "." || name === "source" || name === "cat" || name === "sed" || name in INTERPRETERS || name === "xxd" || name === "od" || name === "find" || name === "xargs";
}

/** Analyse `code` (text built at run time) as shell at the line of `at`. */
function reparse(code: string, f: Frame, st: State, at: PNode, stdin: Set<Taint> | null, piped: boolean, storedOnly = false): Set<Taint> {
  if (f.depth >= MAX_DEPTH || code.trim() === "") return stdin ?? new Set();
  const line = f.lineOf(at.row);
  const memo = `${line}\0${code}\0${[...(stdin ?? [])].join()}`;
  if (st.reparsed.has(memo)) return new Set(stdin ?? []);
  st.reparsed.add(memo);
  let root: PNode | undefined = st.parseCache.get(code);
  if (!root) {
    try {
      root = parseToPlain(code);
    } catch {
      return new Set();
    }
    st.parseCache.set(code, root);
  }
  const sub: Frame = { src: code, lineOf: () => line, depth: f.depth + 1, generated: true, stdin: null };
  const before = st.hits.length;
  collectAssignments(root, sub, st);
  let out: Set<Taint>;
  const top = root.kids.filter((k) => k.type !== "comment");
  if (stdin && top.length === 1) out = runStage(top[0]!, sub, st, stdin, piped);
  else out = walk(root, sub, st);
  if (storedOnly) {
    // A stored string only counts for effects that do not depend on what it is given.
    st.hits.splice(before, st.hits.length - before, ...st.hits.slice(before).filter((h) => h.id === "tr-byte-map" || h.effect === "downloads" || h.effect === "network" || h.id === "grep-source-tree" || h.effect === "sources"));
    for (const h of st.hits.slice(before)) void h;
  }
  return out;
}

function afterWrite(w: Word, data: Set<Taint>, at: PNode, f: Frame, st: State, cmd: string): void {
  if (/^\/dev\/(null|stderr|stdout|fd\/\d)$|^&?\d$/.test(w.text)) return;
  if (hasData(data)) {
    const prev = st.taintedFiles.get(w.text) ?? new Set<Taint>();
    for (const t of data) if (isData(t)) prev.add(t);
    st.taintedFiles.set(w.text, prev);
  }
  if (isSrcdirSource(w.text) && !/\$\{?(ac_file|ac_tmp|tmp|ac_f)\b/.test(w.text)) {
    hit(st, f, at, "writes-source-tree", "writes-tree", `${cmd || "a command"} writes ${w.text}: a build step that edits files of the source tree changes what gets compiled`);
  }
}

function hasFlag(args: string[], short: string, long?: string): boolean {
  return args.some((a) => (a.startsWith("-") && !a.startsWith("--") && a.length > 1 && [...a.slice(1)].some((c) => short.includes(c))) || (long !== undefined && (a === long || a.startsWith(`${long}=`))));
}

/** Strip wrappers that run their arguments as a command. */
function unwrap(argv: Word[]): { argv: Word[]; via: string[] } {
  const via: string[] = [];
  for (let guard = 0; guard < 8 && argv.length; guard++) {
    const name = baseName(argv[0]!.text);
    if (name === "command" || name === "builtin") {
      const rest = argv.slice(1);
      if (rest[0] && /^-[vV]$/.test(rest[0].text)) return { argv: [], via };
      while (rest[0] && /^-p$/.test(rest[0].text)) rest.shift();
      via.push(name);
      argv = rest;
    } else if (name === "exec" || name === "nohup" || name === "time" || name === "sudo" || name === "doas" || name === "stdbuf" || name === "setsid" || name === "chroot" && false) {
      via.push(name);
      argv = argv.slice(1);
      while (argv[0] && argv[0].text.startsWith("-")) argv = argv.slice(1);
    } else if (name === "env") {
      via.push(name);
      argv = argv.slice(1);
      while (argv[0] && (argv[0].text.startsWith("-") || /^[A-Za-z_]\w*=/.test(argv[0].text))) argv = argv.slice(1);
    } else if (name === "nice" || name === "timeout" || name === "ionice") {
      via.push(name);
      argv = argv.slice(1);
      while (argv[0] && (argv[0].text.startsWith("-") || /^\d+[smhd]?$/.test(argv[0].text))) argv = argv.slice(1);
    } else break;
  }
  return { argv, via };
}

function isShellName(w: Word, raw: string): boolean {
  const name = baseName(w.text);
  if (SHELLS.has(name)) return true;
  const m = /^["']?\$\{?([A-Za-z_]\w*)\}?["']?$/.exec(raw.trim());
  return !!m && SHELL_VARS.has(m[1]!) && w.dynamic;
}

function runCommand(cmd: PNode, f: Frame, st: State, stdin: Set<Taint> | null, piped: boolean, redirs: Redirs): Set<Taint> {
  addCodeLines(cmd, f, st);
  if (!piped && f.stdin) {
    stdin = f.stdin;
    piped = true;
  }
  // Prefix assignments (VAR=value cmd) and inline redirects inside the command node.
  for (const k of cmd.kids) if (k.type === "variable_assignment") runStage(k, f, st, null, false);
  const inner = collectRedirects(cmd.kids.filter((k) => k.type.endsWith("redirect")), f, st);
  if (inner.stdinFile) {
    redirs = { ...redirs, stdinFile: inner.stdinFile };
    stdin = new Set([...(stdin ?? []), ...fileTaint(inner.stdinFile, st)]);
    piped = true;
  }
  if (inner.herestring) {
    redirs = { ...redirs, herestring: inner.herestring };
    stdin = new Set([...(stdin ?? []), ...inner.herestring.taint, "literal" as Taint]);
    piped = true;
  }
  redirs.outFiles = [...redirs.outFiles, ...inner.outFiles];
  const nameNode = cmd.kids.find((k) => k.field === "name");
  const argv0 = argvOf(cmd, f, st, f.depth);
  if (!argv0 || !nameNode) return stdin ?? new Set();
  const rawName = txt(nameNode, f);
  let { argv, via } = unwrap(argv0);
  if (argv.length === 0) return new Set();
  const nameWord = argv[0]!;
  const name = baseName(nameWord.text);
  const args = argv.slice(1).map((w) => w.text);
  const anyArgTaint = argv.slice(1).some((w) => hasData(w.taint));
  let out = new Set<Taint>();
  const inData = stdin ?? new Set<Taint>();
  const inputFiles = argv.slice(1).filter((w) => !w.text.startsWith("-"));
  const treeInput = inputFiles.some((w) => fileTaint(w, st).size > 0) || (!!redirs.stdinFile && fileTaint(redirs.stdinFile, st).size > 0);
  const dataIn = treeInput || hasData(inData);

  // Aliases and functions: expand an alias as text; a function body was walked where it is defined.
  const alias = st.aliases.get(name);
  if (alias !== undefined && !via.includes("command") && !via.includes("builtin") && argv === argv0) {
    return reparse(`${alias} ${argv.slice(1).map((w) => shellQuote(w.text)).join(" ")}`, f, st, cmd, stdin, piped);
  }
  // A command whose name is computed: a variable holding a command line (word-split), or data.
  if (nameWord.dynamic && !isShellName(nameWord, rawName) && !(nameWord.text.startsWith("$") && !nameWord.substituted && !nameWord.taint.size)) {
    if (hasData(nameWord.taint)) {
      hit(st, f, cmd, "computed-command", "evals", `runs a command whose name is computed from data read at build time (${rawName.slice(0, 60)})`);
    }
    if (dataIn && piped) hit(st, f, cmd, "computed-command", "evals", `pipes data read from the tree into a command named by a variable (${rawName.slice(0, 60)})`);
    else if (piped && stdin && !redirs.stdinFile && hasFlag(args, "d") && !nameWord.substituted) hit(st, f, cmd, "computed-command", "decodes", `pipes data into a decoder whose name is held in a variable (${rawName.slice(0, 60)} -d)`);
  }
  if (nameWord.alts && nameWord.alts.length > 1 && cmd.kids.find((k) => k.field === "name")) {
    // One variable, several literal command lines: judge each.
    for (const alt of nameWord.alts.slice(0, 8)) if (alt !== nameWord.text && interestingCommand(alt)) reparse(`${alt} ${args.map(shellQuote).join(" ")}`, f, st, cmd, stdin, piped);
  }
  if (/\/dev\/(tcp|udp)\//.test(args.join(" "))) hit(st, f, cmd, "reverse-shell", "network", "names /dev/tcp or /dev/udp: opens a network connection from the build");

  if (name === "eval" || (name === "." && false)) {
    const code = argv.slice(1).map((w) => w.text).join(" ");
    const generated = argv.slice(1).some((w) => hasData(w.taint));
    if (generated) hit(st, f, cmd, "eval-generated", "evals", "evaluates text produced at run time (a command substitution or data read from files) as shell code");
    else if (piped && dataIn) hit(st, f, cmd, "eval-pipeline", "evals", "evaluates a command held in a variable on data piped in from the tree");
    else if (piped && stdin && !redirs.stdinFile && cmd.kids.some((k) => k.field === "argument" && (k.type === "simple_expansion" || k.type === "expansion") && lookupVar(txt(k, f).replace(/^\$\{?|\}$/g, ""), st).dynamic)) hit(st, f, cmd, "eval-pipeline", "evals", "evaluates a command held in a variable whose value is not written in the file, on piped data");
    const alts = argv.length === 2 && argv[1]!.alts ? argv[1]!.alts : [code];
    for (const c of alts.slice(0, 8)) out = union(out, reparse(c, f, st, cmd, stdin, piped));
    return out;
  }
  if (name === "." || name === "source") {
    const target = argv[1];
    const written = target ? st.writtenText.get(target.text) ?? st.writtenText.get(target.text.replace(/^\.\//, "")) : undefined;
    if (written !== undefined) reparse(written, f, st, cmd, null, false);
    if (target) {
      const t = fileTaint(target, st);
      if (t.size || target.substituted || /^\/dev\/(stdin|fd\/0)$/.test(target.text) || target.text.startsWith("<(")) {
        hit(st, f, cmd, "source-data", "sources", `sources ${target.text.slice(0, 80)}: shell code read from a file that is not a build script (test data, decoded or generated output)`);
      }
      if (piped && dataIn && /^\/dev\/(stdin|fd\/0)$/.test(target.text)) hit(st, f, cmd, "pipe-to-shell", "evals", "sources piped data as shell code");
    }
    return new Set();
  }
  if (isShellName(nameWord, rawName) || (name === "busybox" && SHELLS.has(args[0] ?? ""))) {
    const a = name === "busybox" ? args.slice(1) : args;
    const ci = a.findIndex((x) => /^-[a-z]*c[a-z]*$/.test(x));
    if (ci >= 0) {
      const w = argv[(name === "busybox" ? 2 : 1) + ci + 1];
      if (w) {
        if (hasData(w.taint)) hit(st, f, cmd, "eval-generated", "evals", "runs text produced from data at run time as a shell script (sh -c)");
        return reparse(w.text, f, st, cmd, stdin, piped);
      }
      return new Set();
    }
    const script = a.find((x) => !x.startsWith("-"));
    if (script !== undefined && !(a.includes("-s") && a.indexOf("-s") < a.indexOf(script))) {
      const w = argv.find((x) => x.text === script)!;
      const written = st.writtenText.get(script) ?? st.writtenText.get(script.replace(/^\.\//, ""));
      if (written !== undefined) reparse(written, f, st, cmd, null, false);
      if (fileTaint(w, st).size || w.substituted) hit(st, f, cmd, "source-data", "sources", `runs ${script.slice(0, 80)} as a shell script: it is test data, decoded or generated output, not a build script`);
      return new Set();
    }
    // The shell reads its program from stdin.
    if (redirs.heredoc) return reparse(redirs.heredoc.text, f, st, redirs.heredoc.node, null, false);
    if (redirs.herestring) {
      if (hasData(redirs.herestring.taint)) hit(st, f, cmd, "pipe-to-shell", "evals", "feeds generated text to a shell");
      return reparse(redirs.herestring.text, f, st, cmd, null, false);
    }
    if (piped && st.pipeLiteral !== undefined && !dataIn && !redirs.stdinFile) {
      const codes = st.pipeLiteral;
      st.pipeLiteral = undefined;
      let out = new Set<Taint>();
      for (const code of codes) out = union(out, reparse(code, f, st, cmd, null, false));
      return out;
    }
    if (piped) {
      const what = redirs.stdinFile ? `the file ${redirs.stdinFile.text}` : "the output of the pipeline before it";
      if (inData.has("decoded")) hit(st, f, cmd, "decode-to-shell", "evals", `runs decoded or decompressed data as a shell script: the code that runs is not written in any build file`);
      else if (dataIn || !redirs.stdinFile) hit(st, f, cmd, "pipe-to-shell", "evals", `runs ${what} as a shell script: the code that runs is not written in any build file`);
    }
    return new Set();
  }
  if (name in INTERPRETERS) {
    const flag = INTERPRETERS[name]!;
    const idx = flag ? args.indexOf(flag) : -1;
    if (idx >= 0 && argv[idx + 2]) {
      const code = argv[idx + 2]!;
      if (name.startsWith("python") || name.startsWith("pypy")) {
        for (const h of analyzePythonCode(code.text).hits) hit(st, f, cmd, `python-${h.id}`, h.effect, `python -c: ${h.explain}`);
      } else if (/\b(eval|exec|system|unpack|decode|b64|fromCharCode|atob|Buffer\.from|socket|IO::Socket|open\s*\(|spawn|child_process|popen)\b/.test(code.text)) {
        hit(st, f, cmd, "interpreter-code", "evals", `${name} ${flag} runs inline code that evaluates, decodes, opens files or connects`);
      }
      if (hasData(code.taint)) hit(st, f, cmd, "eval-generated", "evals", `${name} ${flag} runs code produced at run time`);
      if (dataIn && piped && /decompress|b64decode|decode|exec|loads/.test(code.text)) hit(st, f, cmd, "decode-to-shell", "decodes", `${name} decodes data piped in from the tree`);
      return union(inData, new Set<Taint>(["decoded"]));
    }
    if (!flag && name !== "tclsh") {
      // awk: its program may read files and call system()
      const prog = argv.slice(1).find((w) => !w.text.startsWith("-"));
      if (prog && /\bsystem\s*\(|\|\s*getline|getline\s*</.test(prog.text) && /\bsystem\s*\(\s*\$|\|\s*"?(sh|bash)\b/.test(prog.text)) hit(st, f, cmd, "awk-system", "evals", "awk runs its input as commands");
      if (treeInput) hit(st, f, cmd, "reads-test-data", "reads-tree", `awk reads ${inputFiles.map((w) => w.text).join(" ").slice(0, 80)}, data files that build scripts do not need`);
      return union(inData, treeInput ? new Set<Taint>(["tree"]) : new Set());
    }
    const script = argv.slice(1).find((w) => !w.text.startsWith("-"));
    if (!script && piped && dataIn) hit(st, f, cmd, "pipe-to-interpreter", "evals", `pipes data read from the tree into ${name}`);
    if (script && fileTaint(script, st).size) hit(st, f, cmd, "source-data", "sources", `runs ${script.text.slice(0, 80)} with ${name}: it is data, not a build script`);
    return new Set(["generated"]);
  }
  if (DOWNLOADERS.has(name) || (name === "git" && /^(clone|fetch|pull|submodule|archive)$/.test(args[0] ?? "")) || (name === "pip" || name === "pip3") && args[0] === "install" || (name === "npm" && /^(i|install|exec)$/.test(args[0] ?? "") && args.length > 1) || name === "npx") {
    const target = args.find((a) => /^(https?|ftp|ftps|sftp|scp|git|ssh|rsync):\/\//.test(a) || /^[\w.-]+@[\w.-]+:/.test(a) || /^\$/.test(a) || /^\d+\.\d+\.\d+\.\d+/.test(a) || /^[\w-]+(\.[\w-]+)+(\/|$)/.test(a));
    if (target !== undefined || argv.slice(1).some((w) => w.dynamic) || name === "npx") {
      hit(st, f, cmd, "build-time-download", "downloads", `${name} fetches ${target?.slice(0, 80) ?? "something"} while configuring or building: the build runs or uses data that is not in the tarball`);
      return new Set(["decoded"]);
    }
    return new Set();
  }
  if (NETWORK.has(name)) {
    hit(st, f, cmd, "reverse-shell", "network", `${name} opens a network connection from the build`);
    return new Set(["decoded"]);
  }
  // Decoders and decompressors.
  const decompress = UNCOMPRESS_CMDS.has(name) || (DECOMPRESSORS.has(name) && (hasFlag(args, "d", "--decompress") || hasFlag(args, "d", "--uncompress") || (name === "7z" && args[0] === "x") || name === "unzip" && hasFlag(args, "p")));
  const decode =
    ((name === "base64" || name === "base32" || name === "basenc") && hasFlag(args, "dD", "--decode")) ||
    name === "uudecode" || name === "b64decode" ||
    (name === "xxd" && hasFlag(args, "r")) ||
    (name === "openssl" && (args.includes("-d") || /^(base64|enc)$/.test(args[0] ?? "") && args.includes("-d"))) ||
    (name === "gpg" && (hasFlag(args, "d", "--decrypt")));
  if (decompress || decode) {
    const fromFile = inputFiles.length > 0 || !!redirs.stdinFile;
    const literalIn = inData.has("literal") || !!redirs.heredoc || !!redirs.herestring;
    if (treeInput || (piped && dataIn) || literalIn || (!fromFile && piped)) {
      hit(st, f, cmd, decode ? "decode-data" : "decompress-data", "decodes", `${decode ? "decodes" : "decompresses"} ${treeInput ? "a data file of the tree" : literalIn ? "text embedded in the script" : "piped data"} (${name}${args.length ? " " + args.slice(0, 3).join(" ") : ""}): data turned into something else at build time`);
      return new Set<Taint>(["decoded", ...(treeInput || dataIn ? ["tree" as Taint] : [])]);
    }
    return new Set(["decoded"]);
  }
  // Byte carving.
  if (name === "tr") {
    const sets = args.filter((a) => !/^-[cdsCt]+$/.test(a));
    if (sets.length >= 2 && isPermutationTr(sets[0]!, sets[1]!)) {
      hit(st, f, cmd, "tr-byte-map", "carves-bytes", "byte-swapping `tr` map: a way to de-obfuscate data hidden in other files");
      return union(inData, new Set<Taint>(["carved"]));
    }
    return inData;
  }
  const fromDev = (w: Word | undefined) => !!w && /^\/dev\/(u?random|zero|null)$/.test(w.text);
  if ((name === "head" || name === "tail") && (hasFlag(args, "c", "--bytes") || args.some((a) => /^-c?\+?\d+c$/.test(a)))) {
    const files = inputFiles.filter((w) => !/^\+?\d+[kKmMbB]?$/.test(w.text));
    if (!files.some(fromDev) && !fromDev(redirs.stdinFile) && (files.some((w) => fileTaint(w, st).size > 0) || (piped && (dataIn || !inData.has("literal"))))) {
      hit(st, f, cmd, "byte-carving", "carves-bytes", `cuts a byte range out of ${files.length ? files.map((w) => w.text).join(" ").slice(0, 60) : "piped data"} (${name} -c): how a payload is cut out of a binary blob`);
      return union(inData, new Set<Taint>(["carved", ...(treeInput ? ["tree" as Taint] : [])]));
    }
  }
  if (name === "dd") {
    const ifArg = args.find((a) => a.startsWith("if="));
    const ranged = args.some((a) => /^(skip|iseek|count|seek|oseek|skip_bytes)=/.test(a) || /iflag=.*(skip|count)_bytes/.test(a));
    const ifWord = ifArg ? argv.find((w) => w.text === ifArg) : undefined;
    const ifData = !!ifWord && fileTaint({ ...ifWord, text: ifArg!.slice(3) }, st).size > 0;
    if (ranged && (ifData || (piped && dataIn) || (ifArg && !/^if=\/dev\//.test(ifArg)))) {
      hit(st, f, cmd, "byte-carving", "carves-bytes", `dd copies a byte range (${args.join(" ").slice(0, 80)}): how a payload is cut out of a binary blob`);
      return new Set<Taint>(["carved", "tree"]);
    }
    const of = args.find((a) => a.startsWith("of="));
    if (of) afterWrite({ ...emptyWord(of.slice(3)) }, inData, cmd, f, st, "dd");
  }
  if (name === "cut" && (hasFlag(args, "bc", "--bytes") || hasFlag(args, "c", "--characters")) && (treeInput || (piped && dataIn))) {
    hit(st, f, cmd, "byte-carving", "carves-bytes", "cut -b/-c takes byte ranges from data read out of the tree");
    return new Set<Taint>(["carved", "tree"]);
  }
  if ((name === "od" || name === "hexdump" || name === "hd" || name === "xxd") && (treeInput || (piped && dataIn))) {
    hit(st, f, cmd, "byte-carving", "carves-bytes", `${name} dumps bytes of a data file: a way to read a payload out of a binary`);
    return new Set<Taint>(["carved", "tree"]);
  }
  // Tree-wide search: grep -r over the tree, find over the tree feeding a reader.
  if ((name === "grep" || name === "egrep" || name === "fgrep" || name === "rg" || name === "ag" || name === "ack" || name === "git" && args[0] === "grep") && (hasFlag(args, "rR", "--recursive") || args.some((a) => /^(-d|--directories)(=|$)/.test(a)) || name === "rg" || name === "ag" || name === "git")) {
    const paths = inputFiles.slice(1);
    if (paths.length === 0 || paths.some((w) => isTreeRoot(w.text) || TREE_ROOT_TEXT.test(w.text))) {
      hit(st, f, cmd, "grep-source-tree", "reads-tree", "searches the whole source tree for a marker and uses the files it finds; the xz backdoor located its payload inside a binary test file this way");
      return new Set<Taint>(["tree", "tree-list"]);
    }
  }
  if (name === "find" && inputFiles.some((w) => isTreeRoot(w.text)) && !args.some((a, i) => a === "-maxdepth" && /^[01]$/.test(args[i + 1] ?? ""))) {
    const execIdx = args.findIndex((a) => /^-(exec|execdir|ok)$/.test(a));
    const execName = execIdx >= 0 ? baseName(args[execIdx + 1] ?? "") : "";
    if (execName && /^(grep|egrep|cat|sh|bash|eval|head|tail|dd|xxd|od|strings|sed)$/.test(execName)) {
      hit(st, f, cmd, "grep-source-tree", "reads-tree", `find over the source tree runs ${execName} on every file it finds`);
      return new Set<Taint>(["tree", "tree-list"]);
    }
    return new Set<Taint>(["tree-list"]);
  }
  if (name === "xargs") {
    const sub = baseName(args.find((a) => !a.startsWith("-")) ?? "");
    if (inData.has("tree-list") && /^(grep|egrep|cat|head|tail|dd|xxd|od|strings|sed|awk)$/.test(sub)) {
      hit(st, f, cmd, "grep-source-tree", "reads-tree", `reads every file a search of the source tree listed (xargs ${sub})`);
      return new Set<Taint>(["tree"]);
    }
    if (SHELLS.has(sub) || sub === "eval") hit(st, f, cmd, "pipe-to-shell", "evals", "runs piped text as commands through xargs");
  }
  if (name === "sed" && hasFlag(args, "i", "--in-place")) {
    for (const w of inputFiles.slice(1)) if (isSrcdirSource(w.text)) hit(st, f, cmd, "writes-source-tree", "writes-tree", `edits ${w.text} in place: a build step that changes the source tree changes what gets compiled`);
  }
  if ((name === "cp" || name === "mv" || name === "install" || name === "ln" || name === "tee" || name === "patch") && inputFiles.length >= 1) {
    const dest = name === "tee" ? inputFiles : [inputFiles[inputFiles.length - 1]!];
    for (const w of dest) afterWrite(w, inData.size ? inData : inputFiles.slice(0, -1).some((x) => fileTaint(x, st).size) ? new Set<Taint>(["tree"]) : new Set(), cmd, f, st, name);
  }
  // Reading data files of the tree.
  if (READERS.has(name) && !HARMLESS_READERS.has(name)) {
    const dataFiles = inputFiles.filter((w) => fileTaint(w, st).size > 0 && !(name === "sed" && w === inputFiles[0] && !hasFlag(args, "f")));
    if (redirs.stdinFile && fileTaint(redirs.stdinFile, st).size) dataFiles.push(redirs.stdinFile);
    if (dataFiles.length) {
      const names = dataFiles.map((w) => w.text).join(" ").slice(0, 100);
      hit(st, f, cmd, "reads-test-data", "reads-tree", `${name} reads ${names}: ${dataFiles.some((w) => w.taint.size) ? "files located by a search of the tree" : "test data or binary files"} that build scripts have no reason to read`);
      out = new Set<Taint>(["tree"]);
    }
  }
  if (anyArgTaint && (name === "echo" || name === "printf")) out = union(out, new Set<Taint>(["tree"]));
  if (name === "echo" || name === "printf") {
    if (argv.slice(1).some((w) => w.substituted)) out.add("generated");
    out.add("literal");
    return out;
  }
  if (!BUILTINS_NO_EXEC.has(name) && !nameWord.dynamic) {
    hit(st, f, cmd, `exec:${name}`.slice(0, 60), "executes", `runs ${name}`);
  }
  // Filters pass their input through.
  if (/^(sed|gsed|awk|tr|sort|uniq|rev|tac|cat|head|tail|cut|paste|fold|grep|egrep|fgrep|tee|iconv|expand|xargs|perl)$/.test(name)) out = union(out, inData);
  return out;
}

function union(a: Set<Taint>, b: Set<Taint>): Set<Taint> {
  const o = new Set(a);
  for (const x of b) o.add(x);
  return o;
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`;
}

/**
 * A region the parser could not parse: split it into command-like segments at shell operators
 * and judge each as a command line of its own, so a payload inside never goes unread.
 */
/** Statements the parser finished inside an ERROR node: walked as they are, like in a clean parse. */
const STATEMENT_KINDS = new Set([
  "command",
  "redirected_statement",
  "declaration_command",
  "unset_command",
  "test_command",
  "variable_assignment",
  "variable_assignments",
  "pipeline",
  "list",
  "negated_command",
  "subshell",
  "compound_statement",
  "if_statement",
  "while_statement",
  "for_statement",
  "c_style_for_statement",
  "case_statement",
  "function_definition",
]);
/**
 * Rows of an ERROR node re-read line by line (1) or not (0). A row is spared only when every
 * child of the ERROR on it is a statement the parser finished without an error: those are walked
 * like statements of a clean parse. tree-sitter-bash wraps a whole configure in one ERROR
 * node for a construct it cannot parse (autoconf's `*"<newline>"enable_$ac_useropt"<newline>"*)`
 * case pattern, in every configure that has AC_ARG_ENABLE), while it still finishes nearly
 * every statement in it.
 */
export function fallbackRows(n: PNode): Uint8Array {
  const base = n.row;
  const rows = new Uint8Array(n.endRow - base + 1).fill(1);
  const clean = n.kids.filter((k) => STATEMENT_KINDS.has(k.type) && !hasError(k));
  const isClean = new Set(clean);
  for (const k of clean) rows.fill(0, k.row - base, k.endRow - base + 1);
  for (const k of n.kids) if (!isClean.has(k)) rows.fill(1, k.row - base, k.endRow - base + 1);
  return rows;
}

/**
 * Work allowed to each re-read line of the file's own ERROR nodes. The eval budget is for code
 * built at run time; sharing it, the lines after a long unparsed region went unread.
 */
const FALLBACK_BUDGET = 500;

/** Walk one line (or a piece of one) of this frame as a script of its own, when it parses cleanly. */
function walkPiece(code: string, row: number, f: Frame, st: State): boolean {
  let root: PNode;
  try {
    root = parseToPlain(code);
  } catch {
    return false;
  }
  if (hasError(root)) return false;
  // Only the file's own lines get a fresh budget: lines of code built at run time share the
  // eval budget, or nested re-reads would multiply.
  const saved = st.budget;
  if (f.depth === 0) st.budget = FALLBACK_BUDGET;
  try {
    walk(root, { src: code, lineOf: () => f.lineOf(row), depth: f.depth + 1, generated: false, stdin: null }, st);
  } finally {
    if (f.depth === 0) st.budget = saved;
  }
  return true;
}

function errorFallback(n: PNode, f: Frame, st: State): void {
  if (f.depth >= MAX_DEPTH) return;
  tokenFallback(n, f, st, fallbackRows(n));
}

/** Re-read the rows of an ERROR node marked in `only` line by line, then segment by segment. */
function tokenFallback(n: PNode, f: Frame, st: State, only: Uint8Array): void {
  // Whole lines: an ERROR node may start or end in the middle of a command.
  const from = f.src.lastIndexOf("\n", n.start - 1) + 1;
  const nl = f.src.indexOf("\n", Math.max(n.end - 1, n.start));
  const to = nl < 0 ? f.src.length : nl;
  // `from` starts the line the node starts on: row i is n.row + i.
  f.src
    .slice(from, to)
    .split("\n")
    .forEach((row, i) => {
      if (only[i] === 0) return;
      const tryWalk = (code: string): boolean => walkPiece(code, n.row + i, f, st);
      const trimmed = row.replace(/^[^a-zA-Z0-9_$`"'.:\\/({[!-]*/, "");
      if (!trimmed.trim() || tryWalk(trimmed)) return;
      // Still not parseable alone: each command-like segment on its own, then the pipelines.
      for (const seg of trimmed.split(/;|&&|\|\||(?<![|])\|(?![|])/)) {
        const s2 = seg.trim();
        if (s2) tryWalk(s2);
      }
      for (const seg of trimmed.split(/;|&&|\|\|/)) {
        const s2 = seg.trim();
        if (s2.includes("|")) tryWalk(s2);
      }
    });
}

function hasError(n: PNode): boolean {
  if (n.type === "ERROR") return true;
  return n.kids.some(hasError);
}

// python.ts analyses os.system/subprocess command strings with this analyser.
setShellHook((cmd) => analyzeShell(cmd).hits);
