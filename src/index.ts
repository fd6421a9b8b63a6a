export { audit, sortFindings, type AuditOptions } from "./audit.js";
export type { AuditResult, Change, ChangeKind, Evidence, Explanation, Finding, NotChecked, Severity, TarEntry, TreeEntry } from "./types.js";
export { SEVERITIES } from "./types.js";
export { DistvetError, isDistvetError, type ErrorCode } from "./errors.js";
export { render, renderText, renderJson, renderSarif, renderMarkdown, renderHtml, FORMATS, type Format } from "./report/index.js";
export { RULES } from "./rules/registry.js";
export { PROFILES } from "./normalize/index.js";
export { loadConfig, type Config, type AllowEntry } from "./config.js";
export { readTarball } from "./archive/read-tar.js";
