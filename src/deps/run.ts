import pLimit from "p-limit";
import type { Log } from "sarif";
import { addFindings, auditSpec, resolveSpec, type SpecAuditResult, type SpecOptions } from "../spec.js";
import { parseRepository, sameRepository } from "../fetch/repository.js";
import { openRepo } from "../git/open.js";
import type { Finding } from "../types.js";
import { renderSarif } from "../report/sarif.js";
import { SEVERITIES, severityRank, type Severity } from "../types.js";
import { keyOf, type LockedPackage } from "./lockfiles.js";

export type FailOn = Severity | "none";

export interface DepRow {
  ecosystem: LockedPackage["ecosystem"];
  name: string;
  version: string;
  /** "audited", "error" (could not be audited), "not-applicable" (not from a registry). */
  status: "audited" | "error" | "not-applicable";
  /** repo@commit that was audited. */
  resolved?: string;
  findings?: Record<Severity, number>;
  /** Per package: 0 clean, 1 findings at or above --fail-on, 2 could not be audited. */
  exit: 0 | 1 | 2;
  error?: string;
  result?: SpecAuditResult;
}

export interface DepsReport {
  lockfile: string;
  base?: string;
  /** Package versions in the lockfile / new relative to the base. */
  total: number;
  rows: DepRow[];
  exit: 0 | 1 | 2;
}

const specFor = (p: LockedPackage): string => (p.ecosystem === "npm" ? `npm:${p.name}@${p.version}` : `crate:${p.name}@${p.version}`);

export function exitFor(findings: Record<Severity, number>, failOn: FailOn): 0 | 1 {
  if (failOn === "none") return 0;
  return SEVERITIES.some((s) => severityRank(s) <= severityRank(failOn) && findings[s] > 0) ? 1 : 0;
}

/** 2 when any package could not be audited, else 1 when any has findings at or above the threshold, else 0. */
export const aggregateExit = (rows: DepRow[]): 0 | 1 | 2 => (rows.some((r) => r.exit === 2) ? 2 : rows.some((r) => r.exit === 1) ? 1 : 0);

/**
 * A bumped npm package whose new version names another repository than the version it replaces:
 * whoever can publish it can also point it at a repository they control, and the audit would then
 * compare the tarball with their tree.
 */
