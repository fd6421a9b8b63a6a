import { describe, it, expect, beforeAll } from "vitest";
import { spawn, execFile } from "node:child_process";
import { writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { tmp } from "./tmp.js";
import { makeRepo, makeTarball } from "../samples/lib/fixture.js";
import { parseJobList } from "../src/batch/jobs.js";
import { runBatch, BatchStore } from "../src/batch/index.js";
import { runPool } from "../src/batch/pool.js";
import { renderResults } from "../src/batch/export.js";
import type { JobOutcome } from "../src/batch/store.js";

const CLI = join(import.meta.dirname, "..", "dist", "cli", "main.js");
let dir: string;
let list: string;
const N = 8;

beforeAll(async () => {
  dir = tmp();
  const lines = ["# releases to audit", ""];
  for (let i = 0; i < N; i++) {
    const files = { "configure.ac": `AC_INIT([p${i}], [1.${i}])\n`, "src/main.c": `int main(void) { return ${i}; }\n`, "README": `p${i}\n` };
    makeRepo(join(dir, `repo${i}`), [{ files, tag: `v1.${i}` }]);
    // Every third release ships a file that is not in git.
    const tarFiles = i % 3 === 0 ? { ...files, "m4/extra.m4": "AC_DEFUN([X], [eval $(cat tests/x | tr a-z n-za-m)])\n" } : files;
    await makeTarball(join(dir, `p${i}-1.${i}.tar.gz`), { root: `p${i}-1.${i}`, files: tarFiles });
    lines.push(`${join(dir, `p${i}-1.${i}.tar.gz`)} ${join(dir, `repo${i}`)}   # release ${i}`);
  }
  lines.push(`${join(dir, "missing-1.0.tar.gz")} ${join(dir, "repo0")}`); // bad input: no such file
  lines.push(`${join(dir, "p1-1.1.tar.gz")} ${join(dir, "repo1")} v9.9`); // bad input: no such tag
  list = join(dir, "jobs.txt");
  writeFileSync(list, lines.join("\n") + "\n");
});

const snapshot = (store: string) => {
  const db = new Database(store, { readonly: true });
  try {
    return {
      jobs: db.prepare("SELECT input, repo, ref, status, error_code, result_key FROM jobs ORDER BY line, ref").all(),
      results: db.prepare("SELECT result_key, tarball_sha256, commit_id, high, medium, low, info FROM results ORDER BY result_key").all(),
    };
  } finally {
    db.close();
  }
};

describe("job lists", () => {
  it("reads tarball, repo and ref per line, with comments; the same job twice runs once", () => {
    const jobs = parseJobList("# c\na.tar.gz /r v1 # trailing\n\nnpm:ms@2.1.3\na.tar.gz /r v1\n");
    expect(jobs.map((j) => [j.input, j.repo, j.ref, j.line])).toEqual([
      ["a.tar.gz", "/r", "v1", 2],
      ["npm:ms@2.1.3", undefined, undefined, 4],
    ]);
    expect(() => parseJobList("a b c d\n")).toThrow(/line 1/);
  });

  it("reads a Debian Sources index as deb: jobs", () => {
    const jobs = parseJobList("Package: xz-utils\nBinary: xz-utils\nVersion: 5.4.1-0.2\n\nPackage: zlib\nVersion: 1:1.2.13.dfsg-1\n");
    expect(jobs.map((j) => j.input)).toEqual(["deb:xz-utils=5.4.1-0.2", "deb:zlib=1:1.2.13.dfsg-1"]);
  });
});

describe("distvet batch", () => {
  it("records every job (bad input as that job's error), and a second run skips them all", async () => {
    const store = join(dir, "a.sqlite");
    const s = await runBatch({ list, store, workers: 2 });
    expect(s).toMatchObject({ total: N + 2, ran: N + 2, done: N, errors: 2 });
    const snap = snapshot(store);
    expect((snap.jobs as Array<{ error_code: string | null }>).map((j) => j.error_code).filter(Boolean).sort()).toEqual(["E_TARBALL_NOT_FOUND", "E_UNKNOWN_REF"]);
    expect(snap.results).toHaveLength(N);
    expect((snap.results as Array<{ high: number; medium: number }>).filter((r) => r.high + r.medium > 0)).toHaveLength(3);
    const again = await runBatch({ list, store, workers: 2 });
    expect(again).toMatchObject({ skipped: N + 2, ran: 0 });
    expect(snapshot(store)).toEqual(snap);
    const s2 = new BatchStore(store);
    const csv = renderResults(s2.rows(), "csv");
    s2.close();
    expect(csv.split("\n")[0]).toBe("input,repo,ref,status,git_ref,commit_id,tarball_sha256,high,medium,low,info,error");
    expect(csv.split("\n").filter(Boolean)).toHaveLength(N + 3);
  });

  it("killed with SIGKILL halfway, resumes to the same results without duplicate rows", async () => {
    const reference = join(dir, "ref.sqlite");
    await runBatch({ list, store: reference, workers: 1 });
    const store = join(dir, "killed.sqlite");
    const child = spawn(process.execPath, [CLI, "batch", list, "--store", store, "--workers", "1", "--no-progress"], { stdio: "ignore", detached: true });
    // Wait (by polling the store, not by timing) until some but not all jobs are recorded, then kill -9 the whole group.
    let doneAtKill = 0;
    for (;;) {
      await new Promise((r) => setTimeout(r, 50));
      if (!existsSync(store)) continue;
      try {
        const db = new Database(store, { readonly: true, fileMustExist: true });
        doneAtKill = (db.prepare("SELECT count(*) AS n FROM jobs WHERE status IN ('done','error')").get() as { n: number }).n;
        db.close();
      } catch {
        continue;
      }
      if (doneAtKill >= 2 || child.exitCode !== null) break;
    }
    process.kill(-child.pid!, "SIGKILL");
    await new Promise((r) => child.once("exit", r));
    expect(doneAtKill).toBeLessThan(N + 2);
    const resumed = await new Promise<{ code: number; err: string }>((ok) =>
      execFile(process.execPath, [CLI, "batch", list, "--store", store, "--workers", "2", "--no-progress"], (e, _o, err) => ok({ code: e ? Number((e as { code?: number }).code) : 0, err })),
    );
    expect(resumed.err).toMatch(/already in the store/);
    expect(resumed.code).toBe(2); // two jobs are bad input
    expect(snapshot(store)).toEqual(snapshot(reference));
  });

  it("a worker process that dies fails only its job, and the pool goes on", async () => {
    const script = join(dir, "crashy.mjs");
    writeFileSync(script, `process.on("message", (m) => { if (m.job.input === "boom") process.exit(7); process.send({ id: m.id, outcome: { ok: false, error: "ran " + m.job.input } }); });\nprocess.on("disconnect", () => process.exit(0));\n`);
    const seen: Array<[string, JobOutcome]> = [];
    const jobs = ["a", "boom", "b", "c"].map((input, i) => ({ key: input, input, line: i + 1 }));
    await runPool(jobs, { workers: 1, options: {}, script, onOutcome: (j, o) => seen.push([j.input, o]) });
    expect(seen.map(([i, o]) => `${i}:${o.ok ? "ok" : o.error}`)).toEqual(["a:ran a", "boom:the worker process died (exit code 7) while auditing this job", "b:ran b", "c:ran c"]);
  });

  it("distvet results exports JSON and Markdown", async () => {
    const store = join(dir, "a.sqlite");
    const out = await new Promise<string>((ok) => execFile(process.execPath, [CLI, "results", "--store", store, "--format", "json", "--status", "error"], (_e, o) => ok(o)));
    expect(JSON.parse(out).map((r: { status: string }) => r.status)).toEqual(["error", "error"]);
    const md = await new Promise<string>((ok) => execFile(process.execPath, [CLI, "results", "--store", store], (_e, o) => ok(o)));
    expect(md.split("\n")[0]).toBe("| input | status | ref | commit | high | medium | low | info | error |");
  });
});
