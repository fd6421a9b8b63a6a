/**
 * Without --regenerate: how many generated files were accepted by kind only, and the exact command
 * that would rebuild them from the tag and compare.
 */
import type { Explanation } from "../types.js";

/** Kinds of unverified files that `--regenerate` rebuilds. */
const REGENERABLE_KINDS = new Set(["autotools-output", "parser-output", "gettext-infrastructure"]);

export interface RegenerateHint {
  /** Generated files recognised by kind only (not proven to come from the tag). */
  unverified: number;
  /** The command that rebuilds them from the tag in a sandbox and compares. */
  command: string;
}

/** Shell-quote a word when it needs it. */
const word = (s: string): string => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`);

export function regenerateHint(
  changes: Array<{ path: string; explainedBy?: Explanation }>,
  where: { tarball: string; repo: string; ref: string; subdir?: string },
): RegenerateHint | null {
  const n = changes.filter((c) => {
    const e = c.explainedBy;
    if (e?.trust !== "unverified") return false;
    const kind = e.kind ?? e.profile;
    return REGENERABLE_KINDS.has(kind) || (kind === "translations" && c.path.endsWith(".gmo"));
  }).length;
  if (!n) return null;
  const command = ["distvet", "audit", word(where.tarball), "--repo", word(where.repo), "--ref", word(where.ref), ...(where.subdir ? ["--subdir", word(where.subdir)] : []), "--regenerate"].join(" ");
  return { unverified: n, command };
}
