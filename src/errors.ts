/** Stable error codes: callers (and the CLI's exit code 2) depend on them. */
export type ErrorCode =
  | "E_TARBALL_NOT_FOUND"
  | "E_NOT_AN_ARCHIVE"
  | "E_TRUNCATED"
  | "E_CORRUPT"
  | "E_DECOMPRESSOR_MISSING"
  | "E_REPO_NOT_FOUND"
  | "E_UNKNOWN_REF"
  | "E_NO_TAG_GUESS"
  | "E_SUBDIR_NOT_FOUND"
  | "E_FETCH_FAILED"
  | "E_CHECKSUM_MISMATCH"
  | "E_SIGNATURE"
  | "E_BAD_CONFIG"
  | "E_BAD_ARGUMENT"
  | "E_GIT_FAILED";

/** An operational error: the audit could not run. Carries a one-line, user-facing message. */
export class DistvetError extends Error {
  readonly code: ErrorCode;
  readonly data: Record<string, unknown>;
  constructor(code: ErrorCode, message: string, data: Record<string, unknown> = {}) {
    super(message);
    this.name = "DistvetError";
    this.code = code;
    this.data = data;
  }
}

export const isDistvetError = (e: unknown): e is DistvetError => e instanceof DistvetError;
