import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import type { RegenStep } from "./types.js";

/** What one sandboxed run group produced: its step records and the files it wrote (path → bytes, step). */
export interface CachedRun {
  steps: RegenStep[];
  outputs: Map<string, { step: string; bytes: Buffer }>;
  /** Later, different outputs for the same path (e.g. automake run again with --foreign). */
  alternatives: Map<string, { step: string; bytes: Buffer }[]>;
}

export function defaultCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return join(base, "distvet");
}

/** Key: everything a run depends on (tag tree, toolchain versions, tarball inputs, the commands). */
export function cacheKey(parts: unknown): string {
  return createHash("sha256").update(JSON.stringify(parts)).digest("hex");
}

const file = (dir: string, key: string) => join(dir, "regenerate", `${key}.json`);

export function loadRun(dir: string, key: string): CachedRun | null {
  try {
    const j = JSON.parse(readFileSync(file(dir, key), "utf8")) as { steps: RegenStep[]; outputs: Record<string, { step: string; b64: string }>; alternatives: Record<string, { step: string; b64: string }[]> };
    const outputs = new Map<string, { step: string; bytes: Buffer }>();
    for (const [p, o] of Object.entries(j.outputs)) outputs.set(p, { step: o.step, bytes: Buffer.from(o.b64, "base64") });
    const alternatives = new Map<string, { step: string; bytes: Buffer }[]>();
    for (const [p, list] of Object.entries(j.alternatives ?? {})) alternatives.set(p, list.map((o) => ({ step: o.step, bytes: Buffer.from(o.b64, "base64") })));
    return { steps: j.steps, outputs, alternatives };
  } catch {
    return null;
  }
}

export function storeRun(dir: string, key: string, run: CachedRun): void {
  try {
    mkdirSync(join(dir, "regenerate"), { recursive: true });
    const outputs: Record<string, { step: string; b64: string }> = {};
    for (const [p, o] of run.outputs) outputs[p] = { step: o.step, b64: o.bytes.toString("base64") };
    const alternatives: Record<string, { step: string; b64: string }[]> = {};
    for (const [p, list] of run.alternatives) alternatives[p] = list.map((o) => ({ step: o.step, b64: o.bytes.toString("base64") }));
    const tmp = `${file(dir, key)}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ steps: run.steps, outputs, alternatives }));
    renameSync(tmp, file(dir, key));
  } catch {
    // A cache that cannot be written only costs time.
  }
}
