import type { RegenerationJson } from "./regenerate/types.js";
import type { RegenerateHint } from "./regenerate/hint.js";

/** Severity of a finding, from most to least serious. */
export type Severity = "high" | "medium" | "low" | "info";
export const SEVERITIES: readonly Severity[] = ["high", "medium", "low", "info"];
export const severityRank = (s: Severity): number => SEVERITIES.indexOf(s);

export type EntryType = "file" | "symlink" | "dir" | "other";

/** One tarball entry after the top-level directory has been stripped. */
export interface TarEntry {
  path: string;
  /** The name exactly as stored in the archive. */
  rawName: string;
  type: EntryType;
  /** Unix permission bits (e.g. 0o755). */
  mode: number;
  size: number;
  /** git blob id of the content (files) or of the link target (symlinks). */
  oid?: string;
  linkTarget?: string;
  /** Set when the entry was a hardlink resolved to this path. */
  hardlinkTo?: string;
  /** Bytes, kept only for entries that differ from git (bounded). */
  data?: Buffer;
  /** First bytes of a differing entry too large to keep whole. */
  head?: Buffer;
  /** Why the member name is unsafe (absolute, "..", NUL), if it is. */
  unsafe?: string;
  mtime?: number;
}

/**
 * A place where extractors disagree about what `tar x` produces (data after the end marker, size
 * on a directory header, a member written through a symlink, a global pax path, ...).
 */
export interface ArchiveAmbiguity {
  /** Path (top-level directory stripped) the ambiguity is about. */
  path: string;
  /** One line: what the archive does and what each extractor makes of it. */
  what: string;
  /** Extractor name -> what it produces. */
  extractors?: Record<string, string>;
  /** Set when lower than the rule's high (e.g. a hard link nothing can create). */
  severity?: Severity;
}

/** One entry of the git tree at the audited ref. */
export interface TreeEntry {
  path: string;
  /** git mode: "100644" | "100755" | "120000" | "160000" */
  mode: string;
  oid: string;
}

export type ChangeKind = "added" | "removed" | "modified" | "mode" | "type";

/**
 * How far an explanation can be trusted. The tarball's author reads distvet, so only evidence they
 * cannot forge makes a difference *verified*:
 * - `git`: the bytes (or, for omissions, the decision) come from git at the tag;
 * - `known-copy`: byte-identical (after one documented normalisation) to a known upstream copy;
 * - `reproduction`: distvet reproduced the tarball's bytes exactly from git (export-subst with the
 *   tag's real commit, a compiled catalog equal to its source, setuptools' rewrite of setup.cfg);
 * - `regeneration`: rebuilt from the tag in a sandbox (`--regenerate`).
 * Anything recognised only by name, place, neighbour, comment or shape is `unverified`: its content
 * is analysed in full and it is listed in a per-kind summary with what would verify it.
 */
export type Trust = "verified" | "unverified";
export type VerifiedBy = "git" | "known-copy" | "reproduction" | "regeneration";

export interface Explanation {
  profile: string;
  reason: string;
  trust: Trust;
  /** The evidence of a verified explanation. */
  verifiedBy?: VerifiedBy;
  /** Unverified only: the kind of file (one summary finding per kind) and what would verify it. */
  kind?: string;
  toVerify?: string;
}

export interface Change {
  kind: ChangeKind;
  path: string;
  tarball?: TarEntry;
  git?: TreeEntry;
  explainedBy?: Explanation;
}

export interface Evidence {
  diff?: string;
  lines?: string[];
  bytes?: string;
}

export interface Finding {
  rule: string;
  severity: Severity;
  path: string;
  title: string;
  message: string;
  evidence?: Evidence;
  docs: string;
}

export interface NotChecked {
  path: string;
  reason: string;
}

export interface AuditResult {
  formatVersion: 1;
  tool: { name: string; version: string };
  tarball: {
    source: string;
    sha256: string;
    entries: number;
    compression: string;
    pax_commit?: string;
    signature?: { status: "good"; fingerprint: string; signer: string };
  };
  git: { source: string; ref: string; commit: string; entries: number; subdir?: string; previousRef?: string };
  summary: {
    identical: number;
    /** Changes a profile recognised: verified + unverified. */
    explained: number;
    /** Proven by evidence the tarball's author cannot forge. */
    verified: number;
    /** Recognised by kind only: analysed in full and listed in the unverified-files summary. */
    unverified: number;
    findings: Record<Severity, number>;
  };
  changes: Array<{ kind: ChangeKind; path: string; explainedBy?: Explanation }>;
  findings: Finding[];
  /** Findings a config `allow` entry accepted, with the reviewer's reason; not counted in summary.findings. */
  allowed?: Array<Finding & { allowReason: string }>;
  notChecked: NotChecked[];
  /** Set only with --regenerate: generated files rebuilt from the tag in a sandbox, and how they compare. */
  regeneration?: RegenerationJson;
  /** Set only without --regenerate when generated files were accepted by kind: how many, and the command that verifies them. */
  regenerateHint?: RegenerateHint;
}
