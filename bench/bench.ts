/**
 * `npm run bench`: distvet side by side with the decompress+hash floor, the manual way
 * (`tar xf` + `git archive | tar x` + `diff -r`) and diffoscope (when installed), in one run,
 * best of N, wall time and peak RSS of each command (children run under /usr/bin/time).
 * Inputs: synthetic scaling series (members, bytes, share of differing members) built here with
 * `git fast-import` + `git archive`, and real releases when present locally (Debian orig tarballs
 * in $DISTVET_REAL or /work/real, repositories under $DISTVET_MIRROR or /work/.mirror).
 * Writes docs/performance.md (or --out) with the machine described.
 *
 * Usage: node dist/bench/bench.js [--quick] [--runs N] [--out file] [--only members,bytes,differing,real]
 *        node dist/bench/bench.js --pair <tarball> <repo> <ref> [--subdir dir]
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const args = process.argv.slice(2);
const flag = (n: string) => args.includes(`--${n}`);
const opt = (n: string): string | undefined => (args.includes(`--${n}`) ? args[args.indexOf(`--${n}`) + 1] : undefined);
const QUICK = flag("quick");
const RUNS_DEFAULT = Number(opt("runs") ?? (QUICK ? "1" : "3"));
const ONLY = new Set((opt("only") ?? "members,bytes,differing,real").split(","));
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const CLI = join(ROOT, "dist", "cli", "main.js");
const OUT = opt("out") ?? join(ROOT, "docs", "performance.md");
/** A command taking longer than this is stopped and reported as such. */
const CMD_TIMEOUT_S = Number(opt("timeout") ?? "900");
const work = mkdtempSync(join(process.env.DISTVET_BENCH_TMP ?? tmpdir(), "distvet-bench-"));

const has = (cmd: string): boolean => spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;
const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

interface Measure {
  seconds: number;
  rssMiB: number;
  /** Set when the command failed or timed out. */
  error?: string;
}

/** Run a shell command under /usr/bin/time, best wall time of `runs`; the peak RSS is the largest seen. */
function measure(cmd: string, runs: number, after?: () => void): Measure {
  let best: Measure | null = null;
  let rss = 0;
  for (let i = 0; i < runs; i++) {
    const timeFile = join(work, "time.out");
    const r = spawnSync("/usr/bin/time", ["-f", "%e %M", "-o", timeFile, "timeout", String(CMD_TIMEOUT_S), "bash", "-c", cmd], { stdio: ["ignore", "ignore", "pipe"], maxBuffer: 1 << 26 });
    after?.();
    const [sec, kb] = readFileSync(timeFile, "utf8").trim().split("\n").pop()!.split(" ").map(Number);
    // distvet exits 1 when it has findings at or above --fail-on; we pass --fail-on none, so only 0 is success.
    if (r.status !== 0) {
      const err = r.status === 124 ? `stopped after ${CMD_TIMEOUT_S} s` : `exit ${r.status}: ${String(r.stderr).trim().split("\n").pop()?.slice(0, 160)}`;
      return { seconds: sec!, rssMiB: kb! / 1024, error: err };
    }
    rss = Math.max(rss, kb! / 1024);
    if (!best || sec! < best.seconds) best = { seconds: sec!, rssMiB: 0 };
  }
  return { ...best!, rssMiB: rss };
}

interface Input {
  series: string;
  label: string;
  tarball: string;
  repo: string;
  ref: string;
  subdir?: string;
  members?: number;
  unpackedMiB?: number;
}

const sections: { title: string; intro: string; rows: Row[]; note?: string }[] = [];

interface Row {
  input: Input;
  floor: Measure;
  byHand: Measure;
  diffoscope?: Measure;
  distvet: Measure;
  findings?: string;
}

