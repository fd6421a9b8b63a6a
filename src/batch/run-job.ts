import { audit } from "../audit.js";
import { isDistvetError } from "../errors.js";
import { auditSpec, isSpec, parseRegistryOption } from "../spec.js";
import { resultKey, type BatchAuditOptions, type Job } from "./jobs.js";
import type { JobOutcome } from "./store.js";

/** Run one job in this process; an operational failure is the job's error, never a throw. */
export async function runJob(job: Pick<Job, "input" | "repo" | "ref">, o: BatchAuditOptions): Promise<JobOutcome> {
  try {
    const common = { ...(job.ref ? { ref: job.ref } : {}), ...(o.gitBackend ? { gitBackend: o.gitBackend } : {}) };
    const result = isSpec(job.input)
      ? await auditSpec(job.input, {
          ...common,
          ...(job.repo ? { repo: job.repo } : {}),
          ...(o.mirrorDir ? { mirrorDir: o.mirrorDir } : {}),
          ...(o.cacheDir ? { cacheDir: o.cacheDir } : {}),
          ...(o.registry ? { registries: parseRegistryOption(o.registry) } : {}),
        })
      : await audit({ ...common, tarball: job.input, repo: job.repo ?? "." });
    return { ok: true, result, resultKey: resultKey(result.tarball.sha256, result.git.commit, o) };
  } catch (e) {
    if (isDistvetError(e)) return { ok: false, error: e.message, code: e.code };
    return { ok: false, error: `unexpected failure: ${(e as Error)?.message ?? String(e)}` };
  }
}
