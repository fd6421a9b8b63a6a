/**
 * A batch worker process: receives {id, job, options} on the IPC channel, answers {id, outcome}.
 * One crash takes down only this process; the pool records the job's error and starts another.
 */
import { runJob } from "./run-job.js";
import type { BatchAuditOptions, Job } from "./jobs.js";

process.on("message", (msg: { id: number; job: Job; options: BatchAuditOptions }) => {
  void runJob(msg.job, msg.options).then((outcome) => process.send?.({ id: msg.id, outcome }));
});
process.on("disconnect", () => process.exit(0));