function decompressor(tarball: string): string {
  const head = readFileSync(tarball).subarray(0, 6);
  if (head[0] === 0x1f && head[1] === 0x8b) return "gzip -dc";
  if (head[0] === 0xfd && head[1] === 0x37) return "xz -dc";
  if (head[0] === 0x42 && head[1] === 0x5a) return "bzip2 -dc";
  if (head[0] === 0x28 && head[1] === 0xb5) return "zstd -dc";
  return "cat";
}

function run(input: Input): Row {
  const row = runOne(input);
  current?.rows.push(row);
  writeDoc();
  return row;
}

let current: { title: string; intro: string; rows: Row[]; note?: string } | undefined;
/** Start a section; rows measured from now on are added to it (and written at once). */
function section(title: string, intro: string): { title: string; intro: string; rows: Row[]; note?: string } {
  current = { title, intro, rows: [] };
  sections.push(current);
  return current;
}

/** Other work on the machine shows in the load average: recorded at the start and before each row. */
const LOAD_AT_START = loadavg()[0]!.toFixed(2);
let loadSeen = 0;

function runOne(input: Input): Row {
  loadSeen = Math.max(loadSeen, loadavg()[0]!);
  const { tarball, repo, ref, subdir } = input;
  // The largest inputs are measured once: their runs take minutes each.
  const RUNS = (input.members ?? 0) > 200_000 || (input.unpackedMiB ?? 0) > 1024 ? 1 : RUNS_DEFAULT;
  const dec = decompressor(tarball);
  process.stderr.write(`bench: ${input.series} ${input.label}\n`);
  const floor = measure(`${dec} < ${q(tarball)} | sha1sum`, RUNS);
  const hand = join(work, "byhand");
  const clean = () => rmSync(hand, { recursive: true, force: true });
  clean();
  const treeish = subdir ? `${ref}:${subdir}` : ref;
  const byHand = measure(
    `mkdir -p ${q(hand)}/t ${q(hand)}/g && tar xf ${q(tarball)} -C ${q(hand)}/t --strip-components=1 && git --git-dir=${q(repo)} archive ${q(treeish)} | tar x -C ${q(hand)}/g && { diff -r ${q(hand)}/t ${q(hand)}/g > /dev/null; test $? -le 1; }`,
    RUNS,
    clean,
  );
  let diffoscope: Measure | undefined;
  if (has("diffoscope") && (input.members ?? 0) <= 20_000 && (input.unpackedMiB ?? 0) <= 200) {
    const gitTar = join(work, "git.tar");
    execFileSync("bash", ["-c", `git --git-dir=${q(repo)} archive --prefix=x/ ${q(treeish)} > ${q(gitTar)}`]);
    diffoscope = measure(`diffoscope --no-progress --text /dev/null ${q(tarball)} ${q(gitTar)}; test $? -le 1`, 1);
  }
  const json = join(work, "result.json");
  const distvet = measure(
    `node ${q(CLI)} audit ${q(tarball)} --repo ${q(repo)} --ref ${q(ref)} ${subdir ? `--subdir ${q(subdir)}` : ""} --format json --output ${q(json)} --fail-on none --no-progress`,
    RUNS,
  );
  let findings: string | undefined;
  if (!distvet.error && existsSync(json)) {
    const r = JSON.parse(readFileSync(json, "utf8")) as { tarball: { entries: number }; summary: { findings: Record<string, number> } };
    const f = r.summary.findings;
    findings = `${f.high}H ${f.medium}M ${f.low}L ${f.info}I`;
    input.members ??= r.tarball.entries;
  }
  return { input, floor, byHand, distvet, ...(diffoscope ? { diffoscope } : {}), ...(findings ? { findings } : {}) };
}

/* ------------------------------------------------------------ synthetic inputs */

/** Deterministic pseudo-random numbers (xorshift32). */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}
const WORDS = "int char void return static const struct if else for while size_t buffer length value index count error result data file path node list table entry state".split(" ");

