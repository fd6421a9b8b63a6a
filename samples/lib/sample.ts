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
  /** The release tarball's file name and its contents. */
  tarballName: string;
  root: string;
  tarball: Files;
  compression?: Compression;
  /** Extra audit arguments (e.g. subdir). */
  args?: { ref?: string; subdir?: string };
}

export const defineSample = (s: Sample): Sample => s;

export interface BuiltSample {
  sample: Sample;
  repo: string;
  tarball: string;
}

/** Build a sample's repository and tarball under `outDir` (default: samples/<name>/out). */
export async function buildSample(sample: Sample, outDir: string): Promise<BuiltSample> {
  const repo = join(outDir, "repo");
  makeRepo(repo, sample.history);
  const tarball = join(outDir, sample.tarballName);
  await makeTarball(tarball, { root: sample.root, files: sample.tarball, compression: sample.compression ?? "gzip" });
  return { sample, repo, tarball };
}
