import type { CommandModule } from "yargs";
import type { GlobalOptions } from "./global.js";
import { auditCommand } from "./audit.js";
import { rulesCommand } from "./rules.js";
import { initCommand } from "./init.js";

/** Every command, one module each; add new ones here. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const COMMANDS: CommandModule<GlobalOptions, any>[] = [auditCommand, rulesCommand, initCommand];
