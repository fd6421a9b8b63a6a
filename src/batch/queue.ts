import { hostname } from "node:os";
import { Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import { DistvetError } from "../errors.js";
import { auditOptionsOf, readJobList, type BatchOptions, type BatchSummary } from "./index.js";
import type { BatchAuditOptions, Job } from "./jobs.js";
import { runJob } from "./run-job.js";
import { BatchStore, type JobOutcome } from "./store.js";

/**
 * Scale-out on BullMQ (Redis). The coordinator (`distvet batch --queue`) adds every job the store
 * has not finished, with the job key as BullMQ job id (so a job is queued once), then collects
 * each completion into its store. Workers (`distvet worker --queue`) run jobs; a worker that dies
 * mid-job loses its lock and BullMQ's stalled-job check hands the job to another worker. A job that
 * keeps failing (attempts with exponential backoff, or too many stalls) goes to the dead-letter
 * queue `<name>-dead` with its error and is recorded as that job's error.
 */
export interface QueueOptions {
  /** redis://[:password@]host:port[/db] */
  url: string;
  /** BullMQ queue name (default "distvet"). */
  name?: string;
}

interface QueuedData {
  job: Pick<Job, "input" | "repo" | "ref">;
  options: BatchAuditOptions;
}

export function connect(url: string): Redis {
  if (!/^rediss?:\/\//.test(url)) throw new DistvetError("E_BAD_ARGUMENT", `--queue must be a redis:// URL, not '${url}'`);
  return new Redis(url, { maxRetriesPerRequest: null, lazyConnect: false });
}

const ATTEMPTS = 3;

/** Enqueue the list's unfinished jobs and collect results into the store until every one is recorded. */
export async function runQueuedBatch(o: BatchOptions & { queue: QueueOptions; pollMs?: number; signal?: AbortSignal }): Promise<BatchSummary> {
  const options = auditOptionsOf(o);
  const jobs = readJobList(o.list, options);
  const store = new BatchStore(o.store);
  const name = o.queue.name ?? "distvet";
  const connection = connect(o.queue.url);
  const queue = new Queue<QueuedData, JobOutcome>(name, { connection });
  const dead = new Queue(`${name}-dead`, { connection });
  try {
    store.enqueue(jobs);
    if (o.retryErrors) store.retryErrors();
    const todo = store.pending(new Set(jobs.map((j) => j.key)));
    for (const j of todo) {
      // A finished job of an earlier coordinator (recorded in another store) is queued again: remove it first.
      const old = await queue.getJob(j.key);
      if (old && ((await old.isCompleted()) || (await old.isFailed()))) await old.remove();
      await queue.add(
        "audit",
        { job: { input: j.input, ...(j.repo ? { repo: j.repo } : {}), ...(j.ref ? { ref: j.ref } : {}) }, options },
        { jobId: j.key, attempts: ATTEMPTS, backoff: { type: "exponential", delay: 2000 }, removeOnComplete: false, removeOnFail: false },
      );
      store.markRunning(j.key);
    }
    const outstanding = new Map(todo.map((j) => [j.key, j]));
    let done = 0;
    const record = (key: string, outcome: JobOutcome) => {
      const j = outstanding.get(key);
      if (!j) return;
      outstanding.delete(key);
      store.record(key, outcome);
      o.onProgress?.(++done, todo.length, j, outcome);
    };
    while (outstanding.size && !o.signal?.aborted) {
      // Finished jobs leave Redis once recorded, so these lists stay short however long the batch is.
      for (const bj of await queue.getJobs(["completed", "failed"], 0, 999)) {
        const key = bj?.id;
        if (!key || !outstanding.has(key)) continue;
        if (bj.finishedOn && bj.returnvalue && (await bj.isCompleted())) record(key, bj.returnvalue);
        else {
          // BullMQ moves a job to failed only when its attempts are used up (or it stalled too often).
          const error = `failed on the queue after ${bj.attemptsMade} attempt(s): ${bj.failedReason}`;
          await dead.add("dead", { key, input: bj.data.job.input, error }, { jobId: key, removeOnComplete: false });
          record(key, { ok: false, error, code: "E_QUEUE" });
        }
        await bj.remove().catch(() => undefined);
      }
      if (outstanding.size) await new Promise((r) => setTimeout(r, o.pollMs ?? 500));
    }
    const rows = store.rows().filter((r) => jobs.some((j) => j.key === r.job_key));
    return { total: jobs.length, skipped: jobs.length - todo.length, ran: todo.length, done: rows.filter((r) => r.status === "done").length, errors: rows.filter((r) => r.status === "error").length };
  } finally {
    await queue.close();
    await dead.close();
    await connection.quit().catch(() => undefined);
    store.close();
  }
}

export interface WorkerOptions {
  queue: QueueOptions;
  /** Jobs run at once in this process (default 1). */
  concurrency?: number;
  /** Lock time in ms: a worker silent this long is presumed dead and its job handed on (default 30 s). */
  lockMs?: number;
  onEvent?: (message: string) => void;
}

/** Consume jobs until SIGTERM/SIGINT (then finish the job in hand and exit). */
export async function runWorker(o: WorkerOptions): Promise<Worker> {
  const connection = connect(o.queue.url);
  const lock = o.lockMs ?? 30_000;
  const worker = new Worker<QueuedData, JobOutcome>(o.queue.name ?? "distvet", async (job) => runJob(job.data.job, job.data.options), {
    connection,
    concurrency: o.concurrency ?? 1,
    lockDuration: lock,
    stalledInterval: lock,
    maxStalledCount: 2,
    name: `${hostname()}:${process.pid}`,
  });
  worker.on("completed", (job) => o.onEvent?.(`done ${job.data.job.input}`));
  worker.on("failed", (job, err) => o.onEvent?.(`failed ${job?.data.job.input ?? "?"}: ${err.message}`));
  worker.on("error", (err) => o.onEvent?.(`queue error: ${err.message}`));
  const stop = () => {
    o.onEvent?.("stopping after the job in hand");
    void worker.close().then(() => connection.quit().catch(() => undefined));
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
  return worker;
}
