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
  /**
   * `folds(severity)` is true once findings of that severity are only counted (see
   * FINDINGS_PER_SEVERITY_MAX): a rule with very many findings may then report just the path and
   * skip building a message and evidence nobody will see.
   */
  check(ctx: AuditContext, report: (f: FindingInput) => void, folds: (severity?: Severity) => boolean): Promise<void> | void;
}

/**
 * A rule reports at most this many findings of one severity; the rest are folded into one
 * finding of the same severity that counts them and names the first few (a tarball of a
 * million added files must not become a million finding objects). Severity and the exit code
 * are unchanged by folding.
 */
export const FINDINGS_PER_SEVERITY_MAX = 1000;
const FOLDED_PATHS_SHOWN = 20;

/** One rule per file: metadata plus a check that reports findings through `report`. */
export function defineRule(def: RuleDefinition): Rule {
  return {
    id: def.id,
    severity: def.severity,
    title: def.title,
    async check(ctx) {
      const out: Finding[] = [];
      const kept = new Map<Severity, number>();
      const folded = new Map<Severity, { count: number; paths: string[] }>();
      const folds = (severity?: Severity): boolean => (kept.get(severity ?? def.severity) ?? 0) >= FINDINGS_PER_SEVERITY_MAX;
      await def.check(ctx, (f) => {
        const severity = f.severity ?? def.severity;
        const n = kept.get(severity) ?? 0;
        if (n >= FINDINGS_PER_SEVERITY_MAX) {
          const fold = folded.get(severity) ?? { count: 0, paths: [] };
          fold.count++;
          if (fold.paths.length < FOLDED_PATHS_SHOWN) fold.paths.push(f.path);
          folded.set(severity, fold);
          return;
        }
        kept.set(severity, n + 1);
        out.push({
          rule: def.id,
          severity: f.severity ?? def.severity,
          path: f.path,
          title: f.title ?? def.title,
          message: f.message,
          ...(f.evidence ? { evidence: f.evidence } : {}),
          docs: `${DOCS_BASE}${def.id}.md`,
        });
      }, folds);
      for (const [severity, { count, paths }] of folded) {
        out.push({
          rule: def.id,
          severity,
          path: `(${count} more files)`,
          title: def.title,
          message: `${count} more files gave this finding at this severity; past ${FINDINGS_PER_SEVERITY_MAX} they are counted here instead of listed one by one (first ${paths.length} shown). Each deserves the same review as the listed ones.`,
          evidence: { lines: paths },
          docs: `${DOCS_BASE}${def.id}.md`,
        });
      }
      return out;
    },
  };
}
