import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { hostname } from "node:os";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { tmp } from "./tmp.js";
import { makeRepo, makeTarball } from "../samples/lib/fixture.js";
import { runBatch } from "../src/batch/index.js";
import { runQueuedBatch } from "../src/batch/queue.js";

const CLI = join(import.meta.dirname, "..", "dist", "cli", "main.js");
const haveRedis = spawnSync("redis-server", ["--version"]).status === 0;

const freePort = () =>
  new Promise<number>((ok) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
  });
const until = async (cond: () => Promise<boolean> | boolean) => {
  while (!(await cond())) await new Promise((r) => setTimeout(r, 20));
};

let redis: ChildProcess | undefined;
let url = "";
let dir: string;
let list: string;
const N = 6;

beforeAll(async () => {
  if (!haveRedis) return;
  const port = await freePort();
  redis = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no"], { stdio: "ignore" });
  url = `redis://127.0.0.1:${port}`;
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => 50 });
  probe.on("error", () => undefined); // refused until redis-server is listening
  await until(async () => (await probe.ping().catch(() => "")) === "PONG");
  probe.disconnect();

  dir = tmp();
  const lines: string[] = [];
  for (let i = 0; i < N; i++) {
    // The first release is large, so the first worker is surely mid-job when it is killed.
    const files: Record<string, string | Buffer> = { "configure.ac": `AC_INIT([q${i}], [2.${i}])\n`, "src/q.c": `int q = ${i};\n`, ...(i === 0 ? { "data/blob.bin": randomBytes(24 << 20) } : {}) };
    makeRepo(join(dir, `repo${i}`), [{ files, tag: `v2.${i}` }]);
    await makeTarball(join(dir, `q${i}-2.${i}.tar.gz`), { root: `q${i}-2.${i}`, files: i % 2 ? { ...files, "m4/x.m4": "AC_DEFUN([X], [eval $(tail -c +1 data/blob.bin | tr a-z n-za-m)])\n" } : files });
    lines.push(`${join(dir, `q${i}-2.${i}.tar.gz`)} ${join(dir, `repo${i}`)}`);
  }
  lines.push(`${join(dir, "absent-1.0.tar.gz")} ${join(dir, "repo1")}`);
  list = join(dir, "jobs.txt");
  writeFileSync(list, lines.join("\n") + "\n");
}, 120_000);

afterAll(async () => {
  redis?.kill("SIGTERM");
});

const rowsOf = (store: string) => {
  const db = new Database(store, { readonly: true });
  try {
    return {
      jobs: db.prepare("SELECT input, status, error_code, result_key FROM jobs ORDER BY line").all(),
      results: db.prepare("SELECT result_key, tarball_sha256, commit_id, high, medium, low, info FROM results ORDER BY result_key").all(),
    };
  } finally {
    db.close();
  }
};

describe.skipIf(!haveRedis)("distvet batch --queue (BullMQ on redis-server)", () => {
  it("two workers, one killed mid-job: every job completes once, with the local pool's results", async () => {
    const reference = join(dir, "local.sqlite");
    await runBatch({ list, store: reference, workers: 2 });

    const store = join(dir, "queued.sqlite");
    const coordinator = runQueuedBatch({ list, store, queue: { url }, pollMs: 50 });
    const startWorker = () => spawn(process.execPath, [CLI, "worker", "--queue", url, "--lock-ms", "1500"], { stdio: "ignore" });
    const w1 = startWorker();
    const queue = new Queue("distvet", { connection: { url } });
    let killedJob = "";
    await until(async () => {
      const active = await queue.getActive();
      const mine = active.find((j) => j.processedBy === `${hostname()}:${w1.pid}`);
      if (mine) killedJob = mine.id!;
      return !!mine;
    });
    const w2 = startWorker();
    w1.kill("SIGKILL");

    const summary = await coordinator;
    expect(summary).toMatchObject({ total: N + 1, done: N, errors: 1 });
    const got = rowsOf(store);
    expect(got).toEqual(rowsOf(reference));
    const killed = (got.jobs as Array<{ status: string; result_key: string | null }>)[0]!;
    expect(killedJob).not.toBe("");
    expect(killed.status).toBe("done");
    const dead = new Queue("distvet-dead", { connection: { url } });
    expect(await dead.getJobCounts()).toMatchObject({ waiting: 0 });
    await dead.close();

    // Graceful shutdown: SIGTERM lets the idle worker close and exit 0.
    const exited = new Promise<number | null>((ok) => w2.once("exit", (code) => ok(code)));
    w2.kill("SIGTERM");
    expect(await exited).toBe(0);
    await queue.close();
  }, 120_000);

  it("a second coordinator run finds everything in its store and queues nothing", async () => {
    const store = join(dir, "queued.sqlite");
    const s = await runQueuedBatch({ list, store, queue: { url }, pollMs: 50 });
    expect(s).toMatchObject({ skipped: N + 1, ran: 0 });
  });
});
