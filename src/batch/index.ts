import { readFileSync, existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { DistvetError } from "../errors.js";
import { parseJobList, type BatchAuditOptions, type Job } from "./jobs.js";
import { runPool } from "./pool.js";
import { BatchStore, type JobOutcome } from "./store.js";

export interface BatchOptions extends BatchAuditOptions {
  list: string;
  store: string;
  /** Worker processes (default: number of cores). */
  workers?: number;
  /** Run jobs that ended in an error again. */
  retryErrors?: boolean;
  onProgress?: (done: number, total: number, job: Job, outcome: JobOutcome) => void;
}

export interface BatchSummary {
  total: number;
  skipped: number;
  ran: number;
  done: number;
  errors: number;
}

export function readJobList(list: string, o: BatchAuditOptions): Job[] {
  if (!existsSync(list)) throw new DistvetError("E_BAD_ARGUMENT", `job list not found: ${list}`);
  return parseJobList(readFileSync(list, "utf8"), o);
}

export const auditOptionsOf = (o: BatchAuditOptions): BatchAuditOptions => ({
  ...(o.mirrorDir ? { mirrorDir: o.mirrorDir } : {}),
  ...(o.cacheDir ? { cacheDir: o.cacheDir } : {}),
  ...(o.registry ? { registry: o.registry } : {}),
  ...(o.gitBackend ? { gitBackend: o.gitBackend } : {}),
});

/** Run a job list on a local pool of worker processes, resuming from (and recording into) the store. */
export async function runBatch(o: BatchOptions): Promise<BatchSummary> {
  const options = auditOptionsOf(o);
  const jobs = readJobList(o.list, options);
  const store = new BatchStore(o.store);
  try {
    store.enqueue(jobs);
    if (o.retryErrors) store.retryErrors();
    const todo = store.pending(new Set(jobs.map((j) => j.key)));
    let done = 0;
    await runPool(todo, {
      workers: o.workers ?? availableParallelism(),
      options,
      onStart: (job) => store.markRunning(job.key),
      onOutcome: (job, outcome) => {
        store.record(job.key, outcome);
        o.onProgress?.(++done, todo.length, job, outcome);
      },
    });
    const rows = store.rows().filter((r) => jobs.some((j) => j.key === r.job_key));
    return { total: jobs.length, skipped: jobs.length - todo.length, ran: todo.length, done: rows.filter((r) => r.status === "done").length, errors: rows.filter((r) => r.status === "error").length };
  } finally {
    store.close();
  }
}

export { BatchStore } from "./store.js";
export { parseJobList } from "./jobs.js";
