#!/usr/bin/env node
import { writeFileSync } from "node:fs";
import yargs from "yargs";
import { hideBin } from "yargs/helpers";
import cliProgress from "cli-progress";
import { audit } from "../src/audit.js";
import { RULES } from "../src/rules/registry.js";
import { FORMATS, render, type Format } from "../src/report/index.js";
import { isDistvetError } from "../src/errors.js";
import { loadConfig } from "../src/config.js";
import { VERSION } from "../src/version.js";
import { auditSpec, isSpec, parseRegistryOption } from "../src/spec.js";
import { registerRegistryCommands } from "./commands/registry.js";
import { EXIT_ERROR, exitCodeFor, type FailOn } from "./exit-code.js";

const FAIL_ON = ["high", "medium", "low", "info", "none"] as const;

function fail(message: string): never {
  process.stderr.write(`distvet: error: ${message}\n`);
  process.exit(EXIT_ERROR);
}

async function runAudit(argv: {
  tarball: string;
  repo?: string;
  ref?: string;
  subdir?: string;
  sha256?: string;
  signature?: string;
  keyring?: string;
  previousRef?: string;
  format: Format;
  output?: string;
  failOn?: FailOn;
  config?: string;
  progress: boolean;
  verbose: boolean;
  gitBackend: "auto" | "cli" | "isomorphic-git";
  mirrorDir?: string;
  cacheDir?: string;
  registry?: string;
}): Promise<number> {
  const config = argv.config ? loadConfig(argv.config) : { allow: [] };
  const failOn: FailOn = argv.failOn ?? config.failOn ?? "medium";
  const showProgress = argv.progress && process.stderr.isTTY === true;
  const bar = showProgress
    ? new cliProgress.SingleBar({ format: "reading tarball [{bar}] {percentage}% {value}/{total} MB", clearOnComplete: true, hideCursor: true, stream: process.stderr }, cliProgress.Presets.shades_classic)
    : null;
  let started = false;
  const run = isSpec(argv.tarball)
    ? (o: Parameters<typeof audit>[0]) =>
        auditSpec(argv.tarball, {
          ...o,
          ...(argv.mirrorDir ? { mirrorDir: argv.mirrorDir } : {}),
          ...(argv.cacheDir ? { cacheDir: argv.cacheDir } : {}),
          ...(argv.registry ? { registries: parseRegistryOption(argv.registry) } : {}),
        })
    : (o: Parameters<typeof audit>[0]) => audit({ ...o, ...(argv.cacheDir ? { cacheDir: argv.cacheDir } : {}) });
  const result = await run({
    tarball: argv.tarball,
    ...(argv.repo ? { repo: argv.repo } : {}),
    ...(argv.ref ? { ref: argv.ref } : {}),
    ...(argv.subdir ? { subdir: argv.subdir } : {}),
    ...(argv.sha256 ? { sha256: argv.sha256 } : {}),
    ...(argv.signature ? { signature: argv.signature } : {}),
    ...(argv.keyring ? { keyring: argv.keyring } : {}),
    ...(argv.previousRef ? { previousRef: argv.previousRef } : {}),
    gitBackend: argv.gitBackend,
    allow: config.allow,
    onNote: (m) => process.stderr.write(`distvet: ${m}\n`),
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
  }).finally(() => bar?.stop());
  const text = render(result, argv.format, { color: !argv.output && process.stdout.isTTY === true, verbose: argv.verbose });
  if (argv.output) writeFileSync(argv.output, text);
  else process.stdout.write(text);
  return exitCodeFor(result, failOn);
}

async function main(): Promise<void> {
  const parser = yargs(hideBin(process.argv))
    .scriptName("distvet")
    .usage("$0 <command> [options]\n\nAudit a release tarball against the git tag it claims to come from.")
    .command(
      "audit <tarball>",
      "compare a release tarball (file or URL) with its git tag",
      (y) =>
        y
          .positional("tarball", { type: "string", demandOption: true, describe: "release tarball: path, http(s) URL or registry spec (npm:name@version)" })
          .option("mirror-dir", { type: "string", describe: "for specs: resolve owner/name to a local bare mirror DIR/owner+name or DIR/owner/name.git" })
          .option("cache-dir", { type: "string", describe: "where cloned repositories are kept (default $XDG_CACHE_HOME/distvet)" })
          .option("registry", { type: "string", describe: "registry URLs for specs: a URL (npm) or npm=URL,pypi=URL,crates=URL,crates-index=URL,deb=URL" })
          .option("repo", { type: "string", describe: "git working tree, bare repository or URL (default: current directory)" })
          .option("ref", { type: "string", describe: "tag, branch or commit (default: guessed from the tarball name)" })
          .option("subdir", { type: "string", describe: "the tarball was cut from this subdirectory of the repository" })
          .option("sha256", { type: "string", describe: "expected sha256 of the tarball; a mismatch is an error" })
          .option("signature", { type: "string", describe: "detached OpenPGP signature (.asc/.sig, path or URL) to verify first" })
          .option("keyring", { type: "string", describe: "keyring with the project's release key, for --signature (gpgv)" })
          .option("previous-ref", { type: "string", describe: "previous release, for test-fixture history (default: the nearest lower tag)" })
          .option("format", { choices: FORMATS, default: "text" as Format, describe: "report format" })
          .option("output", { alias: "o", type: "string", describe: "write the report to this file instead of stdout" })
          .option("fail-on", { choices: FAIL_ON, describe: "exit 1 when a finding is at or above this severity (default: medium)" })
          .option("config", { type: "string", describe: "JSON config with failOn and reviewed allow entries" })
          .option("progress", { type: "boolean", default: true, describe: "show a progress bar on a terminal (--no-progress to hide)" })
          .option("verbose", { alias: "v", type: "boolean", default: false, describe: "list info findings and explained differences in text output" })
          .option("git-backend", { choices: ["auto", "cli", "isomorphic-git"] as const, default: "auto" as const, describe: "how to read git" }),
      async (argv) => {
        process.exitCode = await runAudit({ ...argv, tarball: argv.tarball });
      },
    )
    .command(
      "rules",
      "list the rules with id, severity and title",
      (y) => y.option("format", { choices: ["text", "json"] as const, default: "text" as const }),
      (argv) => {
        const rows = RULES.map((r) => ({ id: r.id, severity: r.severity, title: r.title, docs: `docs/rules/${r.id}.md` }));
        if (argv.format === "json") process.stdout.write(JSON.stringify(rows, null, 2) + "\n");
        else for (const r of rows) process.stdout.write(`${r.id.padEnd(24)} ${r.severity.padEnd(7)} ${r.title}\n`);
      },
    )
    .demandCommand(1, "name a command: audit or rules")
    .strict()
    .version(VERSION)
    .help()
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((msg, err) => {
      if (err) throw err;
      fail(`${msg.replace(/\s*\n\s*/g, " ")} (see distvet --help)`);
    });
  registerRegistryCommands(parser);
  await parser.parseAsync();
}

main().catch((err: unknown) => {
  if (isDistvetError(err)) fail(err.message);
  if (process.env.DISTVET_DEBUG) process.stderr.write(`${(err as Error)?.stack ?? err}\n`);
  fail(`unexpected failure: ${(err as Error)?.message ?? String(err)} (set DISTVET_DEBUG=1 for details)`);
});
