import type { Change } from "../types.js";
import type { AuditContext } from "../context.js";
import { isBinary } from "../content/classify.js";
import { isBuildScript, isSource } from "../content/kinds.js";
import { compiledKind } from "../analysis/compiled.js";

export type Role = "build-script" | "source" | "compiled" | "binary" | "other";

/**
 * Which rule family speaks for a changed tarball file. Build scripts and sources are known by
 * path (and shebang); binaries by content only. An entry whose bytes were too large to keep
 * is judged from its head.
 */
export function roleOf(change: Change, ctx: AuditContext): Role {
  const sample = ctx.tarSample(change.path);
  if (sample && compiledKind(change.path, sample)) return "compiled";
  if (isBuildScript(change.path)) return "build-script";
  if (sample && isBinary(sample)) return "binary";
  if (isSource(change.path, sample ?? undefined)) return "source";
  if (change.tarball && (change.tarball.mode & 0o111) !== 0 && sample && !isBinary(sample)) return "source";
  return "other";
}

/** Unexplained added/modified tarball files (regular files) in the given role. */
export function unexplained(ctx: AuditContext, kind: "added" | "modified", role: Role): Change[] {
  return ctx.changes.filter(
    (c) => c.kind === kind && !c.explainedBy && c.tarball?.type === "file" && !c.tarball.unsafe && roleOf(c, ctx) === role,
  );
}

/** Proven by evidence the tarball's author cannot forge (git bytes, known copy, reproduction, regeneration). */
export const isVerified = (c: Change): boolean => c.explainedBy?.trust === "verified";