/** Source-like text of about `bytes` bytes (compresses roughly like real code). */
function text(bytes: number, seed: number): Buffer {
  const r = rng(seed);
  const parts: string[] = [];
  let n = 0;
  while (n < bytes) {
    const words = 3 + (r() % 8);
    let line = "\t".repeat(r() % 3);
    for (let i = 0; i < words; i++) line += `${WORDS[r() % WORDS.length]}${r() % 4 === 0 ? r() % 1000 : ""} `;
    line += ";\n";
    parts.push(line);
    n += line.length;
  }
  return Buffer.from(parts.join("")).subarray(0, bytes);
}

interface SynthSpec {
  members: number;
  /** Size of each member (bytes), by index. */
  size: (i: number) => number;
  /** Members whose tarball bytes differ from git. */
  differing: number;
  compression: "xz" | "gzip";
}

/** Feed git fast-import, honouring back-pressure. */
async function fastImport(repo: string, write: (push: (s: string | Buffer) => Promise<void>) => Promise<void>): Promise<void> {
  const p = spawn("git", ["--git-dir", repo, "fast-import", "--quiet", "--done"], { stdio: ["pipe", "ignore", "inherit"] });
  const done = new Promise<void>((res, rej) => p.on("close", (c) => (c === 0 ? res() : rej(new Error(`git fast-import exited ${c}`)))));
  const push = (s: string | Buffer) => (p.stdin.write(s) ? Promise.resolve() : new Promise<void>((res) => p.stdin.once("drain", () => res())));
  await write(push);
  p.stdin.end("done\n");
  await done;
}

async function synthesize(name: string, spec: SynthSpec): Promise<Input & { unpackedMiB: number }> {
  process.stderr.write(`bench: building ${name}\n`);
  const repo = join(work, `${name}.git`);
  execFileSync("git", ["init", "-q", "--bare", repo]);
  let total = 0;
  const path = (i: number) => `src/d${Math.floor(i / 100)}/f${i}.c`;
  // Every k-th member differs, spread through the tree.
  const differs = (i: number) => spec.differing > 0 && i % Math.max(1, Math.round(spec.members / spec.differing)) === 0;
  await fastImport(repo, async (push) => {
    const commit = async (ref: string, parent: string | null, variant: boolean) => {
      await push(`commit ${ref}\ncommitter Bench <b@example.org> 1700000000 +0000\ndata 6\nbench\n${parent ? `from ${parent}\n` : ""}`);
      if (!variant) {
        for (let i = 0; i < spec.members; i++) {
          const size = spec.size(i);
          const body = size === 0 ? Buffer.alloc(0) : text(size, i + 1);
          if (!variant) total += size;
          await push(`M 100644 inline ${path(i)}\ndata ${body.length}\n`);
          await push(body);
          await push("\n");
        }
      } else {
        for (let i = 0; i < spec.members; i++) {
          if (!differs(i)) continue;
          const body = Buffer.concat([Buffer.from(`/* changed in the release ${i} */\n`), spec.size(i) ? text(spec.size(i), i + 1) : Buffer.alloc(0)]);
          await push(`M 100644 inline ${path(i)}\ndata ${body.length}\n`);
          await push(body);
          await push("\n");
        }
      }
    };
    await commit("refs/tags/v1.0", null, false);
    await commit("refs/heads/release", "refs/tags/v1.0", true);
  });
  const tarball = join(work, `${name}-1.0.tar.${spec.compression === "xz" ? "xz" : "gz"}`);
  const compress = spec.compression === "xz" ? "xz -T0 -3" : has("pigz") ? "pigz -6" : "gzip -6";
  execFileSync("bash", ["-c", `git --git-dir=${q(repo)} archive --prefix=${name}-1.0/ release | ${compress} > ${q(tarball)}`]);
  return { series: "", label: name, tarball, repo, ref: "v1.0", members: spec.members, unpackedMiB: total / 1048576 };
}

