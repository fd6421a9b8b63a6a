import { existsSync, readdirSync, statSync } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { DistvetError } from "../errors.js";
import type { GitBackend } from "./backend.js";
import { CliGit, gitAvailable } from "./cli.js";
import { IsoGit } from "./iso.js";

const run = promisify(execFile);

export type BackendChoice = "auto" | "cli" | "isomorphic-git";

const isGitDir = (dir: string): boolean =>
  existsSync(join(dir, "HEAD")) && existsSync(join(dir, "objects")) && existsSync(join(dir, "refs"));

export const looksLikeUrl = (s: string): boolean => /^(https?|git|ssh):\/\//.test(s) || /^[\w.-]+@[\w.-]+:/.test(s);

/** Find the git dir of a working tree (`.git` dir or gitfile) or accept a bare repository. */
export function findGitDir(path: string): string | null {
  const abs = resolve(path);
  if (!existsSync(abs) || !statSync(abs).isDirectory()) return null;
  if (isGitDir(abs)) return abs;
  const dotgit = join(abs, ".git");
  if (existsSync(dotgit) && statSync(dotgit).isDirectory() && isGitDir(dotgit)) return dotgit;
  return null;
}

/** Where cloned repositories are kept: --cache-dir, else $XDG_CACHE_HOME/distvet, else ~/.cache/distvet. */
export function defaultCacheDir(): string {
  const xdg = process.env.XDG_CACHE_HOME;
  return join(xdg && xdg.startsWith("/") ? xdg : join(homedir(), ".cache"), "distvet");
}

/**
 * Resolve owner/name to a local bare mirror under `dir`: `dir/owner+name` (a bare repository, or a
 * folder holding exactly one bare repository) or `dir/owner/name.git`. Names are matched
 * case-insensitively, as forges do. Null when there is none.
 */
export function findMirror(dir: string, owner: string, name: string): string | null {
  const ci = (parent: string, want: string): string | null => {
    if (!existsSync(parent)) return null;
    const exact = join(parent, want);
    if (existsSync(exact)) return exact;
    const hit = readdirSync(parent).find((e) => e.toLowerCase() === want.toLowerCase());
    return hit ? join(parent, hit) : null;
  };
  const plus = ci(dir, `${owner}+${name}`) ?? ci(dir, `${owner}+${name}.git`);
  if (plus && statSync(plus).isDirectory()) {
    if (isGitDir(plus)) return plus;
    const inner = readdirSync(plus).map((e) => join(plus, e)).filter((p) => statSync(p).isDirectory() && isGitDir(p));
    if (inner.length === 1) return inner[0]!;
  }
  const ownerDir = ci(dir, owner);
  const nested = ownerDir ? (ci(ownerDir, `${name}.git`) ?? ci(ownerDir, name)) : null;
  if (nested && statSync(nested).isDirectory()) return findGitDir(nested);
  return null;
}

const cacheKey = (url: string): string => {
  let host = "other";
  let path = url;
  try {
    const u = new URL(url.replace(/^git\+/, ""));
    host = u.hostname;
    path = u.pathname;
  } catch {
    const scp = /^[\w.-]+@([\w.-]+):(.+)$/.exec(url);
    if (scp) [host, path] = [scp[1]!, scp[2]!];
  }
  const clean = path.replace(/\.git$/, "").split("/").filter((p) => p && p !== "." && p !== "..").map((p) => p.replace(/[^\w.+-]/g, "_"));
  return join("repos", host.replace(/[^\w.-]/g, "_"), ...clean) + ".git";
};

const gitOk = async (gitdir: string, args: string[]): Promise<boolean> =>
  run("git", ["--git-dir", gitdir, ...args], { timeout: 60_000 }).then(
    () => true,
    () => false,
  );

/**
 * A bare, blobless clone of `url` in the cache (created on first use, reused afterwards). When a
 * wanted ref or commit is missing, tags and branches are fetched again, then the commit itself.
 * Concurrent runs clone into a private name and rename, so a half-written clone is never used.
 */
