import type { AuditResult, Severity } from "../types.js";
import { countsLine, docsUrl, evidenceLine, groupFindings, headline, type RenderOptions } from "./common.js";

const COMMAND: Record<Exclude<Severity, "info">, string> = { high: "error", medium: "warning", low: "notice" };
/** Groups of at least this many low findings in one directory become one annotation. */
const GROUP_MIN = 4;

const data = (s: string): string => s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
const prop = (s: string): string => data(s).replace(/:/g, "%3A").replace(/,/g, "%2C");

/** GitHub Actions workflow commands: one annotation per finding (low findings grouped by directory). */
export function renderGithub(r: AuditResult, opts: RenderOptions = {}): string {
  const out: string[] = [];
  for (const g of groupFindings(r.findings)) {
    if (g.severity === "info") continue;
    const cmd = COMMAND[g.severity];
    if (g.severity === "low" && g.findings.length >= GROUP_MIN && !opts.verbose) {
      const f = g.findings[0]!;
      out.push(`::${cmd} file=${prop(f.path)},title=${prop(`${g.rule} (${g.findings.length} files in ${g.dir}/)`)}::${data(`${g.findings.length} files in ${g.dir}/, e.g. ${f.path}: ${f.message}\n${docsUrl(g.rule)}`)}`);
      continue;
    }
    for (const f of g.findings) {
      const line = evidenceLine(f);
      out.push(`::${cmd} file=${prop(f.path)}${line ? `,line=${line}` : ""},title=${prop(`${f.rule}: ${f.title}`)}::${data(`${f.message}\n${docsUrl(f.rule)}`)}`);
    }
  }
  const allowed = r.allowed?.length ?? 0;
  out.push(`::notice title=distvet::${data(`${headline(r)}: ${countsLine(r)}${allowed ? `; ${allowed} allowed by config` : ""}`)}`);
  return out.join("\n") + "\n";
}
