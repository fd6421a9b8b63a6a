/**
 * `npm run redteam`: inject generated build-time payloads into the build files of the samples
 * (generated files such as configure/Makefile.in/aclocal.m4, known helper files under build-aux/
 * and m4/, and the project's own build files), audit each doctored tarball with `audit()`, and print
 * the recall at the required severity (high: every payload here runs at build or install time),
 * per injection site. Sites, payloads and positions come from a seeded generator; the seed is fixed.
 *
 * Real releases: `--manifest file.json` (the format of bench/real-world.ts: `[{name, tarball, repo, tag?,
 * subdir?}]`) adds `--n-real` (default 40) mutations of those releases' build files; entries whose
 * tarball or repository is absent are skipped and said so. A release is unpacked with the system
 * `tar` into a private temporary directory, one file is changed, and it is packed again.
 *
 * Usage: node dist/scripts/redteam.js [--seed N] [--n N] [--only sample] [--manifest f] [--n-real N] [--verbose]
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, posix } from "node:path";
import { audit } from "../src/audit.js";
import { isBuildScript } from "../src/content/kinds.js";
import { analyze, isDangerous, languageOf } from "../src/content/analyze.js";
import { SAMPLES } from "../samples/index.js";
import { makeRepo, makeTarball, type FileSpec, type Files } from "../samples/lib/fixture.js";
import type { Sample } from "../samples/lib/sample.js";
import { payloadFor, pick, rng, type Lang, type Rand } from "./redteam-payloads.js";

const argv = process.argv.slice(2);
const opt = (name: string, def: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1]! : def);
/** Fixed seed (the xz backdoor was disclosed on 2024-03-29). */
const SEED = Number(opt("--seed", "20240329"));
const N = Number(opt("--n", "220"));
const ONLY = argv.includes("--only") ? opt("--only", "") : undefined;
const VERBOSE = argv.includes("--verbose");
const MANIFEST = argv.includes("--manifest") ? opt("--manifest", "") : process.env["DISTVET_REDTEAM_MANIFEST"];
const N_REAL = Number(opt("--n-real", "40"));

type Site = "generated" | "known" | "build";
/** Rules that judge what a build script does (as opposed to the fact that it changed). */
const CONTENT_RULES = new Set(["build-script-suspicious-pattern", "build-script-reads-binary"]);

function textOf(spec: FileSpec): string | null {
  if (typeof spec === "string") return spec;
  if (Buffer.isBuffer(spec)) return null;
  if ("content" in spec) return typeof spec.content === "string" ? spec.content : null;
  return null;
}

