/**
 * npm install-time code: package.json lifecycle scripts (analysed as shell) and JavaScript files,
 * parsed with acorn. Judged: child_process, eval/Function/vm, network modules and fetch, reads of
 * other files, `require` of a computed name, and long hex/base64 strings.
 */
import * as acorn from "acorn";
import type { Analysis, Effect, Hit } from "./analyze.js";
import { analyzeShell } from "./shell/analyze-shell.js";

/** Scripts npm runs on `npm install` (of the package itself or as a dependency) and on publish/pack. */
export const LIFECYCLE_SCRIPTS = ["preinstall", "install", "postinstall", "prepublish", "preprepare", "prepare", "postprepare", "prepack", "postpack"];

interface AnyNode {
  type: string;
  start: number;
  end: number;
  loc?: { start: { line: number } };
  [k: string]: unknown;
}

const NET = /^(node:)?(http|https|http2|net|tls|dgram|dns|undici|axios|node-fetch|request|got|ws|socket\.io-client)$/;
const CP = /^(node:)?child_process$/;
const VM = /^(node:)?vm$/;

export function analyzeJs(text: string): Analysis {
  const hits: Hit[] = [];
  const seen = new Set<string>();
  const codeLines = new Set<number>();
  const lines = text.split("\n");
  let ast: AnyNode;
  const opts: acorn.Options = { ecmaVersion: "latest", locations: true, allowHashBang: true, allowReturnOutsideFunction: true, allowAwaitOutsideFunction: true, allowImportExportEverywhere: true };
  try {
    ast = acorn.parse(text, { ...opts, sourceType: "module" }) as unknown as AnyNode;
  } catch {
    try {
      ast = acorn.parse(text, { ...opts, sourceType: "script" }) as unknown as AnyNode;
    } catch (e) {
      return { language: "js", hits, codeLines, notAnalysed: `JavaScript parser failed: ${(e as Error).message}` };
    }
  }
  const add = (n: AnyNode, id: string, effect: Effect, explain: string) => {
    const line = n.loc?.start.line ?? 1;
    const key = `${line}\0${id}`;
    if (seen.has(key)) return;
    seen.add(key);
    hits.push({ id, effect, line, text: (lines[line - 1] ?? "").trim().slice(0, 500), explain });
  };
  const modules = new Map<string, string>(); // local binding -> module
  const strOf = (n: unknown): string | undefined => {
    const x = n as AnyNode | undefined;
    if (!x) return undefined;
    if (x.type === "Literal" && typeof x["value"] === "string") return x["value"] as string;
    if (x.type === "TemplateLiteral" && (x["expressions"] as unknown[]).length === 0) return ((x["quasis"] as AnyNode[])[0]!["value"] as { cooked: string }).cooked;
    if (x.type === "BinaryExpression" && x["operator"] === "+") {
      const a = strOf(x["left"]);
      const b = strOf(x["right"]);
      return a !== undefined && b !== undefined ? a + b : undefined;
    }
    return undefined;
  };
  const calleeName = (c: AnyNode): string => {
    if (c.type === "Identifier") return modules.has(c["name"] as string) ? `${modules.get(c["name"] as string)}` : (c["name"] as string);
    if (c.type === "MemberExpression") {
      const obj = calleeName(c["object"] as AnyNode);
      const p = c["property"] as AnyNode;
      const prop = c["computed"] ? (strOf(p) ?? "[computed]") : (p["name"] as string);
      return `${obj}.${prop}`;
    }
    if (c.type === "CallExpression" && (c["callee"] as AnyNode).type === "Identifier" && (c["callee"] as AnyNode)["name"] === "require") return strOf((c["arguments"] as AnyNode[])[0]) ?? "require(?)";
    return "?";
  };
  const visit = (n: AnyNode, parent: AnyNode | null) => {
    if (n.loc) codeLines.add(n.loc.start.line);
    switch (n.type) {
      case "ImportDeclaration": {
        const src = strOf(n["source"]) ?? "";
        for (const s of n["specifiers"] as AnyNode[]) {
          const local = (s["local"] as AnyNode)["name"] as string;
          const imported = s["imported"] ? ((s["imported"] as AnyNode)["name"] as string) : "";
          modules.set(local, imported ? `${src}.${imported}` : src);
        }
        judgeModule(src, n);
        break;
      }
      case "ImportExpression": {
        const s = strOf(n["source"]);
        if (s === undefined) add(n, "js-dynamic-import", "evals", "imports a module whose name is computed at run time");
        else judgeModule(s, n);
        break;
      }
      case "VariableDeclarator": {
        const init = n["init"] as AnyNode | null;
        const id = n["id"] as AnyNode;
        if (init && init.type === "CallExpression" && (init["callee"] as AnyNode).type === "Identifier" && (init["callee"] as AnyNode)["name"] === "require") {
          const m = strOf((init["arguments"] as AnyNode[])[0]);
          if (m !== undefined) {
            if (id.type === "Identifier") modules.set(id["name"] as string, m);
            else if (id.type === "ObjectPattern") for (const p of id["properties"] as AnyNode[]) if (p["value"] && (p["value"] as AnyNode).type === "Identifier") modules.set((p["value"] as AnyNode)["name"] as string, `${m}.${((p["key"] as AnyNode)["name"] as string) ?? ""}`);
          }
        }
        break;
      }
      case "CallExpression":
      case "NewExpression": {
        const callee = n["callee"] as AnyNode;
        const name = calleeName(callee);
        const args = n["arguments"] as AnyNode[];
        if (name === "require") {
          const m = strOf(args[0]);
          if (m === undefined) add(n, "js-dynamic-require", "evals", "requires a module whose name is computed at run time");
          else judgeModule(m, n);
        } else if (name === "eval" || name === "Function" || /^(global|globalThis|window|self)\.(eval|Function)$/.test(name)) {
          add(n, "js-eval", "evals", `${name}(...) runs code built from a string`);
        } else if (VM.test(name.split(".")[0]!) || /^(node:)?vm\./.test(name)) {
          add(n, "js-vm", "evals", `${name} runs code built from a string`);
        } else if (CP.test(name.split(".")[0]!) || /^(node:)?child_process\./.test(name)) {
          const cmd = strOf(args[0]);
          add(n, "js-child-process", "executes", `${name} runs a command`);
          if (cmd !== undefined) for (const h of analyzeShell(cmd).hits) if (h.effect !== "executes") add(n, `js-shell-${h.id}`, h.effect, `${name}: ${h.explain}`);
        } else if (name === "fetch" || NET.test(name.split(".")[0]!)) {
          add(n, "js-network", /get|request|fetch/.test(name) ? "downloads" : "network", `${name}: install-time code that talks to the network`);
        } else if (/^(Buffer\.from|atob|Buffer\.alloc)$/.test(name) && args[1] && /^(base64|hex|base64url)$/.test(strOf(args[1]) ?? "")) {
          add(n, "js-decode", "decodes", `${name}(…, '${strOf(args[1])}') decodes data at install time`);
        } else if (name === "atob" || /zlib\.(inflate|gunzip|unzip|brotliDecompress)/.test(name)) {
          add(n, "js-decode", "decodes", `${name} decodes or decompresses data at install time`);
        } else if (/^(node:)?fs\.(readFileSync|readFile|createReadStream)$|^fs\/promises\.readFile$/.test(name)) {
          const p = strOf(args[0]);
          if (p === undefined || !/\.(json|js|cjs|mjs|md|txt|ts)$/.test(p)) add(n, "js-reads-file", "reads-tree", `${name}(${p ?? "a computed path"}): install-time code reading another file`);
        } else if (/^(node:)?fs\.(writeFileSync|appendFileSync|writeFile)$/.test(name)) {
          add(n, "js-writes-file", "writes-tree", `${name}: install-time code writing files`);
        }
        void parent;
        break;
      }
      case "Literal": {
        const v = n["value"];
        if (typeof v === "string" && v.length >= 200 && (/^[A-Za-z0-9+/=]+$/.test(v) || /^[0-9a-fA-F]+$/.test(v))) add(n, "js-encoded-blob", "decodes", `a ${v.length}-character ${/^[0-9a-fA-F]+$/.test(v) ? "hex" : "base64"} string literal: data hidden as text`);
        break;
      }
    }
    for (const key of Object.keys(n)) {
      if (key === "loc") continue;
      const v = n[key];
      if (Array.isArray(v)) for (const c of v) if (c && typeof c === "object" && typeof (c as AnyNode).type === "string") visit(c as AnyNode, n);
      if (v && typeof v === "object" && !Array.isArray(v) && typeof (v as AnyNode).type === "string") visit(v as AnyNode, n);
    }
  };
  function judgeModule(m: string, at: AnyNode): void {
    if (CP.test(m)) add(at, "js-import-child-process", "executes", `loads ${m}`);
    else if (NET.test(m)) add(at, "js-import-network", "network", `loads ${m}: install-time code that talks to the network`);
  }
  visit(ast, null);
  hits.sort((a, b) => a.line - b.line || a.id.localeCompare(b.id));
  return { language: "js", hits, codeLines };
}

