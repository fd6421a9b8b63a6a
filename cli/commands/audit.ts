import { accessSync, closeSync, constants, existsSync, openSync, statSync, writeFileSync } from "node:fs";
import { once } from "node:events";
import { dirname, resolve } from "node:path";
import type { Argv, CommandModule } from "yargs";
import cliProgress from "cli-progress";
import { audit as realAudit, type AuditOptions } from "../../src/audit.js";
import type { AuditResult } from "../../src/types.js";
import { FORMATS, render, renderJsonChunks, type Format } from "../../src/report/index.js";
import { discoverConfig, loadConfig, unusedAllowEntries, type Config } from "../../src/config.js";
import { DistvetError } from "../../src/errors.js";
import { RULES } from "../../src/rules/registry.js";
import { exitCodeFor, type FailOn } from "../exit-code.js";
import { guardPending } from "../guard.js";
import { ruleCatalogue } from "../catalogue.js";
import { auditSpec, isSpec, parseRegistryOption } from "../../src/spec.js";
import { parseSubmoduleOptions } from "../../src/git/submodules.js";
import type { GlobalOptions } from "./global.js";

const FAIL_ON = ["high", "medium", "low", "info", "none"] as const;

export interface AuditArgs extends GlobalOptions {
  tarball: string;
  repo?: string;
  ref?: string;
  subdir?: string;
  sha256?: string;
  signature?: string;
  keyring?: string;
  previousRef?: string;
  submodule?: string[];
  format: Format;
  output?: string;
  failOn?: FailOn;
  /** A path, or false for --no-config. */
  config?: string | false;
  summary?: boolean;
  progress: boolean;
  verbose: boolean;
  strict: boolean;
  gitBackend: "auto" | "cli" | "isomorphic-git";
  regenerate?: boolean;
  regenerateUnsandboxed?: boolean;
  regenerateTimeout?: number;
  toolchain?: string;
  cacheDir?: string;
  mirrorDir?: string;
  registry?: string;
}

export interface AuditDeps {
  audit: (opts: AuditOptions) => Promise<AuditResult>;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

const bad = (message: string): DistvetError => new DistvetError("E_BAD_ARGUMENT", message);

/** Checks that need no audit: done first, so a typo costs no time. */
export function checkArguments(argv: Pick<AuditArgs, "sha256" | "output" | "summary" | "format">): void {
  if (argv.sha256 !== undefined && !/^[0-9a-fA-F]{64}$/.test(argv.sha256)) {
    throw bad(`--sha256 must be 64 hexadecimal characters (a SHA-256 digest), got '${argv.sha256}'`);
  }
  if (argv.summary && argv.format !== "markdown") throw bad("--summary is for --format markdown");
  if (argv.output !== undefined) {
    const out = resolve(argv.output);
    const dir = dirname(out);
    if (!existsSync(dir)) throw bad(`cannot write the report to ${argv.output}: directory ${dir} does not exist`);
    if (!statSync(dir).isDirectory()) throw bad(`cannot write the report to ${argv.output}: ${dir} is not a directory`);
    if (existsSync(out) && statSync(out).isDirectory()) throw bad(`cannot write the report to ${argv.output}: it is a directory`);
    try {
      accessSync(existsSync(out) ? out : dir, constants.W_OK);
    } catch {
      throw bad(`cannot write the report to ${argv.output}: permission denied`);
    }
  }
}

function readConfig(argv: AuditArgs, cwd: string): Config | undefined {
  const ids = RULES.map((r) => r.id);
  if (argv.config === false) return undefined;
  if (argv.config === "") throw bad("--config needs a file name");
  if (typeof argv.config === "string") return loadConfig(argv.config, ids);
  return discoverConfig(cwd, ids);
}

/** Colour only for a terminal, unless --color/--no-color or NO_COLOR/FORCE_COLOR say otherwise. */
export function useColor(argv: Pick<AuditArgs, "color" | "output">, env: NodeJS.ProcessEnv, isTTY: boolean): boolean {
  if (argv.color !== undefined) return argv.color;
  if (argv.output) return false;
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR && env.FORCE_COLOR !== "0") return true;
  return isTTY;
}