/* ------------------------------------------------------------ real releases */

const REAL: { file: RegExp; mirror: string; ref: string; subdir?: string }[] = [
  { file: /^xz-utils_5\.4\.1\.orig\.tar\.xz$/, mirror: "tukaani-project+xz", ref: "v5.4.1" },
  { file: /^curl_7\.88\.1\.orig\.tar\.gz$/, mirror: "curl+curl", ref: "curl-7_88_1" },
  { file: /^expat_2\.5\.0\.orig\.tar\.gz$/, mirror: "libexpat+libexpat", ref: "R_2_5_0", subdir: "expat" },
  { file: /^libffi_3\.4\.4\.orig\.tar\.gz$/, mirror: "libffi+libffi", ref: "v3.4.4" },
  { file: /^pcre2_10\.42\.orig\.tar\.gz$/, mirror: "PCRE2Project+pcre2", ref: "pcre2-10.42" },
  { file: /^libssh2_1\.10\.0\.orig\.tar\.gz$/, mirror: "libssh2+libssh2", ref: "libssh2-1.10.0" },
  { file: /^harfbuzz_6\.0\.0\+dfsg\.orig\.tar\.xz$/, mirror: "harfbuzz+harfbuzz", ref: "6.0.0" },
  { file: /^git_2\.39\.5\.orig\.tar\.xz$/, mirror: "git+git", ref: "v2.39.5" },
  { file: /^cmake_3\.25\.1\.orig\.tar\.gz$/, mirror: "Kitware+CMake", ref: "v3.25.1" },
  { file: /^llvm-toolchain-15_15\.0\.\d+\.orig\.tar\.xz$/, mirror: "llvm+llvm-project", ref: "" },
];

function realInputs(): Input[] {
  const dirs = [process.env.DISTVET_REAL, "/work/real"].filter((d): d is string => !!d && existsSync(d));
  const mirror = process.env.DISTVET_MIRROR ?? "/work/.mirror";
  const out: Input[] = [];
  for (const dir of dirs.slice(0, 1)) {
    for (const f of execFileSync("ls", [dir]).toString().split("\n")) {
      const known = REAL.find((r) => r.file.test(f));
      if (!known || !known.ref) continue;
      const repo = join(mirror, known.mirror, "repo");
      if (!existsSync(repo)) continue;
      if (spawnSync("git", ["--git-dir", repo, "rev-parse", "--verify", "--quiet", `${known.ref}^{commit}`]).status !== 0) continue;
      out.push({ series: "real", label: f, tarball: join(dir, f), repo, ref: known.ref, ...(known.subdir ? { subdir: known.subdir } : {}) });
    }
  }
  return out;
}

/* ------------------------------------------------------------ report */

const fmt = (m?: Measure) => (!m ? "–" : m.error ? `(${m.error})` : `${m.seconds.toFixed(2)} s / ${m.rssMiB.toFixed(0)} MiB`);
const ratio = (a: Measure, b?: Measure) => (!b || a.error || b.error || b.seconds === 0 ? "–" : `${(a.seconds / b.seconds).toFixed(2)}×`);

function table(rows: Row[]): string {
  const head = "| input | members | unpacked | floor | by hand | diffoscope | distvet | distvet ÷ floor | distvet − floor | by hand ÷ distvet | diffoscope ÷ distvet | findings |\n|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|";
  const lines = rows.map((r) => {
    const minus = r.distvet.error || r.floor.error ? "–" : `${(r.distvet.seconds - r.floor.seconds).toFixed(2)} s`;
    return `| ${r.input.label} | ${r.input.members ?? "?"} | ${r.input.unpackedMiB !== undefined ? `${r.input.unpackedMiB.toFixed(0)} MiB` : "?"} | ${fmt(r.floor)} | ${fmt(r.byHand)} | ${fmt(r.diffoscope)} | ${fmt(r.distvet)} | ${ratio(r.distvet, r.floor)} | ${minus} | ${ratio(r.byHand, r.distvet)} | ${r.diffoscope ? ratio(r.diffoscope, r.distvet) : "–"} | ${r.findings ?? "–"} |`;
  });
  return [head, ...lines].join("\n");
}

