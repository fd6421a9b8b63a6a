/**
 * Audit real releases listed in a manifest and print a table (for docs/real-world.md).
 * Manifest: JSON array of { name, version, tarball, repo, tag?, subdir? }. Nothing here runs in CI.
 * Usage: node dist/bench/real-world.js manifest.json [--json out.json] [--only name]
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
  buildSystem?: string;
}

const [manifest, ...rest] = process.argv.slice(2);
if (!manifest) {
  process.stderr.write("usage: real-world <manifest.json> [--json out.json] [--only name]\n");
  process.exit(2);
}
const only = rest.includes("--only") ? rest[rest.indexOf("--only") + 1] : undefined;
const jsonOut = rest.includes("--json") ? rest[rest.indexOf("--json") + 1] : undefined;
const pairs = (JSON.parse(readFileSync(manifest, "utf8")) as Pair[]).filter((p) => !only || p.name === only);
const rows: { pair: Pair; result?: AuditResult; error?: string; ms: number; rssMiB: number }[] = [];
for (const pair of pairs) {
  const t = performance.now();
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 25);
  try {
    const result = await audit({ tarball: pair.tarball, repo: pair.repo, ...(pair.tag ? { ref: pair.tag } : {}), ...(pair.subdir ? { subdir: pair.subdir } : {}) });
    rows.push({ pair, result, ms: performance.now() - t, rssMiB: peak / 1048576 });
  } catch (e) {
    rows.push({ pair, error: (e as Error).message, ms: performance.now() - t, rssMiB: peak / 1048576 });
  } finally {
    clearInterval(sampler);
  }
  const last = rows[rows.length - 1]!;
  const f = last.result?.summary.findings;
  process.stdout.write(
    `${pair.name} ${pair.version}\t${pair.buildSystem ?? ""}\t${f ? `${f.high}H ${f.medium}M ${f.low}L ${f.info}I` : `ERROR ${last.error}`}\t${last.result?.tarball.entries ?? "-"} entries\tpeak RSS ${last.rssMiB.toFixed(0)} MiB\n`,
  );
  for (const x of last.result?.findings.filter((x) => x.severity === "high" || x.severity === "medium") ?? []) {
    process.stdout.write(`    ${x.severity} ${x.rule} ${x.path}: ${x.message.slice(0, 200)}\n`);
  }
}
if (jsonOut) writeFileSync(jsonOut, JSON.stringify(rows.map((r) => ({ ...r.pair, error: r.error, summary: r.result?.summary, findings: r.result?.findings.map((f) => ({ rule: f.rule, severity: f.severity, path: f.path, message: f.message })), notChecked: r.result?.notChecked })), null, 2));
