#!/usr/bin/env node
import yargs, { type Argv } from "yargs";
import { hideBin } from "yargs/helpers";
import { isDistvetError } from "../src/errors.js";
import { VERSION } from "../src/version.js";
import { COMMANDS } from "./commands/index.js";
import { registerRegistryCommands } from "./commands/registry.js";
import type { GlobalOptions } from "./commands/global.js";
import { fail } from "./fail.js";
import { guardPending } from "./guard.js";

async function main(argv: string[]): Promise<void> {
  let parser = yargs(argv)
    .scriptName("distvet")
    .usage("$0 <command> [options]\n\nAudit a release tarball against the git tag it claims to come from.")
    .option("color", { type: "boolean", describe: "colour the text report (default: on a terminal, off with NO_COLOR; --no-color to disable)" })
    .option("quiet", { alias: "q", type: "boolean", describe: "print only the report and errors (no notes, no progress)" }) as unknown as Argv<GlobalOptions>;
  for (const c of COMMANDS) parser = parser.command(c);
  parser = registerRegistryCommands(parser as unknown as Argv) as unknown as Argv<GlobalOptions>;
  await parser
    .demandCommand(1, `name a command: ${COMMANDS.map((c) => String(c.command).split(" ")[0]).join(", ")}`)
    .strict()
    .version("version", "show the version", VERSION)
    .alias("version", "V")
    .help("help", "show this help")
    .alias("help", "h")
    .epilogue("Exit status: 0 clean, 1 findings at or above --fail-on, 2 error.\nDocs: https://github.com/distvet/distvet#readme")
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((msg: string, err: Error | undefined) => {
      if (err) throw err;
      fail(`${msg.replace(/\s*\n\s*/g, " ")} (see distvet --help)`);
    })
    .parseAsync();
}

// A reader that stops early (`distvet … | head`) is not an error of the audit.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
  fail(`cannot write the report: ${e.message}`);
});

guardPending(main(hideBin(process.argv)), "command").catch((err: unknown) => {
  if (isDistvetError(err)) fail(err.message);
  if (process.env.DISTVET_DEBUG) process.stderr.write(`${(err as Error)?.stack ?? err}\n`);
  fail(`unexpected failure: ${(err as Error)?.message ?? String(err)} (set DISTVET_DEBUG=1 for details)`);
});
