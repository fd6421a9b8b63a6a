import type { AuditContext } from "../context.js";
import type { TarEntry } from "../types.js";
import { checkHelper, checkM4, isTrackedHelper, type ProvenanceResult } from "../provenance/index.js";
import { posix } from "node:path";

export interface ProvenanceCheck {
  path: string;
  entry: TarEntry;
  result: ProvenanceResult;
  /** The tarball's copy is byte-identical to git's. */
  inGit: boolean;
}

const cache = new WeakMap<AuditContext, Promise<ProvenanceCheck[]>>();

/**
 * Provenance of every m4 macro and autotools helper script in the tarball, computed once per
 * audit and shared by the m4-* and helper-script rules. Files identical to git are included
 * (a doctored macro committed to git is still a doctored macro), flagged with inGit.
 */
export function provenanceChecks(ctx: AuditContext): Promise<ProvenanceCheck[]> {
  let p = cache.get(ctx);
  if (!p) {
    p = (async () => {
      const out: ProvenanceCheck[] = [];
      for (const [path, entry] of ctx.tar) {
        if (entry.type !== "file" || entry.unsafe) continue;
        const base = posix.basename(path);
        const m4 = base.endsWith(".m4") && base !== "aclocal.m4" && base !== "acinclude.m4" && base !== "configure.m4";
        if (!m4 && !isTrackedHelper(base)) continue;
        const text = await ctx.fileText(path);
        if (text === null) continue;
        const result = m4 ? checkM4(base, text) : checkHelper(base, text);
        if (result) out.push({ path, entry, result, inGit: ctx.tree.get(path)?.oid === entry.oid });
      }
      return out;
    })();
    cache.set(ctx, p);
  }
  return p;
}

/** Provenance of one tarball path (m4 macro or tracked helper), or undefined. */
export async function provenanceOf(ctx: AuditContext, path: string): Promise<ProvenanceCheck | undefined> {
  return (await provenanceChecks(ctx)).find((c) => c.path === path);
}
