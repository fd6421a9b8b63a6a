import { existsSync, writeFileSync } from "node:fs";
import { DistvetError } from "../../src/errors.js";
import { loadConfig } from "../../src/config.js";
import { availableParallelism } from "node:os";
import type { Argv } from "yargs";
import cliProgress from "cli-progress";
import { runDeps, renderDeps, DEPS_FORMATS, type DepsFormat } from "../../src/deps/index.js";
import { parseRegistryOption } from "../../src/spec.js";
import type { FailOn } from "../../src/deps/run.js";
import { runBatch, BatchStore, type BatchOptions, type BatchSummary } from "../../src/batch/index.js";
import { renderResults, RESULT_FORMATS, type ResultFormat } from "../../src/batch/export.js";
import type { JobStatus } from "../../src/batch/store.js";

const FAIL_ON = ["high", "medium", "low", "info", "none"] as const;

/** Options every registry-driven command shares. */
const common = <T>(y: Argv<T>) =>
  y
    .option("mirror-dir", { type: "string", describe: "resolve owner/name to a local bare mirror DIR/owner+name or DIR/owner/name.git (no network for git)" })
    .option("cache-dir", { type: "string", describe: "where cloned repositories are kept (default $XDG_CACHE_HOME/distvet)" })
    .option("registry", { type: "string", describe: "registry URLs: a URL (npm) or npm=URL,pypi=URL,crates=URL,crates-index=URL,deb=URL" })
    .option("jobs", { alias: "j", type: "number", default: Math.min(4, availableParallelism()), describe: "packages audited at once" })
    .option("fail-on", { choices: FAIL_ON, describe: "exit 1 when a package has a finding at or above this severity (default: medium)" })
    .option("git-backend", { choices: ["auto", "cli", "isomorphic-git"] as const, default: "auto" as const, describe: "how to read git" })
    .option("progress", { type: "boolean", default: true, describe: "progress bar on a terminal (--no-progress to hide)" });

