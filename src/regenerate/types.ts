/** Results of `--regenerate`: the release's generated files rebuilt from the tag and compared. */

export type RegenStatus = "reproduced" | "differs" | "not-regenerable";

export interface RegeneratedFile {
  path: string;
  status: RegenStatus;
  /** The step that produced (or would have produced) the file. */
  step: string;
  /** Why the file is not regenerable, or what a difference is attributed to. */
  reason?: string;
  /** Unified diff, regenerated → tarball (differs, and not-regenerable files that were produced by another version). */
  diff?: string;
  /** Lines only the tarball has (differs). */
  tarballOnly?: string[];
}

export interface RegenStep {
  name: string;
  /** The command line(s) run in the sandbox. */
  command: string;
  /** Tool name → version string used by this step. */
  tools: Record<string, string>;
  /** Tarball files the step took as inputs (everything else came from git). */
  tarballInputs: string[];
  status: "ok" | "failed" | "skipped";
  /** The record (and outputs) came from the cache of an earlier identical run. */
  cached?: boolean;
  durationMs: number;
  /** Last lines of the step's output (stdout and stderr). */
  logTail?: string;
  /** Why the step failed or was skipped. */
  reason?: string;
  sandboxed: boolean;
}

export interface RegenerationReport {
  files: Map<string, RegeneratedFile>;
  steps: RegenStep[];
  /** One line per missing tool: which tool, which version, how to get it. */
  missingTools: string[];
}

export interface RegenerateOptions {
  /** Run without bubblewrap (no network isolation, no read-only system). */
  unsandboxed?: boolean;
  /** Per-step wall-clock limit in seconds (default 300). */
  timeoutSeconds?: number;
  /** Extra directory searched first for tools (its bin/ and itself). */
  toolchainDir?: string;
  /** Cache directory (default $XDG_CACHE_HOME/distvet or ~/.cache/distvet); false disables the cache. */
  cacheDir?: string | false;
  /** Progress notes (step started, cache hit). */
  onNote?: (message: string) => void;
}

/** The JSON form stored on the audit result. */
export interface RegenerationJson {
  summary: string;
  reproduced: number;
  total: number;
  files: Array<Omit<RegeneratedFile, "tarballOnly">>;
  steps: RegenStep[];
  missingTools: string[];
}
