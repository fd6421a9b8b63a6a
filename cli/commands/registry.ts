import { writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import type { Argv } from "yargs";
import cliProgress from "cli-progress";
import { runDeps, renderDeps, DEPS_FORMATS, type DepsFormat } from "../../src/deps/index.js";
import type { FailOn } from "../../src/deps/run.js";

const FAIL_ON = ["high", "medium", "low", "info", "none"] as const;

/** Options every registry-driven command shares. */
const common = <T>(y: Argv<T>) =>
  y
    .option("mirror-dir", { type: "string", describe: "resolve owner/name to a local bare mirror DIR/owner+name or DIR/owner/name.git (no network for git)" })
    .option("cache-dir", { type: "string", describe: "where cloned repositories are kept (default $XDG_CACHE_HOME/distvet)" })
    .option("registry", { type: "string", describe: "npm registry URL (default https://registry.npmjs.org)" })
    .option("jobs", { alias: "j", type: "number", default: Math.min(4, availableParallelism()), describe: "packages audited at once" })
    .option("fail-on", { choices: FAIL_ON, default: "medium" as FailOn, describe: "exit 1 when a package has a finding at or above this severity" })
    .option("git-backend", { choices: ["auto", "cli", "isomorphic-git"] as const, default: "auto" as const, describe: "how to read git" })
    .option("progress", { type: "boolean", default: true, describe: "progress bar on a terminal (--no-progress to hide)" });

/** Register the registry-driven commands (deps, …) on the main parser. */
export function registerRegistryCommands(parser: Argv): Argv {
  return parser.command(
    "deps [lockfile]",
    "audit every package version a lockfile adds (package-lock.json, pnpm-lock.yaml, yarn.lock, Cargo.lock)",
    (y) =>
      common(
        y
          .positional("lockfile", { type: "string", default: "package-lock.json", describe: "the lockfile to audit" })
          .option("base", { type: "string", describe: "only package versions new since the lockfile at this git ref" })
          .option("old", { type: "string", describe: "only package versions not in this older lockfile" })
          .option("format", { choices: DEPS_FORMATS, default: "text" as DepsFormat, describe: "report format" })
          .option("output", { alias: "o", type: "string", describe: "write the report to this file instead of stdout" })
          .conflicts("base", "old"),
      ),
    async (argv) => {
      const bar = argv.progress && process.stderr.isTTY === true ? new cliProgress.SingleBar({ format: "auditing [{bar}] {value}/{total} packages | {rate}/min | ETA {eta_formatted}", clearOnComplete: true, stream: process.stderr }, cliProgress.Presets.shades_classic) : null;
      const started = Date.now();
      const report = await runDeps({
        lockfile: argv.lockfile,
        ...(argv.base ? { base: argv.base } : {}),
        ...(argv.old ? { old: argv.old } : {}),
        ...(argv.mirrorDir ? { mirrorDir: argv.mirrorDir } : {}),
        ...(argv.cacheDir ? { cacheDir: argv.cacheDir } : {}),
        ...(argv.registry ? { registries: { npm: argv.registry } } : {}),
        jobs: argv.jobs,
        failOn: argv.failOn,
        gitBackend: argv.gitBackend,
        onDone: (_row, done, total) => {
          if (!bar) return;
          if (done === 1) bar.start(total, 0, { rate: "0" });
          bar.update(done, { rate: (done / ((Date.now() - started) / 60_000)).toFixed(1) });
        },
      }).finally(() => bar?.stop());
      const text = renderDeps(report, argv.format);
      if (argv.output) writeFileSync(argv.output, text);
      else process.stdout.write(text);
      process.exitCode = report.exit;
    },
  );
}
