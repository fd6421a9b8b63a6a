/**
 * `--regenerate`: rebuild the release's generated files from the tag's tree, inside a sandbox,
 * and compare them byte for byte with the tarball's copies. A file is verified only by an exact
 * reproduction; a difference is judged unless the tools that made the tarball's copy are not
 * installed in the same version (then the file is listed as not regenerable, with the reason).
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { posix, join } from "node:path";
import { structuredPatch, type StructuredPatchHunk } from "diff";
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import type { AuditContext } from "../context.js";
import { isBinary } from "../content/classify.js";
import { DIFF_MAX_EDIT_LENGTH, DIFF_TIMEOUT_MS, capEvidence } from "../diff/text-diff.js";
import { cacheKey, defaultCacheDir, loadRun, storeRun, type CachedRun } from "./cache.js";
import { DEFAULT_LIMITS, chooseSandbox, tail, type Limits, type Sandbox } from "./sandbox.js";
import { anyOf, detectToolchain, type ToolName, missingLine, parserBanner, pick, readMadeWith, type InstalledTool, type MadeWith, type Toolchain } from "./toolchain.js";
import { explainingVariant } from "./variants.js";
import { MAX_RULES, ruleCommand, ruleJobs, suppliedValues, type RuleJob } from "./project-rules.js";
import { declaredOutputs } from "../analysis/declared-outputs.js";
import type { RegenStep, RegeneratedFile, RegenerateOptions, RegenerationJson, RegenerationReport } from "./types.js";
import { changedBetween, makeWorkDir, removeWorkDir, snapshot, writeFiles, type WorkFile } from "./workdir.js";

export type { RegenStep, RegeneratedFile, RegenerateOptions, RegenerationJson, RegenerationReport } from "./types.js";

/** Bump when what a run group does changes, so old cache entries are not reused. */
const RECIPE_VERSION = 7;

/** Helpers automake, libtool and gettext copy into a tree; the input-bound step takes the tarball's copies. */
export const HELPERS = new Set([
  "ltmain.sh",
  "install-sh",
  "missing",
  "depcomp",
  "compile",
  "config.guess",
  "config.sub",
  "ar-lib",
  "test-driver",
  "tap-driver.sh",
  "ylwrap",
  "mkinstalldirs",
  "mdate-sh",
  "texinfo.tex",
  "py-compile",
  "config.rpath",
  "ABOUT-NLS",
  // automake --add-missing installs these when the project has none; automake then needs them.
  "INSTALL",
  "COPYING",
]);
const LIBTOOL_FILES = new Set(["ltmain.sh", "libtool.m4", "ltoptions.m4", "ltsugar.m4", "ltversion.m4", "lt~obsolete.m4"]);
/** Files the input-bound step (autoconf, autoheader, automake, aclocal) is the only judge of. */
const INPUT_BOUND_STEPS = new Set(["autoconf", "autoheader", "automake", "aclocal"]);
const PARSER_SOURCES = /\.(y|yy|ypp|l|ll|lpp|gperf)$/;

/** Is this tarball path of a kind some regeneration step makes? (Used to list what could not be regenerated.) */
function generatedKind(path: string, gitHas: (p: string) => boolean): boolean {
  const base = posix.basename(path);
  if (["configure", "Makefile.in", "aclocal.m4", "config.h.in", "Makefile.in.in"].includes(base)) return true;
  if (HELPERS.has(base) || base.endsWith(".gmo") || base.endsWith(".m4")) return true;
  const stem = path.replace(/\.(c|h|cc|hh|cpp|hpp|cxx)$/, "");
  return stem !== path && ["y", "yy", "ypp", "l", "ll", "lpp", "gperf"].some((e) => gitHas(`${stem}.${e}`));
}

