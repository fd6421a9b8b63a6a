import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);
const PLACEHOLDER = /\$Format:([^$\n]*)\$/g;

/**
 * Reproduce what `git archive` writes for a file with the export-subst attribute: every
 * `$Format:FMT$` placeholder replaced by `git log -1 --format=FMT <commit>` for the tag's real
 * commit. Null when git cannot be run (the expansion then cannot be reproduced).
 */
export async function expandExportSubst(gitdir: string, commit: string, text: string): Promise<string | null> {
  const formats = [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]!))];
  const expanded = new Map<string, string>();
  try {
    for (const fmt of formats) {
      const { stdout } = await run("git", ["--git-dir", gitdir, "-c", "log.showSignature=false", "log", "-1", `--format=${fmt}`, commit, "--"], {
        encoding: "utf8",
        maxBuffer: 1024 * 1024,
      });
      expanded.set(fmt, stdout.endsWith("\n") ? stdout.slice(0, -1) : stdout);
    }
  } catch {
    return null;
  }
  return text.replace(PLACEHOLDER, (_all, fmt: string) => expanded.get(fmt) ?? "");
}