/** Register the registry-driven commands (deps, batch, results, …) on the main parser. */
export function registerRegistryCommands(parser: Argv): Argv {
  return parser
    .command(
      "batch <list>",
      "audit a list of tarballs/specs (or a Debian Sources file) on a worker pool, into a resumable SQLite store",
      (y) =>
        y
          .positional("list", { type: "string", demandOption: true, describe: "one job per line: <tarball path, URL or spec> [<repo>] [<ref>]; # comments" })
          .option("store", { type: "string", demandOption: true, describe: "SQLite file holding job status and results (created if absent; reused to resume)" })
          .option("workers", { alias: "w", type: "number", default: availableParallelism(), describe: "worker processes" })
          .option("retry-errors", { type: "boolean", default: false, describe: "run jobs that ended in an error again" })
          .option("mirror-dir", { type: "string", describe: "resolve owner/name to a local bare mirror (for specs)" })
          .option("cache-dir", { type: "string", describe: "where cloned repositories are kept" })
          .option("registry", { type: "string", describe: "registry URLs: a URL (npm) or npm=URL,pypi=URL,crates=URL,crates-index=URL,deb=URL" })
          .option("git-backend", { choices: ["auto", "cli", "isomorphic-git"] as const, default: "auto" as const })
          .option("progress", { type: "boolean", default: true, describe: "progress bar on a terminal" })
          .option("queue", { type: "string", describe: "redis://host:port: enqueue on BullMQ for `distvet worker` processes instead of a local pool" })
          .option("queue-name", { type: "string", default: "distvet", describe: "BullMQ queue name" }),
      async (argv) => {
        const bar = argv.progress && process.stderr.isTTY === true ? new cliProgress.SingleBar({ format: "batch [{bar}] {value}/{total} jobs | {errors} errors | {rate}/min | ETA {eta_formatted}", clearOnComplete: true, stream: process.stderr }, cliProgress.Presets.shades_classic) : null;
        const started = Date.now();
        let errors = 0;
        const opts: BatchOptions = {
          list: argv.list,
          store: argv.store,
          workers: argv.workers,
          retryErrors: argv.retryErrors,
          ...(argv.mirrorDir ? { mirrorDir: argv.mirrorDir } : {}),
          ...(argv.cacheDir ? { cacheDir: argv.cacheDir } : {}),
          ...(argv.registry ? { registry: argv.registry } : {}),
          gitBackend: argv.gitBackend,
          onProgress: (done, total, _job, outcome) => {
            if (!outcome.ok) errors++;
            if (!bar) return;
            if (done === 1) bar.start(total, 0, { errors: 0, rate: "0" });
            bar.update(done, { errors, rate: (done / ((Date.now() - started) / 60_000)).toFixed(1) });
          },
        };
        let s: BatchSummary;
        if (argv.queue) {
          const { runQueuedBatch } = await import("../../src/batch/queue.js");
          const abort = new AbortController();
          process.once("SIGTERM", () => abort.abort());
          s = await runQueuedBatch({ ...opts, queue: { url: argv.queue, name: argv.queueName }, signal: abort.signal }).finally(() => bar?.stop());
        } else s = await runBatch(opts).finally(() => bar?.stop());
        process.stderr.write(`distvet: ${s.total} jobs: ${s.skipped} already in the store, ${s.ran} run; ${s.done} done, ${s.errors} with an error (distvet results --store ${argv.store})\n`);
        process.exitCode = s.errors ? 2 : 0;
      },
    )
    .command(
      "worker",
      "consume batch jobs from a BullMQ queue (run any number, on any machine)",
      (y) =>
        y
          .option("queue", { type: "string", demandOption: true, describe: "redis://host:port of the queue" })
          .option("queue-name", { type: "string", default: "distvet", describe: "BullMQ queue name" })
          .option("concurrency", { type: "number", default: 1, describe: "jobs run at once in this process" })
          .option("lock-ms", { type: "number", default: 30_000, describe: "a worker silent this long is presumed dead and its job handed on" }),
      async (argv) => {
        const { runWorker } = await import("../../src/batch/queue.js");
        const worker = await runWorker({ queue: { url: argv.queue, name: argv.queueName }, concurrency: argv.concurrency, lockMs: argv.lockMs, onEvent: (m) => process.stderr.write(`distvet worker: ${m}\n`) });
        await new Promise<void>((resolve) => worker.on("closed", () => resolve()));
      },
    )
    .command(
      "results",
      "export what a batch store holds",
      (y) =>
        y
          .option("store", { type: "string", demandOption: true, describe: "the SQLite store written by distvet batch" })
          .option("format", { choices: RESULT_FORMATS, default: "markdown" as ResultFormat })
          .option("status", { choices: ["pending", "running", "done", "error"] as const, describe: "only jobs with this status" })
          .option("output", { alias: "o", type: "string", describe: "write to this file instead of stdout" }),
      (argv) => {
        if (!existsSync(argv.store)) throw new DistvetError("E_BAD_ARGUMENT", `no batch store at ${argv.store}`);
        const store = new BatchStore(argv.store);
        try {
          const text = renderResults(store.rows(argv.status as JobStatus | undefined), argv.format);
          if (argv.output) writeFileSync(argv.output, text);
          else process.stdout.write(text);
        } finally {
          store.close();
        }
      },
    )
    .command(
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
          .option("config", { type: "string", describe: "JSON config with failOn and reviewed allow entries (paths of registry findings are specs, e.g. npm:ms@2.1.3)" })
          .conflicts("base", "old"),
      ),
    async (argv) => {
      const bar = argv.progress && process.stderr.isTTY === true ? new cliProgress.SingleBar({ format: "auditing [{bar}] {value}/{total} packages | {rate}/min | ETA {eta_formatted}", clearOnComplete: true, stream: process.stderr }, cliProgress.Presets.shades_classic) : null;
      const started = Date.now();
      const config = argv.config ? loadConfig(argv.config) : { allow: [] };
      const report = await runDeps({
        allow: config.allow,
        lockfile: argv.lockfile,
        ...(argv.base ? { base: argv.base } : {}),
        ...(argv.old ? { old: argv.old } : {}),
        ...(argv.mirrorDir ? { mirrorDir: argv.mirrorDir } : {}),
        ...(argv.cacheDir ? { cacheDir: argv.cacheDir } : {}),
        ...(argv.registry ? { registries: parseRegistryOption(argv.registry) } : {}),
        jobs: argv.jobs,
        failOn: (argv.failOn as FailOn | undefined) ?? config.failOn ?? "medium",
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
