import { existsSync, writeFileSync } from "node:fs";
import type { CommandModule } from "yargs";
import { starterConfig } from "../../src/config.js";
import { DistvetError } from "../../src/errors.js";
import type { GlobalOptions } from "./global.js";

export const initCommand: CommandModule<GlobalOptions, GlobalOptions & { file: string; force: boolean }> = {
  command: "init",
  describe: "write a starter config (distvet.config.json) in the current directory",
  builder: (y) =>
    y
      .option("file", { type: "string", default: "distvet.config.json", describe: "where to write it" })
      .option("force", { type: "boolean", default: false, describe: "overwrite an existing file" }),
  handler: (argv) => {
    if (existsSync(argv.file) && !argv.force) throw new DistvetError("E_BAD_ARGUMENT", `${argv.file} already exists (use --force to overwrite it)`);
    writeFileSync(argv.file, starterConfig());
    if (!argv.quiet) process.stderr.write(`distvet: wrote ${argv.file}; add reviewed findings under "allow", each with a reason\n`);
  },
};