/** Version markers a copy carries: when they differ, the copies are different versions, not tampering. */
const MARKERS = [/^(?:#|dnl)[^\n]*\bserial \d[^\n]*$/gm, /Copyright (?:\(C\) )?\d[\d, -]*\d/g, /^scriptversion=.*$/gm, /^timestamp='.*'$/gm, /^VERSION=.*$/gm, /^# Origin: gettext-.*$/gm, /\\def\\texinfoversion\{[^}]*\}/g, /^macro_version=.*$/gm];
export function versionMarkers(text: string): string {
  return MARKERS.flatMap((re) => text.match(re) ?? []).join(" | ");
}

/** Diff regenerated → tarball, with the tarball-only lines. */
export function regenDiff(path: string, regenerated: string, tarball: string, only?: StructuredPatchHunk[]): { diff: string; tarballOnly: string[]; bounded: boolean } {
  const patch = only ? { hunks: only } : structuredPatch(`a/${path}`, `b/${path}`, regenerated, tarball, "regenerated", "tarball", { context: 3, timeout: DIFF_TIMEOUT_MS, maxEditLength: DIFF_MAX_EDIT_LENGTH });
  if (!patch) return { diff: `files differ too much for a line diff within the bounds`, tarballOnly: [], bounded: true };
  const out = [`--- a/${path}\tregenerated from the tag`, `+++ b/${path}\ttarball`];
  const tarballOnly: string[] = [];
  for (const h of patch.hunks) {
    out.push(`@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@`, ...h.lines);
    for (const l of h.lines) if (l.startsWith("+")) tarballOnly.push(l.slice(1));
  }
  return { diff: capEvidence(out.join("\n") + "\n"), tarballOnly, bounded: false };
}

const sha = (b: Buffer | string) => createHash("sha256").update(b).digest("hex");
/** Shell-quote one word. */
const q = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;

interface Ctx {
  sandbox: Sandbox;
  limits: Limits;
  extraRo: string[];
  note: (m: string) => void;
}

/** Run named commands one after another in one work dir; attribute every file each command writes to it. */
async function runGroup(
  c: Ctx,
  files: Map<string, WorkFile>,
  commands: { name: string; script: string | null; tools: Record<string, string>; env?: Record<string, string>; tarballInputs?: string[]; needs?: string[] }[],
  rename: Record<string, string> = {},
): Promise<CachedRun> {
  const dir = makeWorkDir();
  const steps: RegenStep[] = [];
  const outputs = new Map<string, { step: string; bytes: Buffer }>();
  const alternatives = new Map<string, { step: string; bytes: Buffer }[]>();
  try {
    const refused = writeFiles(dir, files);
    let before = snapshot(dir);
    const failed = new Set<string>();
    for (const cmd of commands) {
      const script = cmd.script;
      const blocked = cmd.needs?.find((n) => failed.has(n) || !steps.some((s) => s.name === n && s.status === "ok"));
      const stopped = blocked ? `it needs ${blocked}, which ${failed.has(blocked) ? "failed" : "did not run"}` : null;
      const base = { name: cmd.name, command: script ?? "", tools: cmd.tools, tarballInputs: cmd.tarballInputs ?? [], sandboxed: c.sandbox.sandboxed };
      if (stopped || script === null) {
        steps.push({ ...base, status: "skipped", durationMs: 0, reason: stopped ?? "nothing to do" });
        continue;
      }
      c.note(`regenerate: ${cmd.name}: ${script.length > 100 ? `${script.slice(0, 100)}…` : script}`);
      const r = await c.sandbox.run(dir, script, { env: cmd.env ?? {}, limits: c.limits, extraRo: c.extraRo });
      const ok = r.code === 0 && !r.timedOut;
      const reason = r.timedOut ? `killed after ${Math.round(c.limits.timeoutMs / 1000)} s (--regenerate-timeout)` : ok ? undefined : `exit status ${r.code}`;
      steps.push({ ...base, status: ok ? "ok" : "failed", durationMs: r.durationMs, logTail: tail(r.output), ...(reason ? { reason } : {}) });
      const after = snapshot(dir);
      if (ok) {
        for (const p of changedBetween(before, after)) {
          if (p.startsWith(`${ALT_DIR}/`)) {
            const key = p.slice(ALT_DIR.length + 1);
            alternatives.set(key, [...(alternatives.get(key) ?? []), { step: cmd.name, bytes: readFileSync(join(dir, p)) }]);
            continue;
          }
          const key = rename[p] ?? p;
          const o = { step: cmd.name, bytes: readFileSync(join(dir, p)) };
          if (!outputs.has(key)) outputs.set(key, o);
          else alternatives.set(key, [...(alternatives.get(key) ?? []), o]);
        }
      }
      before = after;
      if (!ok) failed.add(cmd.name);
    }
    if (refused.length) steps.push({ name: "write tree", command: "", tools: {}, tarballInputs: [], sandboxed: c.sandbox.sandboxed, status: "failed", durationMs: 0, reason: `not written (a symlink in the tree leads there): ${refused.slice(0, 5).join(", ")}` });
  } finally {
    removeWorkDir(dir);
  }
  return { steps, outputs, alternatives };
}

function aclocalFlags(makefileAm: string | null): string[] {
  if (!makefileAm) return [];
  const joined = makefileAm.replace(/\\\n/g, " ");
  const m = /^ACLOCAL_AMFLAGS\s*=(.*)$/m.exec(joined);
  // Only plain words: the flags are passed to a shell (inside the sandbox, but still).
  return m ? m[1]!.trim().split(/\s+/).filter((w) => /^[-\w.\/=+]+$/.test(w)) : [];
}

function autotoolsEnv(ac: InstalledTool | null, am: InstalledTool | null, lt: InstalledTool | null, gt: InstalledTool | null): Record<string, string> {
  const env: Record<string, string> = {};
  if (ac) {
    env.AUTOCONF = ac.programs.autoconf!;
    if (ac.programs.autoheader) env.AUTOHEADER = ac.programs.autoheader;
    if (ac.programs.autom4te) env.AUTOM4TE = ac.programs.autom4te;
  }
  if (am) {
    env.AUTOMAKE = am.programs.automake!;
    if (am.programs.aclocal) env.ACLOCAL = am.programs.aclocal;
  }
  if (lt) env.LIBTOOLIZE = lt.programs.libtoolize!;
  if (gt) env.AUTOPOINT = gt.programs.autopoint!;
  return env;
}

/**
 * Regenerate what can be regenerated from the tag and compare it with the tarball.
 * Throws (one line) when no sandbox is available and `unsandboxed` is not set.
 */
export async function regenerate(ctx: AuditContext, opts: RegenerateOptions & { commit: string }): Promise<RegenerationReport> {
  const sandbox = chooseSandbox(opts);
  const note = opts.onNote ?? (() => undefined);
  const limits: Limits = { ...DEFAULT_LIMITS, ...(opts.timeoutSeconds ? { timeoutMs: opts.timeoutSeconds * 1000, cpuSeconds: Math.max(opts.timeoutSeconds, 1) } : {}) };
  const extraRo = opts.toolchainDir && existsSync(opts.toolchainDir) ? [opts.toolchainDir] : [];
  const c: Ctx = { sandbox, limits, extraRo, note };
  const cacheDir = opts.cacheDir === false ? null : (opts.cacheDir ?? defaultCacheDir());
  const tc: Toolchain = detectToolchain(opts.toolchainDir);
  const missingTools: string[] = [];
  const steps: RegenStep[] = [];

  // The tarball's files that differ from git: the candidates.
  const changed = new Map<string, Buffer | null>();
  for (const ch of ctx.changes) {
    if ((ch.kind === "added" || ch.kind === "modified") && ch.tarball?.type === "file" && !ch.tarball.unsafe) changed.set(ch.path, ctx.tarBytes(ch.path));
  }
  const declared = await declaredOutputs(ctx);
  const byRule = (p: string) => {
    const d = declared.get(p);
    return !!d && /^(Makefile(\.am)?|GNUmakefile|makefile|.+\.mk|.+\.am)$/.test(posix.basename(d.by));
  };
  if (![...changed.keys()].some((p) => generatedKind(p, (g) => ctx.tree.has(g)) || byRule(p))) {
    note("regenerate: the tarball has no generated files that differ from git");
    return { files: new Map(), steps: [], missingTools: [] };
  }
  const tarTexts = new Map<string, string | null>();
  for (const p of ["configure", "Makefile.in", "aclocal.m4", "po/Makefile.in.in"]) tarTexts.set(p, await ctx.fileText(p));
  // ltmain.sh lives wherever AC_CONFIG_AUX_DIR says (build-aux/, config/, build/autoconf/, …): take the shallowest.
  const ltmain = [...ctx.tar.keys()].filter((p) => posix.basename(p) === "ltmain.sh").sort((a, b) => a.split("/").length - b.split("/").length || (a < b ? -1 : 1))[0];
  if (ltmain) tarTexts.set("ltmain.sh", await ctx.fileText(ltmain));
  const made: MadeWith = readMadeWith((p) => tarTexts.get(p) ?? null);

  // The tag's tree, from git blobs.
  const gitFiles = new Map<string, WorkFile>();
  for (const [p, e] of ctx.tree) {
    if (e.mode === "160000") continue;
    const b = await ctx.gitBlob(e.oid);
    if (!b) continue;
    gitFiles.set(p, e.mode === "120000" ? { symlink: b.toString("utf8") } : { bytes: b, executable: e.mode === "100755" });
  }
  const treeHash = sha([...ctx.tree].map(([p, e]) => `${e.mode} ${e.oid} ${p}`).sort().join("\n"));
  const hasConfigureAc = ctx.tree.has("configure.ac") || ctx.tree.has("configure.in");

  const runs: CachedRun[] = [];
  const cached = async (parts: Record<string, unknown>, run: () => Promise<CachedRun>): Promise<CachedRun> => {
    const key = cacheKey({ recipe: RECIPE_VERSION, commit: opts.commit, tree: treeHash, sandboxed: sandbox.sandboxed, ...parts });
    const hit = cacheDir ? loadRun(cacheDir, key) : null;
    if (hit) {
      note(`regenerate: ${String(parts.group)}: reusing the cached result`);
      return { ...hit, steps: hit.steps.map((s) => ({ ...s, cached: true })) };
    }
    const r = await run();
    // Only complete runs are cached: a timeout may not happen next time.
    if (cacheDir && !r.steps.some((s) => s.reason?.includes("--regenerate-timeout"))) storeRun(cacheDir, key, r);
    return r;
  };

  /** Files configure writes from a template (X from X.in) that the tarball ships. */
  const substitutedFiles = new Set<string>();
  let input: CachedRun | null = null;
  let toolchain: CachedRun | null = null;
  let gettext: CachedRun | null = null;
  /** The project's own autogen.sh / bootstrap, run when autoreconf alone did not reproduce everything. */
  let project: CachedRun | null = null;
  let projectReason: string | null = null;

  // 1. input-bound: git's configure.ac / Makefile.am + the tarball's own macro files and helpers.
  const ac = made.autoconf ? pick(tc, "autoconf", made.autoconf) : null;
  const am = made.automake ? pick(tc, "automake", made.automake) : null;
  if (made.autoconf && !ac) missingTools.push(missingLine(tc, "autoconf", made.autoconf, "configure says it was generated by it"));
  if (made.automake && !am) missingTools.push(missingLine(tc, "automake", made.automake, "Makefile.in / aclocal.m4 say they were generated by it"));
  if (hasConfigureAc && (ac || am)) {
    const inputs = new Map(gitFiles);
    const tarballInputs: string[] = [];
    for (const [p, e] of ctx.tar) {
      if (e.type !== "file" || e.unsafe) continue;
      const base = posix.basename(p);
      if (!(base === "aclocal.m4" || base.endsWith(".m4") || HELPERS.has(base))) continue;
      if (ctx.tree.get(p)?.oid === e.oid) continue; // the same bytes are already there from git
      const b = await ctx.fileBytes(p);
      if (!b) continue;
      inputs.set(p, { bytes: b, executable: (e.mode & 0o111) !== 0 });
      tarballInputs.push(p);
    }
    tarballInputs.sort();
    // Parser outputs and configure-substituted files the tarball ships: rebuilt by the project's own make rules.
    const targets: string[] = [];
    const substituted: string[] = [];
    for (const p of changed.keys()) {
      const stem = p.replace(/\.(c|cc|cpp|cxx)$/, "");
      if (stem !== p && [...ctx.tree.keys()].some((g) => PARSER_SOURCES.test(g) && g.replace(PARSER_SOURCES, "") === stem)) targets.push(p);
      else if (!ctx.tree.has(p) && (ctx.tree.has(`${p}.in`) || ctx.tar.has(`${p}.in`)) && posix.basename(p) !== "Makefile" && !generatedKind(p, (g) => ctx.tree.has(g))) substituted.push(p);
    }
    targets.sort();
    substituted.sort();
    for (const p of substituted) substitutedFiles.add(p);
    const acEnv = autotoolsEnv(ac ?? anyOf(tc, "autoconf"), am, null, null);
    const flags = aclocalFlags(await ctx.gitText("Makefile.am"));
    const needConfigure = targets.length > 0 || substituted.length > 0;
    const configureAc = (await ctx.gitText("configure.ac")) ?? (await ctx.gitText("configure.in")) ?? "";
    const usesHeader = /\b(AC_CONFIG_HEADERS?|AM_CONFIG_HEADER)\b/.test(configureAc);
    const toolsA = { ...(ac ? { autoconf: ac.version } : {}), ...(am ? { automake: am.version } : {}) };
    input = await cached({ group: "input-bound", tools: toolsA, inputs: tarballInputs.map((p) => [p, ctx.tar.get(p)!.oid]), targets, substituted, flags }, () =>
      runGroup(
        c,
        inputs,
        [
          { name: "autoconf", script: ac ? `${q(ac.programs.autoconf!)} --force` : null, tools: toolsA, env: acEnv, tarballInputs },
          { name: "autoheader", script: ac?.programs.autoheader && usesHeader ? `${q(ac.programs.autoheader)} --force` : null, tools: toolsA, env: acEnv, tarballInputs },
          { name: "automake", script: am ? q(am.programs.automake!) : null, tools: toolsA, env: acEnv, tarballInputs },
          // The same automake with the other strictness: a maintainer's `make` reruns automake with the top
          // Makefile.am's strictness (e.g. --foreign) for every directory. Either output is what automake makes of git's Makefile.am.
          { name: "automake --foreign", script: am ? `${q(am.programs.automake!)} --foreign` : null, tools: toolsA, env: acEnv, tarballInputs, needs: ["automake"] },
          // automake writes into DIST_COMMON only the helpers that exist when it reaches each Makefile.am, so a
          // maintainer's first `automake --add-missing` on a clean checkout lists fewer than a tree that has them all.
          // The same automake on a copy without the tarball's helpers gives that listing; its Makefile.in files
          // count only as exact alternatives (they are kept apart under ALT_DIR).
          { name: "automake (no helpers)", script: am ? freshHelpersScript(q(am.programs.automake!), tarballInputs.filter((p) => PER_MAKEFILE_HELPERS.has(posix.basename(p)))) : null, tools: toolsA, env: acEnv, tarballInputs, needs: ["automake"] },
          { name: "aclocal", script: am?.programs.aclocal ? [q(am.programs.aclocal), "--output=.distvet-aclocal.m4", ...flags].join(" ") : null, tools: toolsA, env: acEnv, tarballInputs },
          { name: "configure", script: needConfigure && ac ? "./configure" : null, tools: toolsA, tarballInputs, needs: ["autoconf", "automake"] },
          {
            name: "parser",
            script: targets.length ? targets.map((t) => `make -C ${q(posix.dirname(t))} ${q(posix.basename(t))}`).join(" && ") : null,
            tools: Object.fromEntries((["bison", "byacc", "flex", "gperf"] as const).flatMap((t) => (anyOf(tc, t) ? [[t, anyOf(tc, t)!.version]] : []))),
            tarballInputs,
            needs: ["configure"],
          },
        ],
        { ".distvet-aclocal.m4": "aclocal.m4" },
      ),
    );
    steps.push(...input.steps.map((s) => ({ ...s, name: `input-bound: ${s.name}` })));
    runs.push(input);
  }

  // 2. toolchain: the macro files and helpers themselves, from git only (autoreconf -fi).
  if (hasConfigureAc) {
    const acT = (made.autoconf ? pick(tc, "autoconf", made.autoconf) : null) ?? anyOf(tc, "autoconf");
    const amT = (made.automake ? pick(tc, "automake", made.automake) : null) ?? anyOf(tc, "automake");
    const lt = anyOf(tc, "libtool");
    const gt = anyOf(tc, "gettext");
    const reconf = acT?.programs.autoreconf;
    const tools = Object.fromEntries(
      ([["autoconf", acT], ["automake", amT], ["libtool", lt], ["gettext", gt]] as const).flatMap(([n, t]) => (t ? [[n, t.version]] : [])),
    );
    if (reconf) {
      toolchain = await cached({ group: "toolchain", tools }, () =>
        runGroup(c, gitFiles, [{ name: "autoreconf", script: `${q(reconf)} --force --install --verbose`, tools, env: autotoolsEnv(acT, amT, lt, gt) }]),
      );
      steps.push(...toolchain.steps.map((s) => ({ ...s, name: `toolchain: ${s.name}` })));
      runs.push(toolchain);
    } else steps.push({ name: "toolchain: autoreconf", command: "", tools, tarballInputs: [], sandboxed: sandbox.sandboxed, status: "skipped", durationMs: 0, reason: "autoreconf is not installed (Debian: autoconf)" });

    // The project's own autogen.sh / bootstrap, when plain autoreconf did not account for every generated file:
    // it may prepare the tree first (touch config.rpath, generate Makefile.am fragments, run other generators).
    const own = projectScript(ctx.tree);
    const unexplained = (): boolean =>
      toolchain?.steps.some((s) => s.status === "failed") === true ||
      [...changed].some(([p, b]) => {
        if (!b || !generatedKind(p, (g) => ctx.tree.has(g)) || p.endsWith(".gmo") || substitutedFiles.has(p)) return false;
        return !(input?.outputs.get(p)?.bytes.equals(b) || input?.alternatives.get(p)?.some((a) => a.bytes.equals(b)) || toolchain?.outputs.get(p)?.bytes.equals(b));
      });
    if (own && unexplained()) {
      const name = `toolchain: ${own.path}`;
      if (own.gnulib) {
        projectReason = `the project makes its build files with gnulib's ${own.path} (bootstrap.conf), which copies modules from a gnulib checkout; the tag's tree has none${own.gnulib === "submodule" ? " (gnulib is a git submodule, and submodules are not part of the tag's tree)" : ""} and the sandbox has no network to fetch one`;
        steps.push({ name, command: "", tools, tarballInputs: [], sandboxed: sandbox.sandboxed, status: "skipped", durationMs: 0, reason: projectReason });
      } else {
        const command = projectScriptCommand(own.path, acT, amT, lt, gt);
        project = await cached({ group: "project-script", command, tools }, () =>
          runGroup(c, gitFiles, [{ name: own.path, script: command, tools, env: { ...autotoolsEnv(acT, amT, lt, gt), NOCONFIGURE: "1" } }]),
        );
        steps.push(...project.steps.map((s) => ({ ...s, name: `toolchain: ${s.name}` })));
        runs.push(project);
        const failed = project.steps.find((s) => s.status === "failed");
        if (failed) projectReason = `the project's ${own.path} failed in the sandbox (${failed.reason}): ${(failed.logTail ?? "").split("\n").pop()}`;
      }
    }
  }

  // 2b. parser output the project's make rules did not rebuild (no matching automake, or a configure that
  // needs options): the generator that the file's banner names, in that version, run directly on git's
  // source. Only an exact result counts; the options are guessed, so a difference proves nothing.
  const direct: { path: string; command: string; tool: ToolName; version: string }[] = [];
  for (const [p, b] of changed) {
    if (!b || input?.outputs.get(p)) continue;
    const stem = p.replace(/\.(c|h|cc|hh|cpp|hpp|cxx)$/, "");
    if (stem === p || !/\.(c|cc|cpp|cxx)$/.test(p)) continue;
    const src = [...ctx.tree.keys()].find((g) => PARSER_SOURCES.test(g) && g.replace(PARSER_SOURCES, "") === stem);
    const banner = src ? parserBanner(b.toString("latin1")) : null;
    const tool = banner ? pick(tc, banner.tool, banner.version) : null;
    if (!src || !banner || !tool) continue;
    const cmd = directParserCommand(tool, banner.tool, posix.basename(src), posix.basename(p), changed.has(`${stem}.h`));
    if (cmd) direct.push({ path: p, command: `cd ${q(posix.dirname(p))} && ${cmd}`, tool: banner.tool, version: banner.version });
  }
  let parserDirect: CachedRun | null = null;
  if (direct.length) {
    const tools = Object.fromEntries(direct.map((d) => [d.tool, d.version]));
    const script = direct.map((d) => `( ${d.command} )`).join(" && ");
    parserDirect = await cached({ group: "parser-direct", tools, script }, () => runGroup(c, gitFiles, [{ name: "parser (direct)", script, tools }]));
    steps.push(...parserDirect.steps.map((s) => ({ ...s, name: `parser: ${s.name}` })));
    runs.push(parserDirect);
  }

  // Project generators: a file a make rule in git writes, rebuilt by that rule from the tag.
  let rules: CachedRun | null = null;
  let ruleJobsRun: RuleJob[] = [];
  {
    const producedElsewhere = (p: string) => !!(input?.outputs.has(p) || toolchain?.outputs.has(p) || project?.outputs.has(p) || parserDirect?.outputs.has(p));
    const candidates = [...changed.keys()].filter((p) => byRule(p) && !producedElsewhere(p));
    const text = (p: string) => gitFiles.get(p)?.bytes?.toString("utf8") ?? null;
    const planned = ruleJobs(candidates, declared, text, suppliedValues(text("configure.ac") ?? text("configure.in"), ctx.releaseVersions));
    ruleJobsRun = planned.jobs;
    if (planned.jobs.length) {
      const all = new Map([...gitFiles, ...planned.files]);
      const mk = [...planned.files].map(([p, f]) => [p, sha(f.bytes!)]);
      rules = await cached({ group: "project-rules", mk, jobs: planned.jobs.map((j) => [j.path, j.target]) }, () =>
        runGroup(c, all, planned.jobs.map((j) => ({ name: `make ${j.dir ? `${j.dir}/` : ""}${j.target}`, script: ruleCommand(j), tools: {} }))),
      );
      steps.push(...rules.steps.map((s) => ({ ...s, name: `project rule: ${s.name}` })));
      runs.push(rules);
    }
    if (planned.skipped.length) {
      steps.push({ name: "project rule", command: "", tools: {}, tarballInputs: [], sandboxed: sandbox.sandboxed, status: "skipped", durationMs: 0, reason: `${planned.skipped.length} more declared outputs past the first ${MAX_RULES} rules were not rebuilt: ${planned.skipped.slice(0, 5).join(", ")}` });
    }
  }

  // 3. gettext: every .gmo from the tarball's .po with msgfmt.
  const gmos = [...changed.keys()].filter((p) => p.endsWith(".gmo") && ctx.tar.has(p.replace(/\.gmo$/, ".po"))).sort();
  const msgfmt = anyOf(tc, "gettext")?.programs.msgfmt;
  if (gmos.length && msgfmt) {
    const files = new Map<string, WorkFile>();
    const tarballInputs: string[] = [];
    for (const g of gmos) {
      const po = g.replace(/\.gmo$/, ".po");
      const b = await ctx.fileBytes(po);
      if (b) {
        files.set(po, { bytes: b });
        tarballInputs.push(po);
      }
    }
    const tools = { gettext: anyOf(tc, "gettext")!.version };
    const script = tarballInputs.map((po) => `${q(msgfmt)} -o ${q(po.replace(/\.po$/, ".gmo"))} ${q(po)}`).join(" && ");
    gettext = await cached({ group: "gettext", tools, inputs: tarballInputs.map((p) => [p, ctx.tar.get(p)!.oid]) }, () =>
      runGroup(c, files, [{ name: "msgfmt", script, tools, tarballInputs }]),
    );
    steps.push(...gettext.steps.map((s) => ({ ...s, name: `gettext: ${s.name}` })));
    runs.push(gettext);
  }

  // The gettext that installed the tarball's gettext macros: the newest "(gettext-X)" among them.
  let gettextMacros: string | undefined;
  for (const p of changed.keys()) {
    if (!p.endsWith(".m4")) continue;
    for (const m of (changed.get(p)?.toString("utf8") ?? "").matchAll(/serial \d+ \(gettext-([\d.]+)\)/g)) {
      if (!gettextMacros || cmpVersion(m[1]!, gettextMacros) > 0) gettextMacros = m[1]!;
    }
  }

  // Judge every candidate.
  const files = new Map<string, RegeneratedFile>();
  const producedLtmain = [...(toolchain?.outputs ?? new Map<string, { step: string; bytes: Buffer }>())].find(([p]) => posix.basename(p) === "ltmain.sh")?.[1].bytes.toString("utf8");
  const producedLtmain2 = producedLtmain ?? [...(project?.outputs ?? new Map<string, { step: string; bytes: Buffer }>())].find(([p]) => posix.basename(p) === "ltmain.sh")?.[1].bytes.toString("utf8");
  const installedLibtool = producedLtmain2 ? /^VERSION="?([^"\n]+)"?$/m.exec(producedLtmain2)?.[1] : undefined;
  const failedStep = (group: CachedRun | null, prefix: string, names?: string[]) => {
    const f = group?.steps.find((s) => s.status === "failed" && (!names || names.includes(s.name)));
    return f ? `${prefix}: ${f.name} failed (${f.reason}): ${(f.logTail ?? "").split("\n").pop()}` : null;
  };

  for (const [path, tarBytes] of changed) {
    let out: { step: string; bytes: Buffer } | undefined;
    let stepName = "";
    let fromInput = input?.outputs.get(path);
    // A file the project's script writes that is of no generated kind (a ChangeLog it touches) is judged only when exact.
    const generated = generatedKind(path, (g) => ctx.tree.has(g));
    const keep = (x: { step: string; bytes: Buffer } | undefined): x is { step: string; bytes: Buffer } => !!x && (generated || (!!tarBytes && x.bytes.equals(tarBytes)));
    const fromReconf = toolchain?.outputs.get(path);
    const fromProject = project?.outputs.get(path);
    // An exact output wins (autoreconf's first); otherwise the project's script's, as that is how the project makes its files.
    const fromTool = [fromReconf, fromProject].filter(keep).find((x) => !!tarBytes && x.bytes.equals(tarBytes)) ?? [fromProject, fromReconf].filter(keep)[0];
    const exactAlt = tarBytes && !fromInput?.bytes.equals(tarBytes) ? input?.alternatives.get(path)?.find((a) => a.bytes.equals(tarBytes)) : undefined;
    if (exactAlt) fromInput = exactAlt;
    if (fromInput && fromTool && tarBytes && !fromInput.bytes.equals(tarBytes) && fromTool.bytes.equals(tarBytes)) {
      // autoreconf -fi from git alone reproduced it exactly (automake's output depends on which helpers exist when it runs).
      out = fromTool;
      stepName = `toolchain: ${fromTool.step}`;
    } else if (fromInput) {
      out = fromInput;
      stepName = `input-bound: ${fromInput.step}`;
    } else if (fromTool && (!INPUT_BOUND_STEPS.has(kindStep(path)) || (tarBytes && fromTool.bytes.equals(tarBytes)))) {
      // An input-bound kind counts from the toolchain step only when exact: git's inputs alone made it.
      out = fromTool;
      stepName = `toolchain: ${fromTool.step}`;
    } else if (gettext?.outputs.get(path)) {
      out = gettext.outputs.get(path)!;
      stepName = `gettext: ${out.step}`;
    }
    const fromDirect = parserDirect?.outputs.get(path);
    if (!out && fromDirect && tarBytes) {
      const variant = fromDirect.bytes.equals(tarBytes) ? null : explainingVariant(path, fromDirect.bytes.toString("latin1"), tarBytes.toString("latin1"));
      if (fromDirect.bytes.equals(tarBytes) || variant) {
        files.set(path, { path, status: "reproduced", step: `parser: ${fromDirect.step}`, ...(variant ? { reason: `identical except for ${variant.description} (${variant.id})` } : {}) });
        continue;
      }
      const d = regenDiff(path, fromDirect.bytes.toString("latin1"), tarBytes.toString("latin1"));
      files.set(path, { path, status: "not-regenerable", step: `parser: ${fromDirect.step}`, reason: `${whyNot(path)}; run directly with guessed options, the generator's output differs, which proves nothing about the file`, diff: d.diff });
      continue;
    }
    const job = out ? undefined : ruleJobsRun.find((j) => j.path === path);
    if (job) {
      const fromRule = rules?.outputs.get(path);
      const where = `${job.by}:${job.line}`;
      const values = job.supplied.length ? `, with ${job.supplied.join(", ")}` : "";
      if (!fromRule) {
        const step = rules?.steps.find((s) => s.name === `make ${job.dir ? `${job.dir}/` : ""}${job.target}`);
        files.set(path, { path, status: "not-regenerable", step: "project rule", reason: `the rule at ${where}, run from the tag, ${step?.status === "failed" ? `failed (${step.reason}): ${(step.logTail ?? "").split("\n").filter(Boolean).pop() ?? ""}` : `did not write ${path}`}` });
        continue;
      }
      if (tarBytes && fromRule.bytes.equals(tarBytes)) {
        files.set(path, { path, status: "reproduced", step: `project rule: ${fromRule.step}`, reason: `rebuilt by the rule at ${where}${values}` });
        continue;
      }
      if (tarBytes) {
        const d = isBinary(fromRule.bytes) || isBinary(tarBytes) ? { diff: "binary files differ" } : regenDiff(path, fromRule.bytes.toString("utf8"), tarBytes.toString("utf8"));
        files.set(path, {
          path,
          status: "not-regenerable",
          step: `project rule: ${fromRule.step}`,
          reason: `the rule at ${where}, run from the tag in the C locale${values}, writes other bytes; the maintainer's locale, tools or configure values may differ, so the difference proves nothing either way`,
          diff: d.diff,
        });
        continue;
      }
    }
    if (!out) {
      if (!generatedKind(path, (g) => ctx.tree.has(g)) && !substitutedFiles.has(path)) continue;
      files.set(path, { path, status: "not-regenerable", step: kindStep(path), reason: whyNot(path) });
      continue;
    }
    if (!tarBytes) {
      files.set(path, { path, status: "not-regenerable", step: stepName, reason: "the tarball's copy is too large to keep in memory for comparison" });
      continue;
    }
    if (out.bytes.equals(tarBytes)) {
      files.set(path, { path, status: "reproduced", step: stepName });
      continue;
    }
    const binary = isBinary(out.bytes) || isBinary(tarBytes);
    const variant = binary ? null : explainingVariant(path, out.bytes.toString("utf8"), tarBytes.toString("utf8"));
    if (variant) {
      files.set(path, { path, status: "reproduced", step: stepName, reason: `identical except for ${variant.description} (${variant.id})` });
      continue;
    }
    const d = binary ? { diff: `binary files differ (regenerated ${out.bytes.length} bytes, tarball ${tarBytes.length} bytes)`, tarballOnly: [], bounded: true } : regenDiff(path, out.bytes.toString("utf8"), tarBytes.toString("utf8"));
    const notRegen = (reason: string) => files.set(path, { path, status: "not-regenerable", step: stepName, reason, diff: d.diff });
    const tarText = binary ? "" : tarBytes.toString("utf8");
    const outText = binary ? "" : out.bytes.toString("utf8");
    if (stepName === "input-bound: aclocal" && !d.bounded) {
      // aclocal copies macro files it finds installed (libtool.m4, pkg.m4, …) into aclocal.m4 itself.
      // Hunks that lie wholly inside such a copy are the installed toolchain's, not evidence; any other hunk is.
      const split = splitByEmbedded(outText, tarText, installedMacros(am));
      if (split.outside.length === 0) {
        notRegen(`differs only inside macro files aclocal copied from the installed toolchain (${split.files.join(", ")}); the tarball's embedded copies come from the maintainer's toolchain and are not verified here`);
        continue;
      }
      if (split.inside.length) {
        const dd = regenDiff(path, outText, tarText, split.outside);
        files.set(path, { path, status: "differs", step: stepName, diff: dd.diff, tarballOnly: dd.tarballOnly, reason: `${split.inside.length} more hunk(s) inside installed macro copies (${split.files.join(", ")}) are not shown` });
        continue;
      }
    }
    if (stepName.startsWith("toolchain")) {
      const base = posix.basename(path);
      if (LIBTOOL_FILES.has(base) && made.libtool && installedLibtool && made.libtool !== installedLibtool) {
        const line = missingLine(tc, "libtool", made.libtool, `ltmain.sh says it was made by it; installed: ${installedLibtool}`);
        if (!missingTools.includes(line)) missingTools.push(line);
        notRegen(`made with libtool ${made.libtool}; the installed libtool is ${installedLibtool}, a different build, so a difference proves nothing (install libtool ${made.libtool} under a prefix and pass --toolchain DIR)`);
        continue;
      }
      const mt = versionMarkers(tarText);
      const mo = versionMarkers(outText);
      if (mt !== mo) {
        if (gettextMacros && /\(gettext-[\d.]+\)/.test(tarText) && gettextMacros !== anyOf(tc, "gettext")?.version) {
          const line = missingLine(tc, "gettext", gettextMacros, "the newest gettext named in the tarball's gettext macros");
          if (!missingTools.includes(line)) missingTools.push(line);
        }
        notRegen(`the tarball's copy is another version (${mt || "no version marker"}) than the installed tools produce (${mo || "no version marker"})`);
        continue;
      }
    }
    if (stepName === "input-bound: parser") {
      const banner = parserBanner(tarText);
      const have = banner ? pick(tc, banner.tool, banner.version) : null;
      if (banner && !have) {
        const line = missingLine(tc, banner.tool, banner.version, `${path} says it was generated by it`);
        if (!missingTools.includes(line)) missingTools.push(line);
        notRegen(line);
        continue;
      }
    }
    if (stepName === "input-bound: configure") {
      const template = (await ctx.fileText(`${path}.in`)) ?? "";
      const subst = onlySubstitutedValues(template, d.tarballOnly);
      if (subst) {
        notRegen(`differs only in values configure substitutes (${subst}), which depend on the maintainer's configure options`);
        continue;
      }
    }
    if (stepName.startsWith("gettext") && made.gettext !== anyOf(tc, "gettext")?.version) {
      notRegen(
        made.gettext
          ? `made with gettext ${made.gettext} (po/Makefile.in.in); msgfmt ${anyOf(tc, "gettext")?.version} may lay out catalogs differently`
          : `the msgfmt version that made it is unknown (no po/Makefile.in.in names one), and msgfmt ${anyOf(tc, "gettext")?.version} output differs`,
      );
      continue;
    }
    files.set(path, { path, status: "differs", step: stepName, diff: d.diff, tarballOnly: d.tarballOnly, ...(d.bounded ? { reason: "the difference is too large for a line diff" } : {}) });
  }
  return { files: new Map([...files].sort(([a], [b]) => (a < b ? -1 : 1))), steps, missingTools };

  function kindStep(path: string): string {
    const base = posix.basename(path);
    if (substitutedFiles.has(path)) return "configure";
    if (base === "configure") return "autoconf";
    if (base === "config.h.in") return "autoheader";
    if (base === "Makefile.in") return "automake";
    if (base === "aclocal.m4") return "aclocal";
    if (base.endsWith(".gmo")) return "gettext";
    if (/\.(c|h|cc|hh|cpp|hpp|cxx)$/.test(base)) return "parser";
    return "toolchain";
  }

  function whyNot(path: string): string {
    const k = kindStep(path);
    if (k === "autoconf" || k === "autoheader") {
      if (!hasConfigureAc) return "git has no configure.ac at the tag";
      if (!made.autoconf) return "configure names no autoconf version";
      if (!pick(tc, "autoconf", made.autoconf)) return missingLine(tc, "autoconf", made.autoconf, "configure says it was generated by it");
      return failedStep(input, "input-bound", [k]) ?? `no step produced ${path}`;
    }
    if (k === "automake" || k === "aclocal") {
      if (!hasConfigureAc) return "git has no configure.ac at the tag";
      if (!made.automake) return "Makefile.in names no automake version";
      if (!pick(tc, "automake", made.automake)) return missingLine(tc, "automake", made.automake, "Makefile.in says it was generated by it");
      return failedStep(input, "input-bound", [k]) ?? `no Makefile.am in git produces ${path}`;
    }
    if (k === "gettext") return msgfmt ? `no ${path.replace(/\.gmo$/, ".po")} in the tarball to compile` : "msgfmt is not installed (Debian: gettext)";
    if (k === "configure") {
      const conf = input?.steps.find((s) => s.name === "configure" && s.status === "skipped" && s.reason !== "nothing to do");
      const am = made.automake && !pick(tc, "automake", made.automake) ? `; ${missingLine(tc, "automake", made.automake, "Makefile.in says it was generated by it")}` : "";
      if (conf) return `written by configure from ${path}.in, but configure was not run: ${conf.reason}${am}`;
      return failedStep(input, "input-bound", ["autoconf", "automake", "configure"]) ?? `configure (run with no options) did not write ${path}`;
    }
    if (k === "parser") {
      const banner = parserBanner(changed.get(path)?.toString("latin1") ?? "");
      if (banner && !pick(tc, banner.tool, banner.version)) {
        const line = missingLine(tc, banner.tool, banner.version, `${path} says it was generated by it`);
        if (!missingTools.includes(line)) missingTools.push(line);
        return line;
      }
      const failed = failedStep(input, "input-bound", ["autoconf", "automake", "configure", "parser"]);
      if (failed) return failed;
      const skipped = input?.steps.find((s) => s.name === "parser" && s.status === "skipped" && s.reason !== "nothing to do");
      if (skipped) {
        const conf = input?.steps.find((s) => s.name === "configure" && s.status === "skipped");
        const am = made.automake && !pick(tc, "automake", made.automake) ? missingLine(tc, "automake", made.automake, "Makefile.in says it was generated by it") : null;
        return `rebuilt by the project's make rules after configure, but ${conf ? `configure was not run: ${conf.reason}` : skipped.reason}${am ? `; ${am}` : ""}`;
      }
    }
    if (k === "parser") return (input ? `no make rule rebuilt ${path}` : "the parser outputs are rebuilt with the project's make rules, which needs configure.ac and a matching autoconf");
    if (!hasConfigureAc) return "git has no configure.ac at the tag";
    const why = failedStep(toolchain, "toolchain") ?? `the installed autotools (autoreconf -fi) do not install ${path}`;
    return projectReason ? `${why}; ${projectReason}` : why;
  }
}

