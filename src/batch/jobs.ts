import { createHash } from "node:crypto";
import { DistvetError } from "../errors.js";
import { VERSION } from "../version.js";

/** One unit of batch work: a tarball (path, URL or registry spec), optionally its repository and ref. */
export interface Job {
  /** Stable identity: input, repo, ref, batch options and distvet version (so a resume skips it). */
  key: string;
  input: string;
  repo?: string;
  ref?: string;
  /** Line number in the list (for messages). */
  line: number;
}

/** Options that change results, part of every job and result key. */
export interface BatchAuditOptions {
  mirrorDir?: string;
  cacheDir?: string;
  registry?: string;
  gitBackend?: "auto" | "cli" | "isomorphic-git";
}

/** Only options that can change a result go into keys (not where clones are cached). */
export const optionsKey = (o: BatchAuditOptions): string => JSON.stringify({ mirrorDir: o.mirrorDir ?? null, registry: o.registry ?? null });

export const jobKey = (input: string, repo: string | undefined, ref: string | undefined, o: BatchAuditOptions): string =>
  createHash("sha256").update(JSON.stringify([input, repo ?? null, ref ?? null, optionsKey(o), VERSION])).digest("hex");

/** The result's identity: what was audited (tarball bytes, commit), by which distvet, with which options. */
export const resultKey = (tarballSha256: string, commit: string, o: BatchAuditOptions): string =>
  createHash("sha256").update(JSON.stringify([tarballSha256, commit, VERSION, optionsKey(o)])).digest("hex");

/**
 * A job list: one job per line, `<tarball path, URL or spec> [<repo>] [<ref>]`, whitespace-separated,
 * `#` starts a comment. A Debian `Sources` index (stanzas with `Package:` and `Version:`) becomes
 * `deb:<source>=<version>` jobs. The same job listed twice runs once.
 */
export function parseJobList(text: string, o: BatchAuditOptions = {}): Job[] {
  if (/^Package:[ \t]*\S+$/m.test(text) && /^Version:[ \t]*\S+$/m.test(text)) {
    return parseSources(text, o);
  }
  const jobs = new Map<string, Job>();
  for (const [i, raw] of text.split("\n").entries()) {
    const line = raw.replace(/(^|\s)#.*$/, "").trim();
    if (!line) continue;
    const [input, repo, ref, ...extra] = line.split(/\s+/);
    if (extra.length) throw new DistvetError("E_BAD_ARGUMENT", `job list line ${i + 1}: expected '<tarball> [<repo>] [<ref>]', got ${extra.length + 3} fields`);
    const key = jobKey(input!, repo, ref, o);
    if (!jobs.has(key)) jobs.set(key, { key, input: input!, ...(repo ? { repo } : {}), ...(ref ? { ref } : {}), line: i + 1 });
  }
  return [...jobs.values()];
}

function parseSources(text: string, o: BatchAuditOptions): Job[] {
  const jobs = new Map<string, Job>();
  let line = 1;
  for (const stanza of text.split(/\n\s*\n/)) {
    const pkg = /^Package:\s*(\S+)/m.exec(stanza)?.[1];
    const ver = /^Version:\s*(\S+)/m.exec(stanza)?.[1];
    if (pkg && ver) {
      const input = `deb:${pkg}=${ver}`;
      const key = jobKey(input, undefined, undefined, o);
      if (!jobs.has(key)) jobs.set(key, { key, input, line });
    }
    line += stanza.split("\n").length + 1;
  }
  return [...jobs.values()];
}
