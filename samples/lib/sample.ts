import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { makeRepo, makeTarball, type CommitSpec, type Compression, type Files } from "./fixture.js";

export interface ExpectedFinding {
  rule: string;
  path: string;
  severity: "high" | "medium" | "low" | "info";
}

export interface Sample {
  name: string;
  /** One line: what happened and what the sample rebuilds. */
  description: string;
  /** Commits from oldest to newest; tags mark releases. */
  history: CommitSpec[];
  /** The release tarball's file name and its contents; `@@COMMIT@@` in a text file becomes the last tag's commit id. */
  tarballName: string;
  root: string;
  tarball: Files;
  compression?: Compression;
  /** Extra audit arguments (e.g. subdir). */
  args?: { ref?: string; subdir?: string };
  /**
   * The publisher's checksum is stale (it is the checksum of the honest tarball, built from the
   * tagged tree): an audit given it must fail with E_CHECKSUM_MISMATCH.
   */
  staleChecksum?: boolean;
}

export const defineSample = (s: Sample): Sample => s;

export interface BuiltSample {
  sample: Sample;
  repo: string;
  tarball: string;
  /** sha256 of the honest tarball, for samples with a stale published checksum. */
  staleSha256?: string;
}

/** Build a sample's repository and tarball under `outDir` (default: samples/<name>/out). */
export async function buildSample(sample: Sample, outDir: string): Promise<BuiltSample> {
  const repo = join(outDir, "repo");
  makeRepo(repo, sample.history);
  const tarball = join(outDir, sample.tarballName);
  const commit = execFileSync("git", ["-C", repo, "rev-parse", "HEAD"], { encoding: "utf8" }).trim();
  const files = Object.fromEntries(
    Object.entries(sample.tarball).map(([p, spec]) => [p, typeof spec === "string" ? spec.replaceAll("@@COMMIT@@", commit) : spec]),
  );
  await makeTarball(tarball, { root: sample.root, files, compression: sample.compression ?? "gzip" });
  if (!sample.staleChecksum) return { sample, repo, tarball };
  const honest = join(outDir, "honest.tar.gz");
  await makeTarball(honest, { root: sample.root, files: sample.history[sample.history.length - 1]!.files, compression: sample.compression ?? "gzip" });
  const staleSha256 = createHash("sha256").update(readFileSync(honest)).digest("hex");
  return { sample, repo, tarball, staleSha256 };
}