function siteOf(path: string): Site {
  const base = posix.basename(path);
  if (["configure", "Makefile.in", "aclocal.m4"].includes(base)) return "generated";
  if (/(^|\/)build-aux\//.test(path) || /(^|\/)m4\/[^/]+\.m4$/.test(path) || ["ltmain.sh", "config.guess", "config.sub", "install-sh", "depcomp", "missing", "compile"].includes(base)) return "known";
  return "build";
}

function langOf(path: string, text: string): Lang | null {
  const l = languageOf(path, text);
  if (l === "package.json") return "npm";
  if (l === "js") return null;
  return l as Lang;
}

/**
 * For each line, whether it starts inside a quoted string or command substitution (a small shell
 * lexer, independent of the analyser's parser): a line inserted there would be text, not code.
 */
function quotedLineStarts(lines: string[]): boolean[] {
  const out: boolean[] = [];
  let state: "none" | "single" | "double" | "back" = "none";
  let paren = 0;
  for (const line of lines) {
    out.push(state !== "none" || paren > 0);
    for (let i = 0; i < line.length; i++) {
      const c = line[i]!;
      if (state === "single") {
        if (c === "'") state = "none";
        continue;
      }
      if (c === "\\") {
        i++;
        continue;
      }
      if (state === "double") {
        if (c === '"') state = "none";
        continue;
      }
      if (state === "back") {
        if (c === "`") state = "none";
        continue;
      }
      if (c === "#" && (i === 0 || /\s/.test(line[i - 1]!))) break;
      if (c === "'") state = "single";
      else if (c === '"') state = "double";
      else if (c === "`") state = "back";
      else if (c === "$" && line[i + 1] === "(") {
        paren++;
        i++;
      } else if (c === ")" && paren > 0) paren--;
    }
  }
  out.push(state !== "none" || paren > 0);
  return out;
}

/** Line indices where a statement may be inserted so that it runs. */
function insertionPoints(lang: Lang, lines: string[], wrapTopLevel: boolean): number[] {
  const pts: number[] = [];
  switch (lang) {
    case "shell": {
      const quoted = quotedLineStarts(lines);
      let heredoc: string | null = null;
      for (let i = 0; i <= lines.length; i++) {
        if (quoted[i]) continue;
        const prev = lines[i - 1] ?? "";
        if (heredoc !== null) {
          if (prev.replace(/^\t+/, "") === heredoc) heredoc = null;
          else continue;
        }
        const m = /<<-?\s*\\?["']?(\w+)["']?/.exec(prev);
        if (m && !/^\s*#/.test(prev)) {
          heredoc = m[1]!;
          continue;
        }
        if (i === 0 || /\\$/.test(prev) || /^#!/.test(prev) && i === 0) continue;
        // Only between complete commands at the left margin (not inside case patterns or strings).
        const next = lines[i] ?? "";
        if (/^\S/.test(next) || next === "") if (!/(\||&&|\bthen|\bdo|\bin|\{|\(|,)\s*$/.test(prev)) pts.push(i);
      }
      break;
    }
    case "m4": {
      let depth = 0;
      let paren = 0;
      for (let i = 0; i <= lines.length; i++) {
        if ((wrapTopLevel ? depth === 0 && paren === 0 : depth === 1) && i > 0 && !/\\$/.test(lines[i - 1]!)) pts.push(i);
        const l = (lines[i] ?? "").replace(/@<:@|@:>@/g, "").replace(/^\s*(#|dnl\b).*/, "");
        for (const c of l) {
          if (c === "[") depth++;
          else if (c === "]") depth = Math.max(0, depth - 1);
          else if (depth === 0 && c === "(") paren++;
          else if (depth === 0 && c === ")") paren = Math.max(0, paren - 1);
        }
      }
      break;
    }
    case "make":
      lines.forEach((l, i) => {
        if (l.startsWith("\t") && !/\\$/.test(lines[i - 1] ?? "")) pts.push(i);
      });
      break;
    case "cmake":
    case "meson":
    case "python": {
      let depth = 0;
      for (let i = 0; i <= lines.length; i++) {
        const next = lines[i] ?? "";
        const prev = lines[i - 1] ?? "";
        if (depth === 0 && !/\\$/.test(prev) && !/:\s*$/.test(prev) && (/^\S/.test(next) || next === "")) pts.push(i);
        for (const c of next.replace(/#.*$/, "").replace(/(["'])(?:\\.|(?!\1).)*\1/g, "")) {
          if ("([{".includes(c)) depth++;
          else if (")]}".includes(c)) depth = Math.max(0, depth - 1);
        }
      }
      break;
    }
    case "npm":
      pts.push(0);
      break;
  }
  return pts;
}

interface Mutation {
  sample: Sample;
  path: string;
  site: Site;
  lang: Lang;
  shape: string;
  files: Files;
}

function mutate(r: Rand, sample: Sample, path: string): Mutation | null {
  const spec = sample.tarball[path]!;
  const text = textOf(spec);
  if (text === null) return null;
  const t = mutateText(r, path, text);
  if (!t) return null;
  const mode = typeof spec === "object" && !Buffer.isBuffer(spec) && "content" in spec ? spec.mode : undefined;
  const files: Files = { ...sample.tarball, [path]: mode !== undefined ? { content: t.out, mode } : t.out };
  return { sample, path, site: siteOf(path), lang: t.lang, shape: t.shape, files };
}

/** Insert a generated payload into one file's text. */
function mutateText(r: Rand, path: string, text: string): { out: string; lang: Lang; shape: string; line: number } | null {
  const lang = langOf(path, text);
  if (!lang) return null;
  const p = payloadFor(r, lang);
  let out: string;
  let line = 0;
  if (lang === "npm") {
    let pkg: { scripts?: Record<string, string> };
    try {
      pkg = JSON.parse(text) as typeof pkg;
    } catch {
      return null;
    }
    const hook = pick(r, ["preinstall", "install", "postinstall"]);
    pkg.scripts = { ...(pkg.scripts ?? {}), [hook]: pkg.scripts?.[hook] ? `${p.lines[0]} && ${pkg.scripts[hook]}` : p.lines[0]! };
    out = `${JSON.stringify(pkg, null, 2)}\n`;
  } else {
    const lines = text.split("\n");
    const pts = insertionPoints(lang, lines, lang !== "m4" || p.shape.startsWith("m4-config-commands"));
    if (pts.length === 0) {
      if (lang === "make") {
        lines.push("all-local:", ...p.lines);
        out = lines.join("\n");
      } else return null;
    } else {
      const at = pick(r, pts);
      lines.splice(at, 0, ...p.lines.flatMap((l) => l.split("\n")));
      out = lines.join("\n");
      line = at + 1;
    }
  }
  return { out, lang, shape: p.shape, line };
}

async function main(): Promise<void> {
  const r = rng(SEED);
  const work = mkdtempSync(join(tmpdir(), "distvet-redteam-"));
  const samples = SAMPLES.filter((s) => !ONLY || s.name === ONLY);
  process.stdout.write(`redteam: seed ${SEED}, ${N} mutations over ${samples.length} samples\n`);
  try {
    // One repository per sample, and the files the unmutated audit already rates high (not counted).
    const repos = new Map<string, string>();
    const sites = new Map<string, Map<Site, string[]>>();
    for (const s of samples) {
      const repo = join(work, s.name, "repo");
      makeRepo(repo, s.history);
      repos.set(s.name, repo);
      const base = join(work, s.name, `base-${s.tarballName}`);
      await makeTarball(base, { root: s.root, files: s.tarball, compression: s.compression ?? "gzip" });
      const res = await audit({ tarball: base, repo, ...(s.args?.ref ? { ref: s.args.ref } : {}), ...(s.args?.subdir ? { subdir: s.args.subdir } : {}) });
      const alreadyHigh = new Set(res.findings.filter((f) => f.severity === "high").map((f) => f.path));
      const bySite = new Map<Site, string[]>();
      for (const [p, spec] of Object.entries(s.tarball)) {
        const text = textOf(spec);
        if (text === null || alreadyHigh.has(p) || !(isBuildScript(p) || /(^|\/)setup\.py$/.test(p))) continue;
        if (!langOf(p, text)) continue;
        const site = siteOf(p);
        bySite.set(site, [...(bySite.get(site) ?? []), p]);
      }
      if (bySite.size) sites.set(s.name, bySite);
    }
    const eligible = samples.filter((s) => sites.has(s.name));
    const results: { m: Mutation; high: boolean; medium: boolean; content: boolean; rules: string[] }[] = [];
    for (let i = 0; i < N; i++) {
      const s = pick(r, eligible);
      const bySite = sites.get(s.name)!;
      const site = pick(r, [...bySite.keys()].sort());
      const path = pick(r, bySite.get(site)!.sort());
      const m = mutate(r, s, path);
      if (!m) {
        i--;
        continue;
      }
      const file = join(work, s.name, `m${i}-${s.tarballName}`);
      await makeTarball(file, { root: s.root, files: m.files, compression: s.compression ?? "gzip" });
      const res = await audit({ tarball: file, repo: repos.get(s.name)!, ...(s.args?.ref ? { ref: s.args.ref } : {}), ...(s.args?.subdir ? { subdir: s.args.subdir } : {}) });
      rmSync(file, { force: true });
      const onPath = res.findings.filter((f) => f.path === m.path);
      const high = onPath.some((f) => f.severity === "high");
      const medium = onPath.some((f) => f.severity === "high" || f.severity === "medium");
      const content = onPath.some((f) => f.severity === "high" && CONTENT_RULES.has(f.rule));
      results.push({ m, high, medium, content, rules: [...new Set(onPath.map((f) => `${f.rule}:${f.severity}`))] });
      if (VERBOSE || !high || !content) {
        const a = analyze(m.path, textOf(m.files[m.path]!) ?? "");
        const d = a.hits.filter((h) => isDangerous(h.effect));
        process.stdout.write(`${high ? (content ? "caught" : "caught (not by a content rule)") : "MISSED"} #${i} ${s.name} ${m.path} [${m.site}/${m.lang}] ${m.shape} -> ${results[results.length - 1]!.rules.join(", ") || "no finding on the path"}; the analysis alone: ${d.length} hit(s)${d.length ? ` (${[...new Set(d.map((h) => h.id))].join(", ")})` : ""}${a.notAnalysed ? `; ${a.notAnalysed}` : ""}\n`);
      }
    }
    const table = (key: (x: (typeof results)[number]) => string, title: string) => {
      const groups = new Map<string, { n: number; high: number; med: number; content: number }>();
      for (const x of results) {
        const g = groups.get(key(x)) ?? { n: 0, high: 0, med: 0, content: 0 };
        g.n++;
        if (x.high) g.high++;
        if (x.medium) g.med++;
        if (x.content) g.content++;
        groups.set(key(x), g);
      }
      process.stdout.write(`\n${title.padEnd(28)} ${"n".padStart(5)} ${"high".padStart(8)} ${">=medium".padStart(9)} ${"high by a content rule".padStart(23)}\n`);
      for (const [k, g] of [...groups].sort()) process.stdout.write(`${k.padEnd(28)} ${String(g.n).padStart(5)} ${`${((100 * g.high) / g.n).toFixed(1)}%`.padStart(8)} ${`${((100 * g.med) / g.n).toFixed(1)}%`.padStart(9)} ${`${((100 * g.content) / g.n).toFixed(1)}%`.padStart(23)}\n`);
    };
    if (results.length) {
    table((x) => x.m.site, "injection site");
    table((x) => x.m.lang, "language");
    table((x) => x.m.shape.split("/").slice(-2, -1)[0] ?? "?", "sink");
    const high = results.filter((x) => x.high).length;
    const med = results.filter((x) => x.medium).length;
    const content = results.filter((x) => x.content).length;
    process.stdout.write(`\nrecall at high: ${high}/${results.length} = ${((100 * high) / results.length).toFixed(1)}%  (at >= medium: ${((100 * med) / results.length).toFixed(1)}%; high from a content rule alone: ${((100 * content) / results.length).toFixed(1)}%)\n`);
    }
    await realReleases(r, work);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

interface Pair {
  name: string;
  tarball: string;
  repo: string;
  tag?: string;
  subdir?: string | null;
}

function listFiles(dir: string, prefix = ""): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...listFiles(dir, rel));
    else if (e.isFile()) out.push(rel);
  }
  return out;
}

async function realReleases(r: Rand, work: string): Promise<void> {
  if (!MANIFEST) {
    process.stdout.write("real releases: skipped (no --manifest or DISTVET_REDTEAM_MANIFEST given)\n");
    return;
  }
  if (!existsSync(MANIFEST)) {
    process.stdout.write(`real releases: skipped (${MANIFEST} does not exist)\n`);
    return;
  }
  const pairs = (JSON.parse(readFileSync(MANIFEST, "utf8")) as Pair[]).filter((p) => {
    const ok = existsSync(p.tarball) && existsSync(p.repo);
    if (!ok) process.stdout.write(`real releases: ${p.name} skipped (tarball or repository absent)\n`);
    return ok;
  });
  if (pairs.length === 0) return;
  let n = 0;
  let high = 0;
  const perSite = new Map<Site, { n: number; high: number }>();
  for (let i = 0; i < N_REAL; i++) {
    const pair = pick(r, pairs);
    const dir = mkdtempSync(join(work, "real-"));
    try {
      execFileSync("tar", ["-xf", pair.tarball, "-C", dir], { stdio: "ignore" });
      const tops = readdirSync(dir);
      const root = tops.length === 1 && statSync(join(dir, tops[0]!)).isDirectory() ? tops[0]! : "";
      const base = root ? join(dir, root) : dir;
      const files = listFiles(base).filter((p) => isBuildScript(p) && statSync(join(base, p)).size < 4 * 1024 * 1024).sort();
      const bySite = new Map<Site, string[]>();
      for (const p of files) bySite.set(siteOf(p), [...(bySite.get(siteOf(p)) ?? []), p]);
      if (bySite.size === 0) continue;
      const site = pick(r, [...bySite.keys()].sort());
      const path = pick(r, bySite.get(site)!);
      const text = readFileSync(join(base, path), "latin1");
      if (text.includes("\0")) continue;
      const t = mutateText(r, path, text);
      if (!t) continue;
      writeFileSync(join(base, path), t.out, "latin1");
      const out = join(work, `real-${i}.tar.gz`);
      execFileSync("tar", ["-czf", out, "-C", dir, ...(root ? [root] : readdirSync(dir))], { stdio: "ignore" });
      const res = await audit({ tarball: out, repo: pair.repo, ...(pair.tag ? { ref: pair.tag } : {}), ...(pair.subdir ? { subdir: pair.subdir } : {}) });
      rmSync(out, { force: true });
      const caught = res.findings.some((f) => f.path === path && f.severity === "high");
      n++;
      if (caught) high++;
      const g = perSite.get(site) ?? { n: 0, high: 0 };
      g.n++;
      if (caught) g.high++;
      perSite.set(site, g);
      if (VERBOSE || !caught) process.stdout.write(`${caught ? "caught" : "MISSED"} real ${pair.name} ${path}:${t.line} [${site}/${t.lang}] ${t.shape}\n`);
    } catch (e) {
      process.stdout.write(`real releases: ${pair.name} mutation ${i} not audited: ${(e as Error).message.split("\n")[0]}\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  for (const [site, g] of [...perSite].sort()) process.stdout.write(`real releases, ${site}: ${g.high}/${g.n} at high\n`);
  process.stdout.write(`real releases: recall at high ${high}/${n}${n ? ` = ${((100 * high) / n).toFixed(1)}%` : ""}\n`);
}

await main();
