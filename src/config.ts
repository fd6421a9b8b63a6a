import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Ajv, type ErrorObject } from "ajv";
import ignore from "ignore";
import type { Finding, Severity } from "./types.js";
import { DistvetError } from "./errors.js";
import { packageRoot } from "./version.js";

/** One accepted finding: rule id and a gitignore-style path pattern, with the reviewer's reason. */
export interface AllowEntry {
  rule: string;
  path: string;
  reason: string;
}

export interface Config {
  failOn?: Severity | "none";
  /** Opt-in for allow entries with "rule": "*" (every rule, including rules added later). */
  allowAnyRule?: boolean;
  allow: AllowEntry[];
  /** Where the config came from (a file, or "package.json#distvet"), when it came from a file. */
  source?: string;
}

/** Config file names looked up in the working directory, in this order. */
export const CONFIG_FILES = ["distvet.config.json", ".distvetrc.json"] as const;

/** The JSON schema shipped with the package (schema/distvet.schema.json). */
export function configSchemaPath(): string {
  return join(packageRoot(), "schema", "distvet.schema.json");
}

let validator: ReturnType<Ajv["compile"]> | undefined;
function validate(raw: unknown): ErrorObject[] {
  if (!validator) {
    const ajv = new Ajv({ allErrors: true, strict: true });
    validator = ajv.compile(JSON.parse(readFileSync(configSchemaPath(), "utf8")) as object);
  }
  return validator(raw) ? [] : (validator.errors ?? []);
}

/** "allow[2].reason" from "/allow/2/reason". */
function where(pointer: string): string {
  if (!pointer) return "";
  return pointer
    .split("/")
    .slice(1)
    .map((p, i) => (/^\d+$/.test(p) ? `[${p}]` : i === 0 ? p : `.${p}`))
    .join("");
}

/** One readable line per schema error. */
function describe(e: ErrorObject): string {
  const at = where(e.instancePath);
  const prefix = at ? `${at}: ` : "";
  switch (e.keyword) {
    case "additionalProperties":
      return `${prefix}unknown key "${(e.params as { additionalProperty: string }).additionalProperty}"`;
    case "required":
      return `${prefix}missing "${(e.params as { missingProperty: string }).missingProperty}"`;
    case "enum":
      return `${prefix}must be one of ${((e.params as { allowedValues: unknown[] }).allowedValues).map(String).join(", ")}`;
    case "pattern":
    case "minLength":
      return `${prefix}must not be empty`;
    default:
      return `${prefix}${e.message ?? "is invalid"}`;
  }
}

/**
 * Check a parsed config against the shipped schema and the rule catalogue.
 * Returns one message per problem (empty when the config is valid).
 */
export function configProblems(raw: unknown, ruleIds?: readonly string[]): string[] {
  const problems = validate(raw)
    // "required" for reason is clearer than the pattern error that may come with it; drop exact repeats.
    .map(describe)
    .filter((m, i, all) => all.indexOf(m) === i);
  const cfg = (typeof raw === "object" && raw !== null ? raw : {}) as { allow?: unknown; allowAnyRule?: unknown };
  for (const [i, a] of (Array.isArray(cfg.allow) ? (cfg.allow as Partial<AllowEntry>[]) : []).entries()) {
    if (typeof a?.rule !== "string" || !a.rule) continue;
    if (a.rule === "*") {
      if (cfg.allowAnyRule !== true) problems.push(`allow[${i}].rule: "*" accepts every rule, including rules added later; set "allowAnyRule": true to allow it`);
    } else if (ruleIds && !ruleIds.includes(a.rule)) {
      problems.push(`allow[${i}].rule: unknown rule id "${a.rule}" (distvet rules lists them)`);
    }
  }
  return problems;
}

/** Validate a parsed config; throws E_BAD_CONFIG with one line per problem. */
export function parseConfig(raw: unknown, source: string, ruleIds?: readonly string[]): Config {
  const problems = configProblems(raw, ruleIds);
  if (problems.length) throw new DistvetError("E_BAD_CONFIG", problems.map((p) => `config ${source}: ${p}`).join("\n"), { problems });
  const obj = raw as { failOn?: Severity | "none"; allowAnyRule?: boolean; allow?: AllowEntry[] };
  return {
    ...(obj.failOn ? { failOn: obj.failOn } : {}),
    ...(obj.allowAnyRule ? { allowAnyRule: true } : {}),
    allow: (obj.allow ?? []).map((a) => ({ rule: a.rule, path: a.path, reason: a.reason })),
    source,
  };
}