/** Lifecycle scripts of a package.json, each analysed as shell, hits on the line of the script. */
export function analyzePackageJson(text: string): Analysis {
  const hits: Hit[] = [];
  const codeLines = new Set<number>();
  let pkg: { scripts?: Record<string, unknown> };
  try {
    pkg = JSON.parse(text) as typeof pkg;
  } catch (e) {
    return { language: "package.json", hits, codeLines, notAnalysed: `package.json is not valid JSON: ${(e as Error).message}` };
  }
  const lines = text.split("\n");
  for (const [name, cmd] of Object.entries(pkg.scripts ?? {})) {
    if (typeof cmd !== "string") continue;
    const idx = lines.findIndex((l) => l.includes(JSON.stringify(name)) && l.includes(":"));
    const line = idx >= 0 ? idx + 1 : 1;
    const lifecycle = LIFECYCLE_SCRIPTS.includes(name);
    if (lifecycle) codeLines.add(line);
    for (const h of analyzeShell(cmd).hits) {
      if (!lifecycle && h.effect === "executes") continue;
      hits.push({ ...h, id: h.id, line, text: (lines[line - 1] ?? "").trim(), explain: `scripts.${name}${lifecycle ? " (runs on npm install)" : ""}: ${h.explain}` });
    }
  }
  return { language: "package.json", hits, codeLines };
}

/** Files a lifecycle script runs with node (`node install.js`, `node ./scripts/x`), relative to the package root. */
export function lifecycleFiles(text: string): string[] {
  let pkg: { scripts?: Record<string, unknown> };
  try {
    pkg = JSON.parse(text) as typeof pkg;
  } catch {
    return [];
  }
  const out = new Set<string>();
  for (const name of LIFECYCLE_SCRIPTS) {
    const cmd = pkg.scripts?.[name];
    if (typeof cmd !== "string") continue;
    for (const m of cmd.matchAll(/\bnode\s+(?:-[-\w]+\s+)*["']?([\w./@-]+)/g)) out.add(m[1]!.replace(/^\.\//, ""));
  }
  return [...out];
}
