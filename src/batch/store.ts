import Database from "better-sqlite3";
import type { AuditResult, Severity } from "../types.js";
import { SEVERITIES } from "../types.js";
import { DistvetError } from "../errors.js";
import type { Job } from "./jobs.js";

export type JobStatus = "pending" | "running" | "done" | "error";

/** What a worker reports for one job. */
export type JobOutcome = { ok: true; result: AuditResult; resultKey: string } | { ok: false; error: string; code?: string };

export interface ResultRow {
  job_key: string;
  input: string;
  repo: string | null;
  ref: string | null;
  status: JobStatus;
  error: string | null;
  result_key: string | null;
  tarball_sha256: string | null;
  commit_id: string | null;
  git_ref: string | null;
  high: number | null;
  medium: number | null;
  low: number | null;
  info: number | null;
  distvet_version: string | null;
}

/**
 * The batch's SQLite store (WAL): one row per job with its status, one row per distinct result
 * keyed by tarball sha256 + commit + distvet version + options. Each job's outcome is written in
 * one transaction, so a kill -9 loses at most the jobs in flight, which a resume runs again.
 */
export class BatchStore {
  readonly db: Database.Database;

  constructor(file: string) {
    try {
      this.db = new Database(file);
    } catch (e) {
      throw new DistvetError("E_BAD_ARGUMENT", `cannot open the store ${file}: ${(e as Error).message}`);
    }
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = NORMAL");
    this.db.pragma("busy_timeout = 10000");
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS jobs (
        job_key TEXT PRIMARY KEY,
        input TEXT NOT NULL,
        repo TEXT,
        ref TEXT,
        line INTEGER,
        status TEXT NOT NULL DEFAULT 'pending',
        attempts INTEGER NOT NULL DEFAULT 0,
        error TEXT,
        error_code TEXT,
        result_key TEXT,
        updated_at TEXT
      );
      CREATE TABLE IF NOT EXISTS results (
        result_key TEXT PRIMARY KEY,
        tarball_sha256 TEXT NOT NULL,
        commit_id TEXT NOT NULL,
        git_ref TEXT,
        distvet_version TEXT NOT NULL,
        high INTEGER NOT NULL, medium INTEGER NOT NULL, low INTEGER NOT NULL, info INTEGER NOT NULL,
        result_json TEXT NOT NULL
      );
    `);
  }

  /** Add jobs not yet known; jobs left 'running' by a killed run go back to 'pending'. */
  enqueue(jobs: Job[]): void {
    const ins = this.db.prepare("INSERT OR IGNORE INTO jobs (job_key, input, repo, ref, line, status, updated_at) VALUES (?, ?, ?, ?, ?, 'pending', datetime('now'))");
    this.db.transaction(() => {
      for (const j of jobs) ins.run(j.key, j.input, j.repo ?? null, j.ref ?? null, j.line);
      this.db.prepare("UPDATE jobs SET status = 'pending' WHERE status = 'running'").run();
    })();
  }

  /** Jobs still to run (pending), in list order. */
  pending(keys?: Set<string>): Job[] {
    const rows = this.db.prepare("SELECT job_key, input, repo, ref, line FROM jobs WHERE status = 'pending' ORDER BY line, job_key").all() as Array<{ job_key: string; input: string; repo: string | null; ref: string | null; line: number }>;
    return rows.filter((r) => !keys || keys.has(r.job_key)).map((r) => ({ key: r.job_key, input: r.input, line: r.line, ...(r.repo ? { repo: r.repo } : {}), ...(r.ref ? { ref: r.ref } : {}) }));
  }

  markRunning(key: string): void {
    this.db.prepare("UPDATE jobs SET status = 'running', attempts = attempts + 1, updated_at = datetime('now') WHERE job_key = ?").run(key);
  }

  /** Record a job's outcome (result rows are shared by identical audits: INSERT OR IGNORE). */
  record(key: string, outcome: JobOutcome): void {
    this.db.transaction(() => {
      if (outcome.ok) {
        const r = outcome.result;
        const f = r.summary.findings;
        this.db
          .prepare("INSERT OR IGNORE INTO results (result_key, tarball_sha256, commit_id, git_ref, distvet_version, high, medium, low, info, result_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
          .run(outcome.resultKey, r.tarball.sha256, r.git.commit, r.git.ref, r.tool.version, f.high, f.medium, f.low, f.info, JSON.stringify(r));
        this.db.prepare("UPDATE jobs SET status = 'done', error = NULL, error_code = NULL, result_key = ?, updated_at = datetime('now') WHERE job_key = ?").run(outcome.resultKey, key);
      } else {
        this.db.prepare("UPDATE jobs SET status = 'error', error = ?, error_code = ?, result_key = NULL, updated_at = datetime('now') WHERE job_key = ?").run(outcome.error, outcome.code ?? null, key);
      }
    })();
  }

  /** Jobs that ended in an error go back to pending (for --retry-errors). */
  retryErrors(): number {
    return this.db.prepare("UPDATE jobs SET status = 'pending' WHERE status = 'error'").run().changes;
  }

  counts(): Record<JobStatus, number> {
    const out: Record<JobStatus, number> = { pending: 0, running: 0, done: 0, error: 0 };
    for (const r of this.db.prepare("SELECT status, count(*) AS n FROM jobs GROUP BY status").all() as Array<{ status: JobStatus; n: number }>) out[r.status] = r.n;
    return out;
  }

  rows(status?: JobStatus): ResultRow[] {
    const sql = `SELECT j.job_key, j.input, j.repo, j.ref, j.status, j.error, j.result_key, r.tarball_sha256, r.commit_id, r.git_ref, r.high, r.medium, r.low, r.info, r.distvet_version
      FROM jobs j LEFT JOIN results r ON r.result_key = j.result_key ${status ? "WHERE j.status = ?" : ""} ORDER BY j.line, j.job_key`;
    return (status ? this.db.prepare(sql).all(status) : this.db.prepare(sql).all()) as ResultRow[];
  }

  result(resultKey: string): AuditResult | null {
    const r = this.db.prepare("SELECT result_json FROM results WHERE result_key = ?").get(resultKey) as { result_json: string } | undefined;
    return r ? (JSON.parse(r.result_json) as AuditResult) : null;
  }

  close(): void {
    this.db.close();
  }
}

export const severityCounts = (r: ResultRow): Record<Severity, number> | null =>
  r.high === null ? null : (Object.fromEntries(SEVERITIES.map((s) => [s, r[s] ?? 0])) as Record<Severity, number>);
