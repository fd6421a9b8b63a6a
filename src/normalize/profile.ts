import type { Change, Explanation, VerifiedBy } from "../types.js";
import type { AuditContext } from "../context.js";

/** What a profile says about one change: its reason, and how far that reason is proven. */
export type Verdict = Omit<Explanation, "profile">;

/**
 * A normalizer profile explains a class of expected differences, narrowly and with a reason.
 * It returns a verdict when it recognises the change, or null. A verdict is `verified` only on
 * evidence the tarball's author cannot forge (see Trust in types.ts); everything else is
 * `unverified`, which never exempts a file from the content rules.
 */
export interface Profile {
  readonly id: string;
  readonly description: string;
  explain(change: Change, ctx: AuditContext): Promise<Verdict | null> | Verdict | null;
}

export const defineProfile = (p: Profile): Profile => p;

/** A difference proven by evidence outside the tarball author's control. */
export const verified = (by: VerifiedBy, reason: string): Verdict => ({ reason, trust: "verified", verifiedBy: by });

/**
 * A difference recognised by its kind but not proven: `kind` groups it in the summary finding,
 * `toVerify` tells the reader what would prove it.
 */
export const unverified = (kind: string, reason: string, toVerify: string): Verdict => ({ reason, trust: "unverified", kind, toVerify });