/** A progress bar only on a terminal, never in CI (CI set to anything), with --quiet or --no-progress. */
export function progressWanted(argv: Pick<AuditArgs, "progress" | "quiet">, env: NodeJS.ProcessEnv, stderrIsTTY: boolean): boolean {
  return argv.progress && !argv.quiet && stderrIsTTY && env.CI === undefined;
}

export async function runAudit(argv: AuditArgs, deps: AuditDeps = { audit: realAudit, cwd: process.cwd(), env: process.env }): Promise<number> {
  checkArguments(argv);
  const config = readConfig(argv, deps.cwd);
  const note = (m: string): void => {
    if (!argv.quiet) process.stderr.write(`distvet: ${m}\n`);
  };
  if (config?.source) note(`using config ${config.source} (${config.allow.length} allow ${config.allow.length === 1 ? "entry" : "entries"})`);
  const failOn: FailOn = argv.failOn ?? config?.failOn ?? "medium";
  const showProgress = progressWanted(argv, deps.env, process.stderr.isTTY === true);
  const bar = showProgress
    ? new cliProgress.SingleBar({ format: "reading tarball [{bar}] {percentage}% {value}/{total} MB", clearOnComplete: true, hideCursor: true, stream: process.stderr }, cliProgress.Presets.shades_classic)
    : null;
  let started = false;
  const allow = config?.allow ?? [];
  // A registry spec (npm:name@version, crate:, pypi:, deb:) resolves tarball, checksum, repository and commit first.
  const auditOne = isSpec(argv.tarball) && deps.audit === realAudit
    ? (o: AuditOptions) =>
        auditSpec(argv.tarball, {
          ...o,
          ...(argv.mirrorDir ? { mirrorDir: argv.mirrorDir } : {}),
          ...(argv.registry ? { registries: parseRegistryOption(argv.registry) } : {}),
        })
    : deps.audit;
  const run = auditOne({
    tarball: argv.tarball,
    ...(argv.cacheDir ? { cacheDir: argv.cacheDir } : {}),
    ...(argv.repo ? { repo: argv.repo } : {}),
    ...(argv.ref ? { ref: argv.ref } : {}),
    ...(argv.subdir ? { subdir: argv.subdir } : {}),
    ...(argv.sha256 ? { sha256: argv.sha256.toLowerCase() } : {}),
    ...(argv.signature ? { signature: argv.signature } : {}),
    ...(argv.keyring ? { keyring: argv.keyring } : {}),
    ...(argv.previousRef ? { previousRef: argv.previousRef } : {}),
    ...(argv.submodule?.length ? { submodules: parseSubmoduleOptions(argv.submodule) } : {}),
    gitBackend: argv.gitBackend,
    strict: argv.strict,
    ...(argv.regenerate || argv.regenerateUnsandboxed
      ? {
          regenerate: {
            ...(argv.regenerateUnsandboxed ? { unsandboxed: true } : {}),
            ...(argv.regenerateTimeout ? { timeoutSeconds: argv.regenerateTimeout } : {}),
            ...(argv.toolchain ? { toolchainDir: argv.toolchain } : {}),
            ...(argv.cacheDir ? { cacheDir: argv.cacheDir } : {}),
          },
        }
      : {}),
    allow,
    onNote: note,
    ...(bar
      ? {
          onProgress: (done: number, total: number) => {
            const mb = (n: number) => Math.round(n / 1e5) / 10;
            if (!started) {
              bar.start(mb(total), 0);
              started = true;
            }
            bar.update(mb(done));
          },
        }
      : {}),
  });
  const result = await guardPending(run, "audit").finally(() => bar?.stop());
  for (const { index, entry } of unusedAllowEntries(allow, result.allowed ?? [])) {
    note(`warning: allow[${index}] (rule ${entry.rule}, path ${entry.path}) matched no finding; remove it or fix the rule or path`);
  }
  // The JSON report is written piece by piece: a million changes are never one string in memory.
  const chunks: Iterable<string> =
    argv.format === "json"
      ? renderJsonChunks(result)
      : [
          render(result, argv.format, {
            color: useColor(argv, deps.env, process.stdout.isTTY === true),
            verbose: argv.verbose,
            catalogue: ruleCatalogue(),
            ...(argv.summary ? { summary: true } : {}),
          }),
        ];
  if (argv.output) {
    let fd: number | undefined;
    try {
      fd = openSync(argv.output, "w");
      for (const c of chunks) writeFileSync(fd, c);
    } catch (e) {
      throw bad(`cannot write the report to ${argv.output}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  } else {
    for (const c of chunks) if (!process.stdout.write(c)) await once(process.stdout, "drain");
  }
  return exitCodeFor(result, failOn);
}

export const auditCommand: CommandModule<GlobalOptions, AuditArgs> = {
  command: "audit <tarball>",
  describe: "compare a release tarball (file or URL) with its git tag",
  builder: (y: Argv<GlobalOptions>) =>
    y
      .positional("tarball", { type: "string", demandOption: true, describe: "release tarball: path or http(s) URL" })
      .option("repo", { type: "string", describe: "git working tree, bare repository or URL (default: current directory)" })
      .option("ref", { type: "string", describe: "tag, branch or commit (default: guessed from the tarball name)" })
      .option("subdir", { type: "string", describe: "the tarball was cut from this subdirectory of the repository" })
      .option("sha256", { type: "string", describe: "expected sha256 of the tarball (64 hex digits); a mismatch is an error" })
      .option("signature", { type: "string", describe: "detached OpenPGP signature (.asc/.sig, path or URL) to verify first" })
      .option("keyring", { type: "string", describe: "keyring with the project's release key, for --signature (gpgv)" })
      .option("previous-ref", { type: "string", describe: "previous release, for test-fixture history (default: the nearest lower tag)" })
      .option("submodule", {
        type: "string",
        array: true,
        describe: "PATH=REPO: a clone (or URL) of the submodule at PATH; tarball files copied from it at the commit the tag pins are verified (gnulib: --submodule gnulib=<gnulib clone>)",
      })
      .option("format", { alias: "f", choices: FORMATS, default: "text" as Format, describe: "report format" })
      .option("output", { alias: "o", type: "string", describe: "write the report to this file instead of stdout" })
      .option("summary", { type: "boolean", describe: "with --format markdown: a short summary for $GITHUB_STEP_SUMMARY" })
      .option("fail-on", { choices: FAIL_ON, describe: "exit 1 when a finding is at or above this severity (default: medium)" })
      .option("config", {
        alias: "c",
        type: "string",
        describe: "config file (default: distvet.config.json, .distvetrc.json or package.json#distvet in the current directory; --no-config for none)",
      })
      .option("progress", { type: "boolean", default: true, describe: "progress bar on a terminal; never when CI is set (--no-progress to hide)" })
      .option("regenerate", { type: "boolean", describe: "rebuild generated files (configure, Makefile.in, macros, parsers, .gmo) from the tag in a bubblewrap sandbox and compare" })
      .option("regenerate-unsandboxed", { type: "boolean", describe: "like --regenerate, but run the generators without a sandbox (no bwrap)" })
      .option("regenerate-timeout", { type: "number", describe: "seconds each regeneration step may run (default 300)" })
      .option("toolchain", { type: "string", describe: "directory (or prefix with bin/) searched first for autoconf, automake, libtool, … versions" })
      .option("cache-dir", { type: "string", describe: "cache for cloned repositories and regeneration results (default $XDG_CACHE_HOME/distvet)" })
      .option("mirror-dir", { type: "string", describe: "for registry specs: resolve owner/name to a local bare mirror DIR/owner+name or DIR/owner/name.git" })
      .option("registry", { type: "string", describe: "registry URLs for specs: a URL (npm) or npm=URL,pypi=URL,crates=URL,crates-index=URL,deb=URL" })
      .option("strict", { type: "boolean", default: false, describe: "summarise files recognised by kind but not proven (unverified) at medium, not low" })
      .option("verbose", { alias: "v", type: "boolean", default: false, describe: "expand grouped findings; list info findings and explained differences" })
      .option("git-backend", { choices: ["auto", "cli", "isomorphic-git"] as const, default: "auto" as const, describe: "how to read git" }) as unknown as Argv<AuditArgs>,
  handler: async (argv) => {
    process.exitCode = await runAudit(argv);
  },
};
