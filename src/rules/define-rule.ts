import type { Evidence, Finding, Severity } from "../types.js";
import type { AuditContext } from "../context.js";

export const DOCS_BASE = "docs/rules/";

export interface RuleMeta {
  /** Stable id, also the name of docs/rules/<id>.md. */
  id: string;
  /** The severity this rule usually reports at; single findings may differ (documented per rule). */
  severity: Severity;
  title: string;
}

export interface FindingInput {
  path: string;
  message: string;
  severity?: Severity;
  title?: string;
  evidence?: Evidence;
}

export interface Rule extends RuleMeta {
  check(ctx: AuditContext): Promise<Finding[]>;
}

export interface RuleDefinition extends RuleMeta {
  check(ctx: AuditContext, report: (f: FindingInput) => void): Promise<void> | void;
}

/** One rule per file: metadata plus a check that reports findings through `report`. */
export function defineRule(def: RuleDefinition): Rule {
  return {
    id: def.id,
    severity: def.severity,
    title: def.title,
    async check(ctx) {
      const out: Finding[] = [];
      await def.check(ctx, (f) => {
        out.push({
          rule: def.id,
          severity: f.severity ?? def.severity,
          path: f.path,
          title: f.title ?? def.title,
          message: f.message,
          ...(f.evidence ? { evidence: f.evidence } : {}),
          docs: `${DOCS_BASE}${def.id}.md`,
        });
      });
      return out;
    },
  };
}