/** The generator run on its own, with the options projects pass most often (automake's -d when a header is shipped). */
function directParserCommand(tool: InstalledTool, name: ToolName, src: string, out: string, header: boolean): string | null {
  const bin = Object.values(tool.programs)[0];
  if (!bin) return null;
  if (name === "flex") return `${q(bin)} -o ${q(out)} ${q(src)}`;
  if (name === "bison" || name === "byacc") return `${q(bin)}${header ? " -d" : ""} -o ${q(out)} ${q(src)}`;
  if (name === "gperf") return `${q(bin)} --output-file=${q(out)} ${q(src)}`;
  return null;
}

/** Outputs a step writes under this directory are only alternatives for the path below it (used when exact). */
const ALT_DIR = ".distvet-alt";

/**
 * Helpers automake --add-missing installs while it works through the Makefile.am files (depcomp for the first
 * directory with C sources, ylwrap for the first parser, …), not while it reads configure.ac.
 */
const PER_MAKEFILE_HELPERS = new Set(["depcomp", "ylwrap", "mdate-sh", "texinfo.tex", "py-compile", "test-driver"]);

/** automake --add-missing on a copy of the tree without the given helpers; its Makefile.in files go under ALT_DIR. */
function freshHelpersScript(automake: string, helpers: string[]): string | null {
  if (!helpers.length) return null;
  return [
    `w=$PWD && t=$(mktemp -d) && trap 'rm -rf "$t"' EXIT && cp -a . "$t/s" && cd "$t/s"`,
    `rm -f ${helpers.map(q).join(" ")}`,
    `${automake} --add-missing --copy`,
    `find . -name Makefile.in -exec sh -c 'w=$1; shift; for f; do mkdir -p "$w/${ALT_DIR}/$(dirname "$f")" && cp "$f" "$w/${ALT_DIR}/$f"; done' sh "$w" {} +`,
  ].join(" && ");
}

