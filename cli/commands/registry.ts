import type { Argv } from "yargs";

/** Register the registry-driven commands (deps, batch, worker, results) on the main parser. */
export function registerRegistryCommands(parser: Argv): Argv {
  return parser;
}
