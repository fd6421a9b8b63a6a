import type { Change } from "../types.js";
import type { AuditContext } from "../context.js";

/**
 * A normalizer profile explains a class of expected differences, narrowly and with a reason.
 * It returns the reason when it can explain the change, or null. Explaining never exempts a
 * build script from the behaviour and provenance rules: generated does not mean trusted.
 */
export interface Profile {
  readonly id: string;
  readonly description: string;
  explain(change: Change, ctx: AuditContext): Promise<string | null> | string | null;
}

export const defineProfile = (p: Profile): Profile => p;