/** Scripts projects keep at the top of their tree to make the build system (autogen.sh, bootstrap, …). */
const PROJECT_SCRIPTS = ["autogen.sh", "autogen", "bootstrap", "bootstrap.sh", "buildconf", "buildconf.sh"];

/** The project's own build-system script at the tag, and whether it is gnulib's bootstrap (needs a gnulib checkout). */
export function projectScript(tree: Map<string, { mode: string }>): { path: string; gnulib: false | "submodule" | "absent" } | null {
  const path = PROJECT_SCRIPTS.find((p) => tree.get(p)?.mode === "100644" || tree.get(p)?.mode === "100755");
  if (!path) return null;
  const gnulibBootstrap = path.startsWith("bootstrap") && tree.has("bootstrap.conf");
  if (!gnulibBootstrap) return { path, gnulib: false };
  if (tree.has("gnulib/gnulib-tool")) return { path, gnulib: false };
  return { path, gnulib: [...tree].some(([p, e]) => e.mode === "160000" && /(^|\/)gnulib$/.test(p)) ? "submodule" : "absent" };
}

/**
 * The project's script, run with the tool versions that made the tarball: a private bin directory puts
 * them first on PATH under their plain names, as the script calls them. NOCONFIGURE=1 stops the scripts
 * that would run configure afterwards. Symlinks the script makes into the system (autoreconf --symlink)
 * are replaced by copies, as `make dist` would ship them.
 */
