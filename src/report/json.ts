import type { AuditResult } from "../types.js";

/** The stable, re-renderable JSON contract (formatVersion 1). Key order is fixed by construction. */
export function renderJson(r: AuditResult): string {
  return JSON.stringify(r, null, 2) + "\n";
}
