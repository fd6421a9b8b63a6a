import type { TreeEntry } from "../types.js";

/** What distvet needs from a git repository; implemented over the git CLI and isomorphic-git. */
export interface GitBackend {
  readonly kind: "cli" | "isomorphic-git";
  /** The repository's git dir (absolute). */
  readonly gitdir: string;
  /** Resolve a tag, annotated tag, branch or (abbreviated) commit to a commit id; null when unknown. */
  resolveCommit(ref: string): Promise<string | null>;
  listTags(): Promise<string[]>;
  /** Every blob, symlink and submodule in the commit's tree, recursively, paths relative to the root. */
  listTree(commit: string): Promise<TreeEntry[]>;
  readBlob(oid: string): Promise<Buffer>;
  /** The blob's bytes, or null when it is larger than `maxBytes` (then never held in memory whole where the backend can avoid it). */
  readBlob(oid: string, maxBytes: number): Promise<Buffer | null>;
  close(): Promise<void>;
}
