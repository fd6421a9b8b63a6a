import type { RepoRef } from "../repository.js";

/** Expected digest of the published file, from the registry's own metadata. */
export interface ExpectedDigest {
  algorithm: "sha512" | "sha256" | "sha1";
  /** Lowercase hex. */
  hex: string;
  /** Where the value came from (e.g. "dist.integrity"). */
  from: string;
}

/** What provenance metadata (npm attestations) says about the build's source. */
export interface Attested {
  /** Source repository named by the attestation. */
  repository: string;
  commit?: string;
  ref?: string;
  /** Digest of the attested subject (the package tarball), sha512 hex when given. */
  subjectSha512?: string;
  predicateType: string;
  /** The attestation's signature is not checked by distvet (no Sigstore trust root offline). */
  signatureVerified: false;
}

/** A registry package version, resolved to what an audit needs. */
export interface ResolvedPackage {
  ecosystem: "npm" | "crate" | "pypi" | "deb";
  name: string;
  version: string;
  /** The spec as given (e.g. "npm:ms@2.1.3"). */
  spec: string;
  tarballUrl: string;
  /** File name to give the download (tag guessing reads it). */
  fileName: string;
  digests: ExpectedDigest[];
  repository?: RepoRef;
  /** Commit the registry says the release was made from (npm gitHead, cargo git.sha1). */
  commit?: string;
  /** Tag names to try, best first, when no commit is published. */
  tagCandidates: string[];
  attestation?: Attested;
  /** Subdirectory of the repository (cargo path_in_vcs); npm's comes with `repository.directory`. */
  subdir?: string;
  /** Human-readable notes on what was resolved and from where. */
  notes: string[];
  /** Read what the downloaded (and verified) file itself says: commit, subdirectory, repository. */
  refine?: (file: string) => Promise<void>;
}
