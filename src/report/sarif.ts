import { createHash } from "node:crypto";
import type { Log, ReportingDescriptor, Result } from "sarif";
import type { AuditResult, Finding, Severity } from "../types.js";
import { docsUrl, evidenceLine, type AllowedFinding, type RenderOptions, type RuleInfo } from "./common.js";

const LEVEL: Record<Severity, Result.level> = { high: "error", medium: "warning", low: "note", info: "none" };
/** GitHub code scanning reads this as critical ≥ 9, high ≥ 7, medium ≥ 4, low > 0. */
const SECURITY_SEVERITY: Record<Severity, string> = { high: "8.0", medium: "5.0", low: "2.0", info: "0.0" };

function descriptor(info: RuleInfo): ReportingDescriptor {
  return {
    id: info.id,
    name: info.id.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase()),
    shortDescription: { text: info.title },
    fullDescription: { text: info.description },
    help: { text: info.help, markdown: info.help },
    helpUri: info.helpUri,
    defaultConfiguration: { level: LEVEL[info.severity] },
    properties: { tags: info.tags, precision: "high", "security-severity": SECURITY_SEVERITY[info.severity], severity: info.severity },
  };
}

/** A rule seen in the findings but missing from the catalogue still gets a valid descriptor. */
function fallbackInfo(f: Finding): RuleInfo {
  return { id: f.rule, severity: f.severity, title: f.title, description: f.title, help: `${f.title}\n\nSee ${docsUrl(f.rule)}`, helpUri: docsUrl(f.rule), tags: ["security", "supply-chain"] };
}

/**
 * SARIF 2.1.0 for code-scanning dashboards; paths are relative to the tarball root.
 * Accepted (allowed) findings are results with an external suppression carrying the reviewer's reason.
 */
export function renderSarif(r: AuditResult, opts: RenderOptions = {}): string {
  const infos = new Map<string, RuleInfo>(opts.catalogue ?? []);
  const allowed: AllowedFinding[] = r.allowed ?? [];
  for (const f of [...r.findings, ...allowed]) if (!infos.has(f.rule)) infos.set(f.rule, fallbackInfo(f));
  const ids = [...infos.keys()];
  const rules = ids.map((id) => descriptor(infos.get(id)!));
  const seen = new Map<string, number>();
  const result = (f: Finding, allowReason?: string): Result => {
    // Stable across runs and releases: rule, path and the ordinal among findings of that rule at that path.
    const key = `${f.rule}\0${f.path}`;
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    const line = evidenceLine(f);
    return {
      ruleId: f.rule,
      ruleIndex: ids.indexOf(f.rule),
      level: LEVEL[f.severity],
      message: { text: f.message },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: encodeURI(f.path), uriBaseId: "TARBALLROOT" },
            ...(line ? { region: { startLine: line } } : {}),
          },
        },
      ],
      partialFingerprints: { "distvetFinding/v1": createHash("sha256").update(`${key}\0${n}`).digest("hex").slice(0, 32) },
      ...(allowReason !== undefined ? { suppressions: [{ kind: "external" as const, status: "accepted" as const, justification: allowReason }] } : {}),
      properties: { severity: f.severity, "security-severity": SECURITY_SEVERITY[f.severity], ...(f.evidence?.diff ? { diff: f.evidence.diff } : {}) },
    };
  };
  const results: Result[] = [...r.findings.map((f) => result(f)), ...allowed.map((f) => result(f, f.allowReason))];
  const log: Log = {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "distvet",
            version: r.tool.version,
            semanticVersion: r.tool.version,
            informationUri: "https://github.com/distvet/distvet",
            rules,
          },
        },
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