export async function cachedClone(url: string, cacheDir: string, want: string[] = []): Promise<string> {
  const target = join(cacheDir, cacheKey(url));
  const failed = (e: unknown) => {
    const msg = String((e as { stderr?: string }).stderr || (e as Error).message || e).trim().split("\n").pop();
    return new DistvetError("E_REPO_NOT_FOUND", `could not clone ${url}: ${msg}`);
  };
  if (!isGitDir(target)) {
    await mkdir(join(target, ".."), { recursive: true });
    const tmp = `${target}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
    try {
      await run("git", ["clone", "--bare", "--quiet", "--filter=blob:none", "--", url, tmp], { timeout: 30 * 60_000, env: { ...process.env, GIT_TERMINAL_PROMPT: "0" } });
    } catch (e) {
      await rm(tmp, { recursive: true, force: true });
      throw failed(e);
    }
    try {
      await rename(tmp, target);
    } catch {
      await rm(tmp, { recursive: true, force: true }); // another run got there first
    }
    return target;
  }
  const missing = [];
  for (const ref of want) if (!(await gitOk(target, ["rev-parse", "--verify", "-q", `${ref}^{commit}`]))) missing.push(ref);
  if (missing.length) {
    const env = { ...process.env, GIT_TERMINAL_PROMPT: "0" };
    await run("git", ["--git-dir", target, "fetch", "--quiet", "--tags", "--force", "--filter=blob:none", "origin", "+refs/heads/*:refs/heads/*"], { timeout: 30 * 60_000, env }).catch((e) => {
      throw failed(e);
    });
    for (const ref of missing) {
      if (/^[0-9a-f]{40}$/i.test(ref) && !(await gitOk(target, ["cat-file", "-e", `${ref}^{commit}`]))) {
        await run("git", ["--git-dir", target, "fetch", "--quiet", "--filter=blob:none", "origin", ref], { timeout: 30 * 60_000, env }).catch(() => undefined);
      }
    }
  }
  return target;
}

/**
 * Is `commit` reachable from a branch or tag (refs/heads, refs/tags) of the repository? Commits
 * reachable only from pull-request refs, a fork (forges serve fork commits by id through the
 * parent) or a deleted branch are not. Null when the git program is absent.
 */
export async function commitOnBranchOrTag(gitdir: string, commit: string): Promise<boolean | null> {
  if (!(await gitAvailable())) return null;
  try {
    const { stdout } = await run("git", ["--git-dir", gitdir, "for-each-ref", "--count=1", "--format=%(refname)", `--contains=${commit}`, "refs/heads", "refs/tags"], { timeout: 5 * 60_000 });
    return stdout.trim() !== "";
  } catch {
    return null;
  }
}

export interface OpenRepoOptions {
  /** Where URL repositories are cloned and reused (default: defaultCacheDir()). */
  cacheDir?: string;
  /** Refs or commits the caller will need; missing ones are fetched into a cached clone. */
  want?: string[];
}

/**
 * Open the repository at `source` (working tree, bare repo, or URL cloned bare and blobless into
 * the cache). The git binary is preferred when present; isomorphic-git is the fallback.
 */
export async function openRepo(source: string, choice: BackendChoice = "auto", opts: OpenRepoOptions = {}): Promise<GitBackend> {
  const haveGit = choice !== "isomorphic-git" && (await gitAvailable());
  if (choice === "cli" && !haveGit) throw new DistvetError("E_GIT_FAILED", "the git program is not installed (needed for --git-backend cli)");
  let gitdir: string | null;
  if (looksLikeUrl(source)) {
    if (!haveGit) throw new DistvetError("E_REPO_NOT_FOUND", `cloning ${source} needs the git program; clone it yourself and pass --repo <path>`);
    gitdir = await cachedClone(source, opts.cacheDir ?? defaultCacheDir(), opts.want ?? []);
  } else {
    gitdir = findGitDir(source);
    if (!gitdir && haveGit && existsSync(source)) {
      // A subdirectory of a working tree, a worktree with a gitfile, or $GIT_DIR layouts: ask git.
      try {
        const { stdout } = await run("git", ["-C", source, "rev-parse", "--absolute-git-dir"]);
        gitdir = stdout.trim() || null;
      } catch {
        gitdir = null;
      }
    }
  }
  if (!gitdir) throw new DistvetError("E_REPO_NOT_FOUND", `no git repository at ${source} (pass --repo <path to a clone or bare repo>)`);
  return haveGit ? new CliGit(gitdir) : new IsoGit(gitdir);
}
