import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, sep } from "node:path";
import { createHash } from "node:crypto";

/** A file to place in a work directory. */
export interface WorkFile {
  bytes?: Buffer;
  symlink?: string;
  executable?: boolean;
}

/** Every input file gets this old mtime, so make never thinks a generated file is stale with respect to an input. */
const OLD = new Date("2000-01-01T00:00:00Z");

export function makeWorkDir(): string {
  return mkdtempSync(join(tmpdir(), "distvet-regen-"));
}

export function removeWorkDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** True when no component of `rel` below `root` is a symlink (so writing there cannot leave the tree). */
function insideWithoutSymlinks(root: string, rel: string): boolean {
  const parts = rel.split("/");
  if (parts.some((p) => p === ".." || p === "." || p === "")) return false;
  let cur = root;
  for (const p of parts.slice(0, -1)) {
    cur = join(cur, p);
    try {
      if (lstatSync(cur).isSymbolicLink()) return false;
    } catch {
      return true; // does not exist yet: mkdir creates a real directory
    }
  }
  try {
    if (lstatSync(join(root, rel)).isSymbolicLink()) return false;
  } catch {
    /* absent */
  }
  return true;
}

/** Write files into `root`; returns the paths that were refused (they would have been written through a symlink). */
export function writeFiles(root: string, files: Map<string, WorkFile>): string[] {
  const refused: string[] = [];
  for (const [rel, f] of files) {
    if (!insideWithoutSymlinks(root, rel)) {
      refused.push(rel);
      continue;
    }
    const abs = join(root, rel);
    mkdirSync(dirname(abs), { recursive: true });
    rmSync(abs, { force: true });
    if (f.symlink !== undefined) {
      symlinkSync(f.symlink, abs);
      continue;
    }
    writeFileSync(abs, f.bytes ?? Buffer.alloc(0));
    chmodSync(abs, f.executable ? 0o755 : 0o644);
    utimesSync(abs, OLD, OLD);
  }
  return refused;
}

const SKIP_DIRS = new Set(["autom4te.cache", ".git"]);

/** path → sha256 of every regular file under root (skipping autom4te.cache). */
export function snapshot(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string) => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const n of names) {
      const abs = join(dir, n);
      const st = lstatSync(abs);
      if (st.isDirectory()) {
        if (!SKIP_DIRS.has(n)) walk(abs);
      } else if (st.isFile()) {
        out.set(relative(root, abs).split(sep).join("/"), createHash("sha256").update(readFileSync(abs)).digest("hex"));
      }
    }
  };
  walk(root);
  return out;
}

/** Paths new or changed between two snapshots. */
export function changedBetween(before: Map<string, string>, after: Map<string, string>): string[] {
  return [...after].filter(([p, h]) => before.get(p) !== h).map(([p]) => p);
}