/** How distvet's time and memory grow along a series: the marginal cost of each step. */
function growth(rows: Row[], unit: (r: Row) => number, unitName: string): string {
  const ok = rows.filter((r) => !r.distvet.error);
  if (ok.length < 2) return "";
  const steps = ok.slice(1).map((r, i) => {
    const prev = ok[i]!;
    const du = unit(r) - unit(prev);
    return `${unit(prev)} → ${unit(r)} ${unitName}: +${(r.distvet.seconds - prev.distvet.seconds).toFixed(2)} s (${(((r.distvet.seconds - prev.distvet.seconds) / du) * 1000).toFixed(3)} ms per ${unitName.replace(/s$/, "")}), floor +${(r.floor.seconds - prev.floor.seconds).toFixed(2)} s`;
  });
  return `Growth of distvet's time: ${steps.join("; ")}. Peak RSS: ${ok.map((r) => `${r.distvet.rssMiB.toFixed(0)} MiB`).join(", ")}.`;
}

function machine(): string {
  const cpu = cpus()[0]?.model ?? "unknown";
  const nproc = execFileSync("nproc").toString().trim();
  const mem = (Number(/MemTotal:\s+(\d+)/.exec(readFileSync("/proc/meminfo", "utf8"))?.[1] ?? 0) / 1048576).toFixed(0);
  const ver = (c: string) => spawnSync("bash", ["-c", c]).stdout?.toString().split("\n")[0]?.trim() || "not installed";
  return [
    `- CPU: ${cpu}, \`nproc\` = ${nproc}, ${mem} GiB RAM. One-minute load average when the run started: ${LOAD_AT_START}; highest seen between rows: ${loadSeen.toFixed(2)} (the benchmark itself keeps one or two cores busy). Compare the columns of one row, which were measured back to back.`,
    `- Node ${process.version}; ${ver("git --version")}; ${ver("xz --version")}; ${ver("tar --version")}; diffoscope: ${ver("diffoscope --version")}.`,
    `- Best of ${RUNS_DEFAULT} wall time (one run for inputs over 200,000 members or 1 GiB); peak RSS is the largest of the runs (\`/usr/bin/time -f %M\`, the whole process tree's largest process). Mode: ${QUICK ? "--quick (small sizes)" : "full"}.`,
  ].join("\n");
}

/* ------------------------------------------------------------ main */
function writeDoc(): string {
  const doc = [
    "# Performance",
    "",
    "Written by `npm run bench` (`bench/bench.ts`): every command of a row was measured in the same run, one after the other.",
    "",
    "- **floor**: decompress the tarball and hash the stream (`xz -dc | sha1sum`, `gzip -dc | sha1sum`): one pass, no parsing. No tool that reads every byte can beat it.",
    "- **by hand**: `tar xf` the tarball, `git archive <tag> | tar x`, `diff -r` the two trees (on the benchmark's temporary directory).",
    "- **diffoscope**: `diffoscope --text /dev/null <tarball> <git archive tar>`, only when installed and only on inputs up to 20,000 members.",
    "- **distvet**: `distvet audit --format json --fail-on none` (the CLI, including Node start-up and module loading).",
    "",
    "## Machine",
    "",
    machine(),
    "",
    ...sections.flatMap((s) => [`## ${s.title}`, "", s.intro, "", s.rows.length ? table(s.rows) : "(nothing measured)", "", ...(s.note ? [s.note, ""] : [])]),
  ].join("\n");
  if (!flag("no-write")) {
    mkdirSync(dirname(OUT), { recursive: true });
    const notes = existsSync(OUT) ? /<!-- notes -->[\s\S]*$/.exec(readFileSync(OUT, "utf8"))?.[0] : undefined;
    writeFileSync(OUT, `${doc}\n${notes ?? "<!-- notes -->\n"}`);

  }
  return doc;
}




