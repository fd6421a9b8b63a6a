import { fork, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { packageRoot } from "../version.js";
import type { BatchAuditOptions, Job } from "./jobs.js";
import type { JobOutcome } from "./store.js";

/** The compiled worker script (the pool always runs the built JavaScript, also under a TS test runner). */
export function childScript(): string {
  const here = fileURLToPath(import.meta.url);
  const next = join(dirname(here), "child.js");
  return here.endsWith(".js") && existsSync(next) ? next : join(packageRoot(), "dist", "src", "batch", "child.js");
}

export interface PoolOptions {
  workers: number;
  options: BatchAuditOptions;
  onStart?: (job: Job) => void;
  onOutcome: (job: Job, outcome: JobOutcome) => void;
  script?: string;
}

/**
 * Run jobs on `workers` child processes. A child that dies mid-job (crash, OOM kill) fails only
 * that job, with the reason, and is replaced while work remains.
 */
export function runPool(jobs: Job[], o: PoolOptions): Promise<void> {
  const queue = [...jobs];
  const script = o.script ?? childScript();
  let seq = 0;
  let live = 0;
  return new Promise<void>((resolve) => {
    const finishIfIdle = () => {
      if (live === 0) resolve();
    };
    const spawn = () => {
      if (!queue.length) return;
      const child: ChildProcess = fork(script, [], { execArgv: [], stdio: ["ignore", "ignore", "inherit", "ipc"] });
      live++;
      let current: { id: number; job: Job } | null = null;
      const next = () => {
        const job = queue.shift();
        if (!job) {
          current = null;
          child.disconnect();
          return;
        }
        current = { id: ++seq, job };
        o.onStart?.(job);
        child.send({ id: current.id, job, options: o.options });
      };
      child.on("message", (m: { id: number; outcome: JobOutcome }) => {
        if (!current || m.id !== current.id) return;
        o.onOutcome(current.job, m.outcome);
        next();
      });
      child.on("exit", (code, signal) => {
        live--;
        if (current) {
          const job = current.job;
          current = null;
          o.onOutcome(job, { ok: false, error: `the worker process died (${signal ?? `exit code ${code}`}) while auditing this job`, code: "E_WORKER_DIED" });
          spawn();
        }
        finishIfIdle();
      });
      next();
    };
    const n = Math.max(1, Math.min(o.workers, queue.length));
    if (!queue.length) return resolve();
    for (let i = 0; i < n; i++) spawn();
  });
}
