import { execFile } from "node:child_process";
import { readFileSync, existsSync } from "node:fs";
import { basename, dirname } from "node:path";
import { promisify } from "node:util";
import { DistvetError } from "../errors.js";
import type { SpecOptions } from "../spec.js";
import { newPackages, parseLockfile } from "./lockfiles.js";
import { aggregateExit, auditPackages, type DepRow, type DepsReport, type FailOn } from "./run.js";

const run = promisify(execFile);

export interface DepsOptions extends SpecOptions {
  lockfile: string;
  /** Compare with the lockfile as committed at this git ref. */
  base?: string;
  /** Compare with this older lockfile. */
  old?: string;
  jobs?: number;
  failOn?: FailOn;
  onDone?: (row: DepRow, done: number, total: number) => void;
}

const readLock = (file: string): string => {
  if (!existsSync(file)) throw new DistvetError("E_BAD_ARGUMENT", `lockfile not found: ${file}`);
  return readFileSync(file, "utf8");
};

/** The lockfile's text as committed at `ref` (git show <ref>:./<file>, run in the lockfile's directory). */
async function lockAtRef(file: string, ref: string): Promise<string> {
  try {
    const { stdout } = await run("git", ["-C", dirname(file) || ".", "show", `${ref}:./${basename(file)}`], { maxBuffer: 1 << 30 });
    return stdout;
  } catch (e) {
    const msg = String((e as { stderr?: string }).stderr ?? e).trim().split("\n").pop();
    throw new DistvetError("E_UNKNOWN_REF", `cannot read ${file} at ${ref}: ${msg}`);
  }
}

/** Audit every package version the lockfile adds relative to the base (all of them without one). */
export async function runDeps(o: DepsOptions): Promise<DepsReport> {
  if (o.base && o.old) throw new DistvetError("E_BAD_ARGUMENT", "pass --base or --old, not both");
  const next = parseLockfile(o.lockfile, readLock(o.lockfile));
  let base: ReturnType<typeof parseLockfile> | null = null;
  if (o.old) base = parseLockfile(o.old, readLock(o.old));
  else if (o.base) base = parseLockfile(o.lockfile, await lockAtRef(o.lockfile, o.base));
  const pkgs = newPackages(next.packages, base?.packages ?? null);
  let done = 0;
  const { lockfile: _l, base: _b, old: _o, onDone, ...rest } = o;
  const rows = await auditPackages(pkgs, { ...rest, ...(base ? { base: base.packages } : {}), onDone: (row) => onDone?.(row, ++done, pkgs.length) });
  const label = o.base ?? o.old;
  return { lockfile: o.lockfile, ...(label ? { base: label } : {}), total: pkgs.length, rows, exit: aggregateExit(rows) };
}

export { parseLockfile, newPackages } from "./lockfiles.js";
export { renderDeps, DEPS_FORMATS, type DepsFormat, type DepsReport, type DepRow } from "./run.js";