try {
  if (!existsSync(CLI)) throw new Error(`${CLI} not found: run npm run build first`);
  if (flag("pair")) {
    const [t, r, ref] = args.slice(args.indexOf("--pair") + 1);
    section("Pair", "");
    run({ series: "pair", label: t!, tarball: t!, repo: r!, ref: ref!, ...(opt("subdir") ? { subdir: opt("subdir")! } : {}) });
  } else {
    // Real releases first, the largest synthetic inputs last: a run stopped early keeps the most useful rows.
    if (ONLY.has("real")) {
      const inputs = realInputs();
      section(
        "Real releases",
        inputs.length ? "Debian orig tarballs against the upstream tag." : "No real release was found locally (set DISTVET_REAL to a directory of orig tarballs and DISTVET_MIRROR to one of repositories).",
      );
      for (const input of inputs) run(input);
    }
    if (ONLY.has("differing")) {
      const n = QUICK ? 2_000 : 10_000;
      const s = section("Scaling with the share of differing members", `${n} text files of 2–4 KiB, .tar.xz; each differing member has one line added at the top, so each is a modified source file with a line diff.`);
      for (const pct of [1, 10, 50]) {
        const input = await synthesize(`differing-${pct}`, { members: n, size: (i) => 2048 + (i % 2048), differing: Math.round((n * pct) / 100), compression: "xz" });
        run({ ...input, series: "differing", label: `${n} members, ${pct}% differ` });
        if (!flag("keep")) rmSync(input.repo, { recursive: true, force: true });
        s.note = growth(s.rows, (r) => Number(/(\d+)%/.exec(r.input.label)?.[1] ?? 1), "percent");
      }
    }
    if (ONLY.has("bytes")) {
      const sizes = opt("mib") ? opt("mib")!.split(",").map(Number) : QUICK ? [20, 50] : [100, 500, 2048];
      const s = section("Scaling with the amount of data", "1 MiB source-like text files, .tar.gz (pigz -6), one member differs.");
      for (const mib of sizes) {
        const input = await synthesize(`bytes-${mib}m`, { members: mib, size: () => 1024 * 1024, differing: 1, compression: "gzip" });
        run({ ...input, series: "bytes", label: `${mib} MiB in 1 MiB files, .tar.gz, one differs` });
        if (!flag("keep")) rmSync(input.repo, { recursive: true, force: true });
        s.note = growth(s.rows, (r) => Math.round(r.input.unpackedMiB ?? 1), "MiB");
      }
    }
    if (ONLY.has("members")) {
      const counts = opt("members") ? opt("members")!.split(",").map(Number) : QUICK ? [1_000, 10_000] : [1_000, 10_000, 100_000, 1_000_000];
      const s = section("Scaling with the number of members", "Small text files (64–575 bytes; empty at one million), .tar.xz (xz -3), 1% of members differ by one added line.");
      for (const n of counts) {
        const input = await synthesize(`members-${n}`, { members: n, size: (i) => (n >= 1_000_000 ? 0 : 64 + (i % 512)), differing: Math.round(n / 100), compression: "xz" });
        run({ ...input, series: "members", label: `${n} members${n >= 1_000_000 ? " (empty)" : ""}, 1% differ` });
        if (!flag("keep")) rmSync(input.repo, { recursive: true, force: true });
        s.note = growth(s.rows, (r) => r.input.members ?? 1, "members");
      }
    }
  }
  const doc = writeDoc();
  process.stdout.write(doc + "\n");
} finally {
  if (flag("keep")) process.stderr.write(`bench: inputs kept in ${work}\n`);
  else rmSync(work, { recursive: true, force: true });
}
