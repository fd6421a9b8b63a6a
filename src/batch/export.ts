import { stringify } from "csv-stringify/sync";
import type { ResultRow } from "./store.js";

export const RESULT_FORMATS = ["json", "csv", "markdown"] as const;
export type ResultFormat = (typeof RESULT_FORMATS)[number];

const COLUMNS = ["input", "repo", "ref", "status", "git_ref", "commit_id", "tarball_sha256", "high", "medium", "low", "info", "error"] as const;

/** Export stored job rows (one per job, results joined) as JSON, CSV or a Markdown table. */
export function renderResults(rows: ResultRow[], format: ResultFormat): string {
  if (format === "json") return JSON.stringify(rows.map((r) => Object.fromEntries(COLUMNS.map((c) => [c, r[c]]))), null, 2) + "\n";
  if (format === "csv") return stringify(rows.map((r) => COLUMNS.map((c) => r[c] ?? "")), { header: true, columns: [...COLUMNS] });
  const cell = (v: unknown) => String(v ?? "").replace(/\|/g, "\\|").replace(/\n/g, " ");
  const out = ["| input | status | ref | commit | high | medium | low | info | error |", "|---|---|---|---|---|---|---|---|---|"];
  for (const r of rows) out.push(`| ${cell(r.input)} | ${r.status} | ${cell(r.git_ref)} | ${r.commit_id ? `\`${r.commit_id.slice(0, 12)}\`` : ""} | ${r.high ?? ""} | ${r.medium ?? ""} | ${r.low ?? ""} | ${r.info ?? ""} | ${cell(r.error)} |`);
  return out.join("\n") + "\n";
}