function projectScriptCommand(path: string, ac: InstalledTool | null, am: InstalledTool | null, lt: InstalledTool | null, gt: InstalledTool | null): string {
  const links = Object.entries({ ...(ac?.programs ?? {}), ...(am?.programs ?? {}), ...(lt?.programs ?? {}), ...(gt?.programs ?? {}) })
    .filter(([, v]) => /^[\w./+-]+$/.test(v))
    .map(([k, v]) => `ln -s ${q(v)} "$d"/${q(k)}`);
  return [
    `d=$(mktemp -d) && trap 'rm -rf "$d"' EXIT`,
    ...links,
    // Scripts check that `libtool` exists (Debian ships it apart, in libtool-bin) though only libtoolize runs:
    // when it is absent, a stand-in answers --version with the installed libtoolize's and refuses anything else.
    ...(lt?.programs.libtoolize
      ? [`{ command -v libtool >/dev/null || { printf '#!/bin/sh\\ncase "$1" in --version) exec %s --version;; esac\\necho "libtool: not installed (only libtoolize is)" >&2; exit 127\\n' ${q(lt.programs.libtoolize)} >"$d/libtool" && chmod +x "$d/libtool"; }; }`]
      : []),
    `PATH="$d:$PATH" sh ./${path} </dev/null`,
    `find . -type l -exec sh -c 'for l; do t=$(readlink -f "$l") || continue; case "$t" in /usr/*) cp --remove-destination "$t" "$l";; esac; done' sh {} +`,
  ].join(" && ");
}

