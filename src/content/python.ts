/**
 * Python install-time code (setup.py, _version.py, in-tree build backends, `python -c`) through
 * the @lezer/python parser: imports and their aliases are followed, string expressions are folded
 * (`'o'+'s'`, `''.join([...])`, `chr(…)`, `bytes.fromhex(…)`, `[::-1]`), `__import__`/`getattr`/
 * `importlib` resolve to what they name, and calls are judged by the qualified name they reach.
 * Shell commands passed to os.system/subprocess are analysed as shell.
 */
import { parser } from "@lezer/python";
import type { Analysis, Effect, Hit } from "./analyze.js";
import { lineAt, lineStarts } from "./lines.js";

interface PyNode {
  name: string;
  from: number;
  to: number;
  kids: PyNode[];
}

function toPlain(text: string): { root: PyNode; errors: number } {
  const tree = parser.parse(text);
  const c = tree.cursor();
  let errors = 0;
  const build = (): PyNode => {
    const n: PyNode = { name: c.name, from: c.from, to: c.to, kids: [] };
    if (c.name === "⚠") errors++;
    if (c.firstChild()) {
      do n.kids.push(build());
      while (c.nextSibling());
      c.parent();
    }
    return n;
  };
  // Recursion depth equals nesting depth of the Python source; deep nesting is rare in build code.
  return { root: build(), errors };
}

interface Value {
  str?: string;
  /** Qualified name an expression refers to (os.system, subprocess.run, builtins.exec). */
  ref?: string;
  /** The value came out of a decoder, a network read or a data file. */
  tainted?: boolean;
  /** A name was computed (concatenation, join, chr …) rather than written out. */
  obfuscated?: boolean;
}

const EXEC_CALLS = /^(os\.(system|popen|popen[234]|exec\w*|spawn\w*|posix_spawnp?|startfile)|subprocess\.\w+|pty\.spawn|commands\.getoutput|commands\.getstatusoutput|asyncio\.create_subprocess_(shell|exec)|platform\.popen)$/;
const EVAL_CALLS = /^builtins\.(exec|eval|compile|execfile)$|^(code\.\w+|runpy\.run_\w+|marshal\.loads?|pickle\.loads?|cPickle\.loads?|dill\.loads?|shelve\.open|types\.FunctionType|types\.CodeType|ctypes\.\w+|_ctypes\.\w+|cffi\.\w+|imp\.load_\w+|importlib\.machinery\.\w+|importlib\.util\.spec_from_\w+|zipimport\.\w+)/;
const DECODE_CALLS = /^(base64\.\w*decode\w*|binascii\.(a2b_\w+|unhexlify|a2b)|codecs\.decode|zlib\.decompress\w*|lzma\.(decompress|LZMADecompressor|open)|bz2\.(decompress|BZ2Decompressor|open)|gzip\.(decompress|open|GzipFile)|bytes\.fromhex|bytearray\.fromhex|zipfile\.ZipFile|tarfile\.open|builtins\.bytes\.fromhex)$/;
const NET_CALLS = /^(socket\.\w+|urllib\.request\.\w+|urllib\.urlopen|urllib\.urlretrieve|urllib2\.\w+|http\.client\.\w+|httplib\.\w+|requests\.\w+|httpx\.\w+|ftplib\.\w+|telnetlib\.\w+|smtplib\.\w+|urllib3\.\w+|aiohttp\.\w+|pip\._internal\.\w+)/;
const NET_MODULES = /^(socket|urllib|urllib2|urllib3|http|httplib|requests|httpx|ftplib|telnetlib|smtplib|aiohttp|paramiko|websocket)(\.|$)/;
const EVAL_MODULES = /^(ctypes|_ctypes|cffi|marshal|pickle|cPickle|dill|runpy|imp|zipimport)(\.|$)/;
const DECODE_MODULES = /^(base64|binascii|zlib|lzma|bz2|gzip|zipfile)(\.|$)/;
/** Files install-time Python reads in ordinary packages: metadata, docs, version files, sources. */
const ORDINARY_READ = /\.(py|pyi|txt|md|rst|cfg|toml|ini|in|json|ya?ml|c|h|cpp|hpp|pyx|pxd|html|j2|jinja2?)$|(^|\/)(README|LICENSE|COPYING|CHANGES|CHANGELOG|NEWS|AUTHORS|VERSION|version|MANIFEST)[^/]*$/i;
const DATA_PATH = /(^|\/)(tests?|testdata|fixtures?|data|samples?|files)\/|\.(bin|dat|xz|lzma|gz|bz2|zst|png|jpe?g|gif|ico|so|o|a|dll|exe|pyc|zip|npy|pkl|pickle|db|sqlite)$/i;


