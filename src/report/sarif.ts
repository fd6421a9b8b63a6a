import type { Log, ReportingDescriptor, Result } from "sarif";
import type { AuditResult, Severity } from "../types.js";
import { RULES } from "../rules/registry.js";

const LEVEL: Record<Severity, Result.level> = { high: "error", medium: "warning", low: "note", info: "none" };

/** SARIF 2.1.0 for code-scanning dashboards; paths are relative to the tarball root. */
export function renderSarif(r: AuditResult): string {
  const rules: ReportingDescriptor[] = RULES.map((rule) => ({
    id: rule.id,
    name: rule.id,
    shortDescription: { text: rule.title },
    helpUri: `docs/rules/${rule.id}.md`,
    defaultConfiguration: { level: LEVEL[rule.severity] },
    properties: { severity: rule.severity },
  }));
  const results: Result[] = r.findings.map((f) => ({
    ruleId: f.rule,
    ...(rules.some((x) => x.id === f.rule) ? { ruleIndex: rules.findIndex((x) => x.id === f.rule) } : {}),
    level: LEVEL[f.severity],
    message: { text: f.message },
    locations: [{ physicalLocation: { artifactLocation: { uri: encodeURI(f.path), uriBaseId: "TARBALLROOT" } } }],
    properties: { severity: f.severity, ...(f.evidence?.diff ? { diff: f.evidence.diff } : {}) },
  }));
  const log: Log = {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: { driver: { name: "distvet", version: r.tool.version, semanticVersion: r.tool.version, rules } },
        originalUriBaseIds: { TARBALLROOT: { description: { text: `root of ${r.tarball.source}` } } },
        results,
        invocations: [
          {
            executionSuccessful: true,
            toolExecutionNotifications: r.notChecked.map((n) => ({ level: "warning" as const, message: { text: `not checked: ${n.path}: ${n.reason}` } })),
          },
        ],
        properties: { tarball: r.tarball, git: r.git, summary: r.summary },
      },
    ],
  };
  return JSON.stringify(log, null, 2) + "\n";
}