/**
 * Do all tarball-only lines of a configure-substituted file match a template line with an
 * @VAR@ in it? Returns the variables when they do (the difference is then a configure option).
 */
function onlySubstitutedValues(template: string, tarballOnly: string[]): string | null {
  const patterns: { re: RegExp; vars: string[] }[] = [];
  for (const line of template.split("\n")) {
    const vars = line.match(/@[A-Za-z_][A-Za-z0-9_]*@/g);
    if (!vars) continue;
    const re = new RegExp(`^${line.split(/@[A-Za-z_][A-Za-z0-9_]*@/).map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
    patterns.push({ re, vars });
  }
  if (!tarballOnly.length) return null;
  const used = new Set<string>();
  for (const l of tarballOnly) {
    const p = patterns.find((x) => x.re.test(l));
    if (!p) return null;
    for (const v of p.vars) used.add(v);
  }
  return [...used].join(", ");
}

/** The macro files installed in the automake installation's aclocal directory (name → text). */
function installedMacros(am: InstalledTool | null): Map<string, string> {
  const out = new Map<string, string>();
  const aclocal = am?.programs.aclocal;
  if (!aclocal) return out;
  const dir = spawnSync(aclocal, ["--print-ac-dir"], { encoding: "utf8", timeout: 20_000 }).stdout?.trim();
  if (!dir) return out;
  try {
    // aclocal drops lines starting with "##" when it copies a file.
    for (const n of readdirSync(dir)) if (n.endsWith(".m4")) out.set(n, readFileSync(join(dir, n), "utf8").replace(/^##.*\n/gm, ""));
  } catch {
    /* no aclocal dir */
  }
  return out;
}

/**
 * Hunks of regenerated → tarball whose every changed line lies inside a verbatim copy of an
 * installed macro file in the regenerated text (inside), and the others (outside).
 */
export function splitByEmbedded(regenerated: string, tarball: string, macros: Map<string, string>): { inside: StructuredPatchHunk[]; outside: StructuredPatchHunk[]; files: string[] } {
  const patch = structuredPatch("a", "b", regenerated, tarball, "", "", { context: 3, timeout: DIFF_TIMEOUT_MS, maxEditLength: DIFF_MAX_EDIT_LENGTH });
  if (!patch) return { inside: [], outside: [], files: [] };
  const lineAt = (offset: number) => regenerated.slice(0, offset).split("\n").length;
  const ranges: { name: string; from: number; to: number }[] = [];
  for (const [name, text] of macros) {
    if (text.length < 200) continue;
    const at = regenerated.indexOf(text);
    if (at >= 0) ranges.push({ name, from: lineAt(at), to: lineAt(at + text.length) });
  }
  const inside: StructuredPatchHunk[] = [];
  const outside: StructuredPatchHunk[] = [];
  const used = new Set<string>();
  for (const h of patch.hunks) {
    let line = h.oldStart;
    let ok = true;
    const hit = new Set<string>();
    for (const l of h.lines) {
      if (l.startsWith("+") || l.startsWith("-")) {
        const r = ranges.find((x) => line >= x.from && line <= x.to);
        if (!r) ok = false;
        else hit.add(r.name);
      }
      if (!l.startsWith("+") && !l.startsWith("\\")) line++;
    }
    if (ok && hit.size) {
      inside.push(h);
      for (const n of hit) used.add(n);
    } else outside.push(h);
  }
  return { inside, outside, files: [...used].sort() };
}

function cmpVersion(a: string, b: string): number {
  const x = a.split(".").map(Number);
  const y = b.split(".").map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
}

/** The JSON form for the audit result. */
export function regenerationJson(r: RegenerationReport): RegenerationJson {
  const files = [...r.files.values()].map(({ tarballOnly: _t, ...f }) => f);
  const reproduced = files.filter((f) => f.status === "reproduced").length;
  return {
    summary: `${reproduced} of ${files.length} generated files reproduced from the tag`,
    reproduced,
    total: files.length,
    files,
    steps: r.steps,
    missingTools: r.missingTools,
  };
}
