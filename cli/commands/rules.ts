import type { CommandModule } from "yargs";
import { RULES } from "../../src/rules/registry.js";
import { docsUrl } from "../../src/report/common.js";
import type { GlobalOptions } from "./global.js";

export const rulesCommand: CommandModule<GlobalOptions, GlobalOptions & { format: "text" | "json" }> = {
  command: "rules",
  describe: "list the rules with id, severity and title",
  builder: (y) => y.option("format", { alias: "f", choices: ["text", "json"] as const, default: "text" as const }),
  handler: (argv) => {
    const rows = RULES.map((r) => ({ id: r.id, severity: r.severity, title: r.title, docs: `docs/rules/${r.id}.md`, url: docsUrl(r.id) }));
    if (argv.format === "json") process.stdout.write(JSON.stringify(rows, null, 2) + "\n");
    else for (const r of rows) process.stdout.write(`${r.id.padEnd(32)} ${r.severity.padEnd(7)} ${r.title}\n`);
  },
};
