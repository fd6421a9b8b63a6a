/**
 * Build every sample (or those named) into samples/<name>/out/:
 *   node dist/samples/build.js [name…]
 * With --print-findings, also audit each and print its findings as expected.json would hold them
 * (for review when a sample or rule changes; expected.json is always edited by hand).
 */
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { SAMPLES } from "./index.js";
import { buildSample } from "./lib/sample.js";
import { audit } from "../src/audit.js";

const here = dirname(fileURLToPath(import.meta.url));
// Compiled to dist/samples/: write next to the sources in samples/<name>/out.
const samplesDir = here.endsWith(join("dist", "samples")) ? join(here, "..", "..", "samples") : here;
const args = process.argv.slice(2);
const print = args.includes("--print-findings");
const wanted = new Set(args.filter((a) => !a.startsWith("--")));
for (const s of SAMPLES) {
  if (wanted.size && !wanted.has(s.name)) continue;
  const built = await buildSample(s, join(samplesDir, s.name, "out"));
  process.stdout.write(`built ${s.name}: ${built.tarball} (repo: ${built.repo})\n`);
  if (!print) continue;
  const r = await audit({ tarball: built.tarball, repo: built.repo, ...(s.args ?? {}) });
  const findings = r.findings.map((f) => ({ rule: f.rule, path: f.path, severity: f.severity }));
  const exitCode = r.findings.some((f) => f.severity === "high" || f.severity === "medium") ? 1 : 0;
  process.stdout.write(JSON.stringify({ exitCode, findings, ...(r.notChecked.length ? { notChecked: r.notChecked } : {}) }, null, 2) + "\n");
}