function pyStringValue(raw: string): string | undefined {
  const m = /^([rRbBuUfF]{0,2})('''|"""|'|")([\s\S]*)\2$/.exec(raw);
  if (!m) return undefined;
  const prefix = m[1]!.toLowerCase();
  if (prefix.includes("f")) return undefined;
  const body = m[3]!;
  if (prefix.includes("r")) return body;
  return body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{1,3}|N\{[^}]*\}|\n|.)/gs, (_, e: string) => {
    if (e === "\n") return "";
    if (/^[xuU]/.test(e)) return String.fromCodePoint(parseInt(e.slice(1), 16));
    if (/^[0-7]/.test(e)) return String.fromCharCode(parseInt(e, 8));
    const simple: Record<string, string> = { n: "\n", t: "\t", r: "\r", "\\": "\\", "'": "'", '"': '"', a: "\x07", b: "\b", f: "\f", v: "\v", "0": "\0" };
    return simple[e] ?? `\\${e}`;
  });
}

export interface PythonOptions {
  /** Analyse a shell command line; returns its hits (line ignored). */
  shell?: (cmd: string) => Hit[];
}

let shellHook: ((cmd: string) => Hit[]) | undefined;
/** Set by the shell analyser's module to break the import cycle. */
export function setShellHook(fn: (cmd: string) => Hit[]): void {
  shellHook = fn;
}

export function analyzePython(text: string, path = ""): Analysis {
  const a = analyzePythonCode(text);
  if (/(^|\/)_?_?version_?_?\.py$/.test(path)) {
    const off = firstNonLiteralStatement(text);
    if (off !== null) {
      const line = text.slice(0, off).split("\n").length;
      a.hits.push({ id: "py-version-file-runs-code", effect: "evals", line, text: (text.split("\n")[line - 1] ?? "").trim(), explain: "a version file that does more than assign literals: it runs code when the package is imported or built" });
      a.hits.sort((x, y) => x.line - y.line || x.id.localeCompare(y.id));
    }
  }
  return a;
}

export function analyzePythonCode(text: string, depth = 0): Analysis {
  const starts = lineStarts(text);
  const hits: Hit[] = [];
  const seen = new Set<string>();
  const codeLines = new Set<number>();
  const lines = text.split("\n");
  let root: PyNode;
  let errors: number;
  try {
    ({ root, errors } = toPlain(text));
  } catch (e) {
    return { language: "python", hits, codeLines, notAnalysed: `python parser failed: ${(e as Error).message}` };
  }
  const src = (n: PyNode) => text.slice(n.from, n.to);
  const add = (n: PyNode | number, id: string, effect: Effect, explain: string) => {
    const line = typeof n === "number" ? n : lineAt(starts, n.from);
    const key = `${line}\0${id}`;
    if (seen.has(key)) return;
    seen.add(key);
    hits.push({ id, effect, line, text: (lines[line - 1] ?? "").trim(), explain });
  };

  const aliases = new Map<string, string>(); // local name -> qualified
  const assigned = new Map<string, PyNode[]>(); // local name -> value expressions
  const BUILTINS = new Set(["exec", "eval", "compile", "open", "__import__", "getattr", "execfile", "input", "bytes", "bytearray", "chr", "ord", "globals", "locals", "vars", "setattr", "__builtins__"]);

  // Pass 1: imports and assignments.
  const visit = (n: PyNode, fn: (n: PyNode) => void) => {
    const stack = [n];
    while (stack.length) {
      const x = stack.pop()!;
      fn(x);
      for (let i = x.kids.length - 1; i >= 0; i--) stack.push(x.kids[i]!);
    }
  };
  visit(root, (n) => {
    if (n.name === "ImportStatement") {
      const k = n.kids;
      const fromIdx = k.findIndex((c) => c.name === "from");
      const importIdx = k.findIndex((c) => c.name === "import");
      if (fromIdx >= 0) {
        const mod = k.slice(fromIdx + 1, importIdx).map(src).join("");
        for (let i = importIdx + 1; i < k.length; i++) {
          if (k[i]!.name !== "VariableName") continue;
          const nm = src(k[i]!);
          const local = k[i + 1]?.name === "as" && k[i + 2] ? src(k[i + 2]!) : nm;
          aliases.set(local, `${mod}.${nm}`);
          if (k[i + 1]?.name === "as") i += 2;
        }
        judgeModule(mod, n);
      } else {
        let i = importIdx + 1;
        while (i < k.length) {
          let j = i;
          let dotted = "";
          while (j < k.length && (k[j]!.name === "VariableName" || k[j]!.name === ".")) dotted += src(k[j++]!);
          if (!dotted) {
            i++;
            continue;
          }
          let local = dotted.split(".")[0]!;
          let qual = local;
          if (k[j]?.name === "as" && k[j + 1]) {
            local = src(k[j + 1]!);
            qual = dotted;
            j += 2;
          }
          aliases.set(local, qual);
          judgeModule(dotted, n);
          i = j + 1;
        }
      }
    } else if (n.name === "AssignStatement") {
      const targets = n.kids.filter((c, i) => c.name === "VariableName" && n.kids[i + 1]?.name === "AssignOp");
      const value = n.kids[n.kids.length - 1]!;
      for (const t of targets) {
        const list = assigned.get(src(t)) ?? [];
        list.push(value);
        assigned.set(src(t), list);
      }
    }
  });

  function judgeModule(mod: string, at: PyNode): void {
    if (NET_MODULES.test(mod)) add(at, "py-import-network", "network", `imports ${mod}: install-time code that talks to the network`);
    else if (EVAL_MODULES.test(mod)) add(at, "py-import-loader", "evals", `imports ${mod}: loads code or native libraries at install time`);
    else if (DECODE_MODULES.test(mod)) add(at, "py-import-decoder", "decodes", `imports ${mod}: decodes or decompresses data at install time`);
  }

  const resolving = new Set<string>();
  function value(n: PyNode | undefined): Value {
    if (!n) return {};
    switch (n.name) {
      case "String": {
        const s = pyStringValue(src(n));
        return s === undefined ? {} : { str: s };
      }
      case "ContinuedString": {
        const parts = n.kids.map((k) => value(k).str);
        return parts.every((p) => p !== undefined) ? { str: parts.join("") } : {};
      }
      case "ParenthesizedExpression":
        return value(n.kids.find((k) => k.name !== "(" && k.name !== ")"));
      case "BinaryExpression": {
        const [a, op, b] = n.kids;
        const va = value(a);
        const vb = value(b);
        if (op && src(op) === "+" && va.str !== undefined && vb.str !== undefined) return { str: va.str + vb.str, obfuscated: true, tainted: !!(va.tainted || vb.tainted) };
        if (op && src(op) === "*" && va.str !== undefined && b && /^\d+$/.test(src(b))) return { str: va.str.repeat(Math.min(Number(src(b)), 1000)), obfuscated: true };
        if (op && src(op) === "%" && va.str !== undefined) return { obfuscated: true, tainted: !!(va.tainted || vb.tainted) };
        return { tainted: !!(va.tainted || vb.tainted) };
      }
      case "VariableName": {
        const nm = src(n);
        if (aliases.has(nm)) return { ref: aliases.get(nm)! };
        const vals = assigned.get(nm);
        if (vals && vals.length === 1 && !resolving.has(nm)) {
          resolving.add(nm);
          const v = value(vals[0]);
          resolving.delete(nm);
          return v;
        }
        if (vals && !resolving.has(nm)) {
          resolving.add(nm);
          const vs = vals.map(value);
          resolving.delete(nm);
          if (vs.some((v) => v.tainted)) return { tainted: true };
        }
        if (BUILTINS.has(nm)) return { ref: `builtins.${nm}` };
        return { ref: nm };
      }
      case "MemberExpression": {
        const obj = n.kids[0];
        const prop = n.kids.find((k) => k.name === "PropertyName");
        const vo = value(obj);
        if (prop && vo.ref) return { ref: `${vo.ref.replace(/^builtins\.__builtins__$/, "builtins")}.${src(prop)}`, ...(vo.obfuscated ? { obfuscated: true } : {}) };
        if (prop && vo.str !== undefined) return { ref: `str.${src(prop)}`, str: vo.str };
        // subscript: x[...]
        if (n.kids.some((k) => k.name === "[")) {
          const sl = src(n).slice(src(obj!).length);
          if (vo.str !== undefined && /^\[\s*::\s*-1\s*\]$/.test(sl)) return { str: [...vo.str].reverse().join(""), obfuscated: true };
          if (vo.ref === "builtins.__builtins__" || vo.ref === "builtins.globals" || vo.ref === "builtins.vars") {
            const key = value(n.kids.find((k, i) => i > 0 && k.name !== "[" && k.name !== "]"));
            if (key.str) return { ref: `builtins.${key.str}`, obfuscated: true };
          }
          return { tainted: !!vo.tainted };
        }
        return { tainted: !!vo.tainted };
      }
      case "CallExpression":
        return callValue(n);
      case "ArrayExpression":
      case "TupleExpression":
        return {};
      default:
        return {};
    }
  }

  function args(n: PyNode): PyNode[] {
    const al = n.kids.find((k) => k.name === "ArgList");
    return al ? al.kids.filter((k) => !["(", ")", ","].includes(k.name)) : [];
  }

  function callValue(n: PyNode): Value {
    const callee = value(n.kids[0]);
    const a = args(n);
    const ref = callee.ref ?? "";
    const strArg = (i: number) => value(a[i]).str;
    if (ref === "builtins.__import__" || ref === "importlib.import_module") {
      const v = value(a[0]);
      if (v.str !== undefined) return { ref: v.str, obfuscated: a[0]!.name !== "String" };
      return { tainted: true, obfuscated: true };
    }
    if (ref === "builtins.getattr") {
      const o = value(a[0]);
      const k = value(a[1]);
      if (o.ref && k.str !== undefined) return { ref: `${o.ref}.${k.str}`, obfuscated: a[1]!.name !== "String" || !!o.obfuscated };
      return { obfuscated: true, tainted: true };
    }
    if (ref === "builtins.chr" && a[0] && /^\d+$/.test(src(a[0]))) return { str: String.fromCharCode(Number(src(a[0]))), obfuscated: true };
    if (ref === "str.join" && a[0]) {
      const sep = callee.str ?? "";
      const items = a[0].kids.filter((k) => !["[", "]", "(", ")", ","].includes(k.name)).map((k) => value(k).str);
      if (items.length && items.every((x) => x !== undefined)) return { str: items.join(sep), obfuscated: true };
      return { obfuscated: true };
    }
    if (/^(str\.decode|str\.encode)$/.test(ref) && callee.str !== undefined) return { str: callee.str };
    if (/^(base64\.b64decode|base64\.standard_b64decode|base64\.b32decode|base64\.b16decode|base64\.a85decode|bytes\.fromhex|binascii\.unhexlify|codecs\.decode)$/.test(ref)) {
      const s = strArg(0);
      if (s !== undefined) {
        try {
          const d = ref.includes("hex") || ref.includes("b16") ? Buffer.from(s, "hex") : ref.includes("b64") ? Buffer.from(s, "base64") : null;
          if (d) return { str: d.toString("latin1"), obfuscated: true, tainted: true };
        } catch {
          /* not decodable statically */
        }
      }
      return { tainted: true, obfuscated: true };
    }
    if (DECODE_CALLS.test(ref) || NET_CALLS.test(ref)) return { tainted: true };
    if (/\.(read|readlines|read_bytes|read_text|recv|urlopen)$/.test(ref)) return { tainted: true };
    return {};
  }

  // Pass 2: calls.
  visit(root, (n) => {
    if (n.name !== "Comment" && n.name !== "Script" && n.name !== "Body" && n.kids.length === 0) {
      for (let l = lineAt(starts, n.from); l <= lineAt(starts, Math.max(n.from, n.to - 1)); l++) codeLines.add(l);
    }
    if (n.name === "String" && src(n).length > 160) {
      const s = pyStringValue(src(n)) ?? "";
      if (/^[A-Za-z0-9+/=\s]{160,}$/.test(s) && !/\s{2}/.test(s.trim()) && /[0-9]/.test(s) && /[A-Z]/.test(s) && /[a-z]/.test(s)) add(n, "py-encoded-blob", "decodes", `a ${s.length}-character base64-looking string literal: data hidden as text in install-time code`);
      else if (/^(\\x[0-9a-fA-F]{2}){40,}$|^[0-9a-fA-F\s]{160,}$/.test(src(n).slice(1, -1)) || /^[0-9a-fA-F]{160,}$/.test(s)) add(n, "py-encoded-blob", "decodes", "a long hex string literal: data hidden as text in install-time code");
    }
    if (n.name !== "CallExpression") return;
    const callee = value(n.kids[0]);
    const ref = callee.ref ?? "";
    const a = args(n);
    if (callee.obfuscated && ref) add(n, "py-obfuscated-name", "evals", `calls ${ref} through a name built at run time (__import__/getattr/concatenation): hiding what is called`);
    if (EXEC_CALLS.test(ref)) {
      const v = value(a[0]);
      const list = a[0] && (a[0].name === "ArrayExpression" || a[0].name === "TupleExpression") ? a[0].kids.filter((k) => !["[", "]", "(", ")", ","].includes(k.name)).map((k) => value(k).str) : null;
      const cmd = v.str ?? (list && list.every((x) => x !== undefined) ? list.join(" ") : undefined);
      add(n, "py-runs-command", "executes", `runs a command (${ref})`);
      if (cmd !== undefined && shellHook) for (const h of shellHook(cmd)) if (h.effect !== "executes") add(n, `py-shell-${h.id}`, h.effect, `${ref}: ${h.explain}`);
      if (v.tainted || (list === null && cmd === undefined && a[0] && a[0].name !== "VariableName")) {
        if (v.tainted) add(n, "py-runs-decoded", "evals", `${ref} runs a command built from decoded, downloaded or file data`);
      }
      return;
    }
    if (EVAL_CALLS.test(ref)) {
      const v = value(a[0]);
      const arg0 = a[0] ? src(a[0]) : "";
      // exec(open("pkg/_version.py").read()) to read a version: the file is Python of the tree.
      const execsPyFile = /^builtins\.(exec|execfile|compile)$/.test(ref) && /open\(\s*(os\.path\.join\()?[^)]*\.py['"]/.test(arg0);
      if (execsPyFile) add(n, "py-exec-file", "executes", `${ref} runs a Python file of the tree`);
      else {
        add(n, "py-eval", "evals", `${ref.replace(/^builtins\./, "")}(...): ${v.str !== undefined ? "runs code built from a string" : "runs code that is not written out in the file"}`);
        if (v.str !== undefined && depth < 4) for (const h of analyzePythonCode(v.str, depth + 1).hits) add(n, h.id, h.effect, `in evaluated code: ${h.explain}`);
      }
      return;
    }
    if (DECODE_CALLS.test(ref)) {
      add(n, "py-decode", "decodes", `${ref} decodes or decompresses data at install time`);
      return;
    }
    if (NET_CALLS.test(ref)) {
      add(n, /urlopen|urlretrieve|requests|httpx|get$/.test(ref) ? "py-download" : "py-network", /urlopen|urlretrieve|requests\.get|httpx\.get/.test(ref) ? "downloads" : "network", `${ref}: install-time code that talks to the network`);
      return;
    }
    if (ref === "builtins.open" || /^(io\.open|codecs\.open|pathlib\.Path)$/.test(ref)) {
      const p = value(a[0]).str;
      if (p !== undefined && DATA_PATH.test(p) && !ORDINARY_READ.test(p)) {
        add(n, "py-reads-data", "reads-tree", `opens ${p}: install-time code reading a data or binary file`);
      }
    }
    if (/^(builtins\.__import__|importlib\.import_module)$/.test(ref) && a[0] && a[0].name !== "String") add(n, "py-obfuscated-name", "evals", "imports a module whose name is computed at run time");
  });
  const analysis: Analysis = { language: "python", hits: hits.sort((x, y) => x.line - y.line || x.id.localeCompare(y.id)), codeLines };
  // The parser recovers from syntax errors and the rest is analysed. Python itself would refuse the
  // file, so nothing after a syntax error runs; nothing is reported as not analysed.
  void errors;
  return analysis;
}

/**
 * A version file: nothing but assignments of literals (and the typing imports setuptools-scm
 * writes). Any call, other import, loop or function makes it code, not a version stamp.
 */
export function pythonAssignsOnlyLiterals(text: string): boolean {
  return firstNonLiteralStatement(text) === null;
}

/** Offset of the first statement of a version file that is not a literal assignment (null: none). */
export function firstNonLiteralStatement(text: string): number | null {
  let root: PyNode;
  try {
    root = toPlain(text).root;
  } catch {
    return 0;
  }
  const src = (n: PyNode) => text.slice(n.from, n.to);
  const simple = (n: PyNode): boolean => {
    if (["String", "Number", "Boolean", "None", "VariableName", "ContinuedString", "Comment", "@", "(", ")", "[", "]", ",", ".", "PropertyName", "MemberExpression", "TupleExpression", "ArrayExpression", "ParenthesizedExpression", "UnaryExpression", "ArithOp", "Ellipsis"].includes(n.name)) return n.kids.every(simple);
    return false;
  };
  const stmt = (n: PyNode): boolean => {
    switch (n.name) {
      case "Comment":
        return true;
      case "ExpressionStatement":
        return n.kids.every((k) => k.name === "String" || k.name === "ContinuedString");
      case "AssignStatement":
        return n.kids.every((k) => k.name === "AssignOp" || k.name === "TypeDef" ? true : simple(k) || k.name === ":" );
      case "ImportStatement":
        return /^from\s+(typing|__future__)\s+import\b/.test(src(n));
      case "IfStatement":
        return n.kids.every((k) => ["if", "else", "VariableName", ":", "Body", "Comment"].includes(k.name) && (k.name !== "Body" || k.kids.every((b) => b.name === ":" || stmt(b))));
      case "Body":
        return n.kids.every((b) => b.name === ":" || stmt(b));
      default:
        return false;
    }
  };
  const bad = root.kids.find((k) => !stmt(k));
  return bad ? bad.from : null;
}
