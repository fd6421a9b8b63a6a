/**
 * Audit real releases listed in a manifest and print a table (for docs/real-world.md).
 * Manifest: JSON array of { name, version, tarball, repo, tag?, subdir?, submodules? } (submodules: { path: clone }). Nothing here runs in CI.
 * Usage: node dist/bench/real-world.js manifest.json [--json out.json] [--only name] [--regenerate] [--cache-dir DIR]
 * With --regenerate, every release is audited twice, without and with regeneration, and the
 * regeneration table (generated files, reproduced, differing, not regenerable and why) is printed.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { audit } from "../src/audit.js";
import type { AuditResult } from "../src/types.js";

interface Pair {
  name: string;
  version: string;
  tarball: string;
  repo: string;
  tag?: string;
  subdir?: string | null;
  /** Submodule path -> clone, as --submodule gives them. */
  submodules?: Record<string, string>;
  buildSystem?: string;
}

const [manifest, ...rest] = process.argv.slice(2);
if (!manifest) {
  process.stderr.write("usage: real-world <manifest.json> [--json out.json] [--only name]\n");
  process.exit(2);
}
const only = rest.includes("--only") ? rest[rest.indexOf("--only") + 1] : undefined;
const jsonOut = rest.includes("--json") ? rest[rest.indexOf("--json") + 1] : undefined;
const withRegen = rest.includes("--regenerate");
const regenCache = rest.includes("--cache-dir") ? rest[rest.indexOf("--cache-dir") + 1] : undefined;
const pairs = (JSON.parse(readFileSync(manifest, "utf8")) as Pair[]).filter((p) => !only || p.name === only);
const rows: { pair: Pair; result?: AuditResult; error?: string; ms: number; rssMiB: number; regen?: { result?: AuditResult; error?: string; ms: number } }[] = [];
for (const pair of pairs) {
  const t = performance.now();
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 25);
  try {
    const result = await audit({ tarball: pair.tarball, repo: pair.repo, ...(pair.tag ? { ref: pair.tag } : {}), ...(pair.subdir ? { subdir: pair.subdir } : {}), ...(pair.submodules ? { submodules: new Map(Object.entries(pair.submodules)) } : {}) });
    rows.push({ pair, result, ms: performance.now() - t, rssMiB: peak / 1048576 });
  } catch (e) {
    rows.push({ pair, error: (e as Error).message, ms: performance.now() - t, rssMiB: peak / 1048576 });
  } finally {
    clearInterval(sampler);
  }
  const last = rows[rows.length - 1]!;
  if (withRegen) {
    const t2 = performance.now();
    try {
      const result = await audit({
        tarball: pair.tarball,
        repo: pair.repo,
        ...(pair.tag ? { ref: pair.tag } : {}),
        ...(pair.subdir ? { subdir: pair.subdir } : {}),
        ...(pair.submodules ? { submodules: new Map(Object.entries(pair.submodules)) } : {}),
        regenerate: { ...(regenCache ? { cacheDir: regenCache } : {}), onNote: (m) => process.stderr.write(`  ${m}\n`) },
      });
      last.regen = { result, ms: performance.now() - t2 };
    } catch (e) {
      last.regen = { error: (e as Error).message, ms: performance.now() - t2 };
    }
  }
  const f = last.result?.summary.findings;
  process.stdout.write(
    `${pair.name} ${pair.version}\t${pair.buildSystem ?? ""}\t${f ? `${f.high}H ${f.medium}M ${f.low}L ${f.info}I` : `ERROR ${last.error}`}\t${last.result?.tarball.entries ?? "-"} entries\tpeak RSS ${last.rssMiB.toFixed(0)} MiB\n`,
  );
  for (const x of last.result?.findings.filter((x) => x.severity === "high" || x.severity === "medium") ?? []) {
    process.stdout.write(`    ${x.severity} ${x.rule} ${x.path}: ${x.message.slice(0, 200)}\n`);
  }
  if (last.regen) printRegen(pair, last.ms, last.regen);
}

function printRegen(pair: Pair, plainMs: number, r: { result?: AuditResult; error?: string; ms: number }): void {
  const g = r.result?.regeneration;
  if (!g) {
    process.stdout.write(`  regenerate: ${r.error ? `ERROR ${r.error}` : "no regeneration report"}\n`);
    return;
  }
  const by = (s: string) => g.files.filter((f) => f.status === s);
  const f = r.result!.summary.findings;
  process.stdout.write(
    `  regenerate: ${g.summary}; differs ${by("differs").length}; not regenerable ${by("not-regenerable").length}; audit ${(plainMs / 1000).toFixed(1)} s, with --regenerate ${(r.ms / 1000).toFixed(1)} s; ${f.high}H ${f.medium}M ${f.low}L ${f.info}I\n`,
  );
  for (const x of g.files) process.stdout.write(`    ${x.status}\t${x.path}\t${x.step}${x.reason ? `\t${x.reason.slice(0, 300)}` : ""}\n`);
  for (const s of g.steps) process.stdout.write(`    step ${s.name}: ${s.status}${s.cached ? " (cached)" : ""} ${(s.durationMs / 1000).toFixed(1)} s${s.reason ? ` — ${s.reason.slice(0, 200)}` : ""}\n`);
  for (const m of g.missingTools) process.stdout.write(`    missing: ${m}\n`);
  for (const x of r.result!.findings.filter((x) => x.rule === "regeneration-mismatch")) process.stdout.write(`    HIGH ${x.path}: ${x.message.slice(0, 200)}\n`);
  void pair;
}
if (jsonOut) writeFileSync(jsonOut, JSON.stringify(rows.map((r) => ({ ...r.pair, error: r.error, summary: r.result?.summary, findings: r.result?.findings.map((f) => ({ rule: f.rule, severity: f.severity, path: f.path, message: f.message })), notChecked: r.result?.notChecked, ...(r.regen ? { regenerateMs: r.regen.ms, regenerateError: r.regen.error, regeneration: r.regen.result?.regeneration, regenerateSummary: r.regen.result?.summary } : {}) })), null, 2));
