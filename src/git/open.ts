import { existsSync, statSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
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

const looksLikeUrl = (s: string): boolean => /^(https?|git|ssh):\/\//.test(s) || /^[\w.-]+@[\w.-]+:/.test(s);

/** Find the git dir of a working tree (`.git` dir or gitfile) or accept a bare repository. */
export function findGitDir(path: string): string | null {
  const abs = resolve(path);
  if (!existsSync(abs) || !statSync(abs).isDirectory()) return null;
  if (isGitDir(abs)) return abs;
  const dotgit = join(abs, ".git");
  if (existsSync(dotgit) && statSync(dotgit).isDirectory() && isGitDir(dotgit)) return dotgit;
  return null;
}

/**
 * Open the repository at `source` (working tree, bare repo, or URL cloned bare into a private
 * temp dir). The git binary is preferred when present; isomorphic-git is the fallback.
 */
export async function openRepo(source: string, choice: BackendChoice = "auto"): Promise<GitBackend> {
  const haveGit = choice !== "isomorphic-git" && (await gitAvailable());
  if (choice === "cli" && !haveGit) throw new DistvetError("E_GIT_FAILED", "the git program is not installed (needed for --git-backend cli)");
  let gitdir: string | null;
  if (looksLikeUrl(source)) {
    if (!haveGit) throw new DistvetError("E_REPO_NOT_FOUND", `cloning ${source} needs the git program; clone it yourself and pass --repo <path>`);
    const dir = await mkdtemp(join(tmpdir(), "distvet-repo-"));
    try {
      await run("git", ["clone", "--bare", "--quiet", "--filter=blob:none", "--", source, dir], { timeout: 10 * 60_000 });
    } catch (e) {
      const msg = String((e as { stderr?: string }).stderr ?? e).trim().split("\n").pop();
      throw new DistvetError("E_REPO_NOT_FOUND", `could not clone ${source}: ${msg}`);
    }
    gitdir = dir;
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