async function repositoryChange(p: LockedPackage, result: SpecAuditResult, before: LockedPackage[], o: SpecOptions): Promise<Finding | null> {
  const now = result.source.repository ? parseRepository(result.source.repository) : null;
  if (p.ecosystem !== "npm" || !now) return null;
  for (const old of before) {
    let prev;
    try {
      prev = await resolveSpec(`npm:${old.name}@${old.version}`, { ...(o.registries ? { registries: o.registries } : {}), ...(o.fetcher ? { fetcher: o.fetcher } : {}) });
    } catch {
      continue;
    }
    if (prev.repository && !sameRepository(prev.repository, now)) {
      // Continuity: a repository that was moved or renamed (or forked with its history) still has the
      // commit the old version was published from. Only a commit id counts: anyone can make a tag named v1.0.0.
      let continued = false;
      if (result.gitdir && prev.commit) {
        const backend = await openRepo(result.gitdir, o.gitBackend ?? "auto");
        try {
          continued = (await backend.resolveCommit(prev.commit)) === prev.commit;
        } finally {
          await backend.close();
        }
      }
      return {
        rule: "registry-repository-changed",
        severity: continued ? "low" : "medium",
        path: result.source.spec,
        title: "The new version names another source repository",
        message: `${p.name} ${old.version} named ${prev.repository.url}; ${p.version} names ${now.url}, and was audited against that repository${continued ? ` (which has the commit ${old.version} was published from: moved, renamed or forked with its history)` : ` (which is not shown to hold ${old.version}'s published commit)`}`,
        evidence: { lines: [`${old.version}: ${prev.repository.url}`, `${p.version}: ${now.url}`] },
        docs: "docs/registries.md#repository-changes",
      };
    }
    return null;
  }
  return null;
}

/** Audit each package (at most `jobs` at a time); one package's failure is its row's error. */
export async function auditPackages(
  pkgs: LockedPackage[],
  o: SpecOptions & { jobs?: number; failOn?: FailOn; onDone?: (row: DepRow) => void; base?: LockedPackage[] },
): Promise<DepRow[]> {
  const limit = pLimit(Math.max(1, o.jobs ?? 4));
  const failOn = o.failOn ?? "medium";
  const { jobs: _j, failOn: _f, onDone, base: basePkgs, ...specOpts } = o;
  return Promise.all(
    pkgs.map((p) =>
      limit(async (): Promise<DepRow> => {
        const base = { ecosystem: p.ecosystem, name: p.name, version: p.version };
        let row: DepRow;
        if (p.notFromRegistry) row = { ...base, status: "not-applicable", exit: 0, error: `not from a registry: ${p.notFromRegistry}` };
        else {
          try {
            const result = await auditSpec(specFor(p), { ...specOpts, expect: p.digests });
            const before = (basePkgs ?? []).filter((b) => b.ecosystem === p.ecosystem && b.name === p.name && !b.notFromRegistry);
            const moved = before.length ? await repositoryChange(p, result, before, specOpts) : null;
            if (moved) addFindings(result, [moved], specOpts.allow ?? []);
            row = { ...base, status: "audited", resolved: `${result.git.source}@${result.git.commit.slice(0, 12)}`, findings: result.summary.findings, exit: exitFor(result.summary.findings, failOn), result };
          } catch (e) {
            row = { ...base, status: "error", exit: 2, error: (e as Error).message };
          }
        }
        onDone?.(row);
        return row;
      }),
    ),
  );
}

const counts = (f?: Record<Severity, number>) => (f ? SEVERITIES.map((s) => f[s]).join("/") : "-");

export function renderDepsText(r: DepsReport): string {
  const head = ["package", "version", "resolved repo@commit", "high/medium/low/info", "exit"];
  const body = r.rows.map((x) => [x.name, x.version, x.resolved ?? (x.status === "not-applicable" ? "(not audited)" : "(unresolved)"), counts(x.findings), String(x.exit)]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(w[i]!)).join("  ").trimEnd();
  const out = [`${r.lockfile}: ${r.total} package version${r.total === 1 ? "" : "s"}${r.base ? ` new since ${r.base}` : ""}`, "", line(head), ...body.map(line)];
  const problems = r.rows.filter((x) => x.error);
  if (problems.length) {
    out.push("", "Not audited:");
    for (const x of problems) out.push(`  ${x.name}@${x.version}: ${x.error}`);
  }
  const audited = r.rows.filter((x) => x.status === "audited").length;
  const errors = r.rows.filter((x) => x.status === "error").length;
  const flagged = r.rows.filter((x) => x.exit === 1).length;
  out.push("", `Result: ${audited} audited, ${flagged} with findings at or above the threshold, ${errors} could not be audited, ${r.rows.length - audited - errors} not from a registry. Exit ${r.exit}.`);
  return out.join("\n") + "\n";
}

export function renderDepsMarkdown(r: DepsReport): string {
  const out = [`### distvet deps: ${r.lockfile}${r.base ? ` (new since ${r.base})` : ""}`, "", "| package | version | resolved repo@commit | high | medium | low | info | exit |", "|---|---|---|---|---|---|---|---|"];
  for (const x of r.rows) {
    const f = x.findings;
    out.push(`| ${x.name} | ${x.version} | ${x.resolved ? `\`${x.resolved}\`` : (x.error ?? "").replace(/\|/g, "\\|")} | ${f ? SEVERITIES.map((s) => f[s]).join(" | ") : "- | - | - | -"} | ${x.exit} |`);
  }
  out.push("", `Exit ${r.exit}.`);
  return out.join("\n") + "\n";
}

export function renderDepsJson(r: DepsReport): string {
  return JSON.stringify({ formatVersion: 1, kind: "deps", ...r, rows: r.rows.map(({ result, ...row }) => ({ ...row, ...(result ? { result } : {}) })) }, null, 2) + "\n";
}

/** One SARIF log with one run per audited package (each run as `distvet audit --format sarif` writes it). */
export function renderDepsSarif(r: DepsReport): string {
  const runs = r.rows.flatMap((x) => {
    const id = { id: `distvet-deps/${x.name}@${x.version}` };
    if (!x.result) {
      if (x.status !== "error") return [];
      return [{ tool: { driver: { name: "distvet" } }, automationDetails: id, results: [], invocations: [{ executionSuccessful: false, toolExecutionNotifications: [{ level: "error" as const, message: { text: `${x.name}@${x.version}: ${x.error}` } }] }] }];
    }
    const log = JSON.parse(renderSarif(x.result)) as Log;
    return log.runs.map((run) => ({ ...run, automationDetails: id }));
  });
  const log: Log = { $schema: "https://json.schemastore.org/sarif-2.1.0.json", version: "2.1.0", runs };
  return JSON.stringify(log, null, 2) + "\n";
}

export const DEPS_FORMATS = ["text", "json", "sarif", "markdown"] as const;
export type DepsFormat = (typeof DEPS_FORMATS)[number];

export function renderDeps(r: DepsReport, format: DepsFormat): string {
  return format === "json" ? renderDepsJson(r) : format === "sarif" ? renderDepsSarif(r) : format === "markdown" ? renderDepsMarkdown(r) : renderDepsText(r);
}

export { keyOf };
