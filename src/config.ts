import { readFileSync } from "node:fs";
import ignore from "ignore";
import type { Finding, Severity } from "./types.js";
import { SEVERITIES } from "./types.js";
import { DistvetError } from "./errors.js";

/** One accepted finding: rule id and a gitignore-style path pattern, with the reviewer's reason. */
export interface AllowEntry {
  rule: string;
  path: string;
  reason: string;
}

export interface Config {
  failOn?: Severity | "none";
  allow: AllowEntry[];
}

/** Read a JSON config file: { "failOn": "medium", "allow": [{ "rule", "path", "reason" }] }. */
export function loadConfig(file: string): Config {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new DistvetError("E_BAD_CONFIG", `cannot read config ${file}: ${(e as Error).message}`);
  }
  const obj = raw as { failOn?: unknown; allow?: unknown };
  if (typeof raw !== "object" || raw === null) throw new DistvetError("E_BAD_CONFIG", `config ${file} must be a JSON object`);
  if (obj.failOn !== undefined && !([...SEVERITIES, "none"] as unknown[]).includes(obj.failOn)) {
    throw new DistvetError("E_BAD_CONFIG", `config ${file}: failOn must be one of high, medium, low, info, none`);
  }
  const allow: AllowEntry[] = [];
  for (const [i, a] of ((obj.allow ?? []) as unknown[]).entries()) {
    const e = a as Partial<AllowEntry>;
    if (typeof e?.rule !== "string" || typeof e.path !== "string" || typeof e.reason !== "string" || !e.reason.trim()) {
      throw new DistvetError("E_BAD_CONFIG", `config ${file}: allow[${i}] needs "rule", "path" and a non-empty "reason"`);
    }
    allow.push({ rule: e.rule, path: e.path, reason: e.reason });
  }
  return { ...(obj.failOn ? { failOn: obj.failOn as Severity | "none" } : {}), allow };
}

/** gitignore-style match for ordinary paths; exact text match for absolute or ".." member names. */
function matchesPath(ig: ReturnType<typeof ignore>, pattern: string, path: string): boolean {
  if (!path) return false;
  if (path.startsWith("/") || path.split("/").includes("..")) return pattern === path;
  try {
    return ig.ignores(path);
  } catch {
    return pattern === path;
  }
}

/** Split findings into those still reported and those a config entry accepts. */
export function applyAllow(findings: Finding[], allow: AllowEntry[]): { kept: Finding[]; allowed: (Finding & { allowReason: string })[] } {
  const matchers = allow.map((a) => ({ a, ig: ignore().add(a.path) }));
  const kept: Finding[] = [];
  const allowed: (Finding & { allowReason: string })[] = [];
  for (const f of findings) {
    const hit = matchers.find(({ a, ig }) => (a.rule === "*" || a.rule === f.rule) && matchesPath(ig, a.path, f.path));
    if (hit) allowed.push({ ...f, allowReason: hit.a.reason });
    else kept.push(f);
  }
  return { kept, allowed };
}