/** Read and validate a JSON config file: { "failOn": "medium", "allow": [{ "rule", "path", "reason" }] }. */
export function loadConfig(file: string, ruleIds?: readonly string[]): Config {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new DistvetError("E_BAD_CONFIG", `cannot read config ${file}: ${(e as Error).message}`);
  }
  return parseConfig(raw, file, ruleIds);
}

/**
 * Find the config in `dir` (the working directory): distvet.config.json, .distvetrc.json, then the
 * "distvet" key of package.json. Only the given directory is searched, never the audited repository:
 * a config inside the audited project would let its authors allow their own findings.
 */
export function discoverConfig(dir: string, ruleIds?: readonly string[]): Config | undefined {
  const found: string[] = CONFIG_FILES.map((f) => join(dir, f)).filter((f) => existsSync(f));
  let pkgConfig: unknown;
  const pkgFile = join(dir, "package.json");
  if (existsSync(pkgFile)) {
    try {
      const pkg = JSON.parse(readFileSync(pkgFile, "utf8")) as { distvet?: unknown };
      if (pkg && typeof pkg === "object" && pkg.distvet !== undefined) {
        pkgConfig = pkg.distvet;
        found.push(`${pkgFile}#distvet`);
      }
    } catch {
      /* a package.json we cannot parse is not ours to judge */
    }
  }
  if (found.length > 1) throw new DistvetError("E_BAD_CONFIG", `more than one config found: ${found.join(", ")}; keep one or pass --config`);
  if (!found.length) return undefined;
  const only = found[0]!;
  return only.endsWith("#distvet") ? parseConfig(pkgConfig, only, ruleIds) : loadConfig(resolve(only), ruleIds);
}

/** A starter config: strict default gate, one example allow entry showing the required fields. */
export function starterConfig(): string {
  const cfg = {
    $schema: "https://raw.githubusercontent.com/distvet/distvet/main/schema/distvet.schema.json",
    $comment:
      "distvet config. failOn: exit 1 at or above this severity. allow: findings you reviewed, e.g. " +
      '{ "rule": "binary-added", "path": "doc/manual.pdf", "reason": "rendered from doc/manual.texi at the tag; rebuilt and compared" }. ' +
      "Every allowed finding is still listed in the report with its reason. Rule ids: distvet rules.",
    failOn: "medium",
    allow: [],
  };
  return JSON.stringify(cfg, null, 2) + "\n";
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

/** For each finding, the index of the first allow entry that accepts it, or -1. */
export function allowMatcher(allow: AllowEntry[]): (f: Pick<Finding, "rule" | "path">) => number {
  const matchers = allow.map((a) => ({ a, ig: ignore().add(a.path) }));
  return (f) => matchers.findIndex(({ a, ig }) => (a.rule === "*" || a.rule === f.rule) && matchesPath(ig, a.path, f.path));
}

/** Split findings into those still reported and those a config entry accepts. */
export function applyAllow(findings: Finding[], allow: AllowEntry[]): { kept: Finding[]; allowed: (Finding & { allowReason: string })[] } {
  const match = allowMatcher(allow);
  const kept: Finding[] = [];
  const allowed: (Finding & { allowReason: string })[] = [];
  for (const f of findings) {
    const i = match(f);
    if (i >= 0) allowed.push({ ...f, allowReason: allow[i]!.reason });
    else kept.push(f);
  }
  return { kept, allowed };
}

/** Allow entries that accepted no finding of this audit (stale or misspelt entries). */
export function unusedAllowEntries(allow: AllowEntry[], allowed: readonly Pick<Finding, "rule" | "path">[]): { index: number; entry: AllowEntry }[] {
  const match = allowMatcher(allow);
  const used = new Set(allowed.map(match));
  return allow.map((entry, index) => ({ index, entry })).filter(({ index }) => !used.has(index));
}
