import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { tmp } from "./tmp.js";
import { makeRepo, makeTarball, type Files, type TarballSpec } from "../samples/lib/fixture.js";
import { audit, type AuditOptions } from "../src/audit.js";
import type { AuditResult, Finding } from "../src/types.js";

export { tmp };

export interface Scenario {
  git: Files;
  tarball: Files;
  tag?: string;
  tarballName?: string;
  root?: string;
  compression?: TarballSpec["compression"];
  rawMembers?: TarballSpec["rawMembers"];
  options?: Partial<AuditOptions>;
}

/**
 * Build a one-commit repo and a tarball from literals, audit them, return the result.
 * `@@COMMIT@@` in a tarball text file becomes the tagged commit's id (what export-subst writes).
 */
export async function runScenario(s: Scenario): Promise<AuditResult> {
  const dir = tmp();
  const tag = s.tag ?? "v1.0";
  const [commit] = makeRepo(join(dir, "repo"), [{ files: s.git, tag }]);
  const tarball = join(dir, s.tarballName ?? "pkg-1.0.tar.gz");
  const files = Object.fromEntries(Object.entries(s.tarball).map(([p, f]) => [p, typeof f === "string" ? f.replaceAll("@@COMMIT@@", commit!) : f]));
  await makeTarball(tarball, {
    root: s.root ?? "pkg-1.0",
    files,
    compression: s.compression ?? "gzip",
    ...(s.rawMembers ? { rawMembers: s.rawMembers } : {}),
  });
  return audit({ tarball, repo: join(dir, "repo"), ref: tag, ...s.options });
}

/** Findings of one rule, as "severity path" strings (stable to compare). */
export const findingsOf = (r: AuditResult, rule: string): string[] =>
  r.findings.filter((f: Finding) => f.rule === rule).map((f) => `${f.severity} ${f.path}`);

export const explained = (r: AuditResult, path: string): string | undefined => r.changes.find((c) => c.path === path)?.explainedBy?.profile;

/** Every regular file under dir, as fixture Files (mode kept). */
export function readTree(dir: string): Files {
  const out: Files = {};
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const abs = join(d, n);
      const st = statSync(abs);
      if (st.isDirectory()) walk(abs);
      else out[relative(dir, abs)] = { content: readFileSync(abs), mode: st.mode & 0o777 };
    }
  };
  walk(dir);
  return out;
}
