import { basename } from "node:path";
import { parse as parseYaml } from "yaml";
import { createRequire } from "node:module";
import { parse as parseToml } from "smol-toml";
import { DistvetError } from "../errors.js";
import { parseIntegrity } from "../fetch/registries/npm.js";
import type { ExpectedDigest } from "../fetch/registries/types.js";

// A CommonJS bundle whose default-export shape differs between loaders: require it.
const yarnLockfile = createRequire(import.meta.url)("@yarnpkg/lockfile") as typeof import("@yarnpkg/lockfile");

/** One locked package version. */
export interface LockedPackage {
  ecosystem: "npm" | "crate";
  name: string;
  version: string;
  /** Digests the lockfile pins (npm integrity, Cargo checksum). */
  digests: ExpectedDigest[];
  /** Set when the package does not come from a registry (git, local path, workspace link): listed, not audited. */
  notFromRegistry?: string;
}

export type LockfileKind = "package-lock" | "pnpm" | "yarn" | "cargo";

export const keyOf = (p: Pick<LockedPackage, "ecosystem" | "name" | "version">): string => `${p.ecosystem}:${p.name}@${p.version}`;

export function lockfileKind(path: string, text: string): LockfileKind {
  const b = basename(path);
  if (b === "package-lock.json" || b === "npm-shrinkwrap.json") return "package-lock";
  if (b === "pnpm-lock.yaml") return "pnpm";
  if (b === "yarn.lock") return "yarn";
  if (b === "Cargo.lock") return "cargo";
  const t = text.trimStart();
  if (t.startsWith("{") && t.includes('"lockfileVersion"')) return "package-lock";
  if (/^lockfileVersion:/m.test(t)) return "pnpm";
  if (/^\[\[package\]\]/m.test(t)) return "cargo";
  if (/^# yarn lockfile|^__metadata:/m.test(t)) return "yarn";
  throw new DistvetError("E_BAD_ARGUMENT", `${path} is not a lockfile distvet reads (package-lock.json, pnpm-lock.yaml, yarn.lock, Cargo.lock)`);
}

const fromRegistryUrl = (resolved: unknown): boolean => typeof resolved !== "string" || /^https?:\/\/.+\.tgz([?#].*)?$/i.test(resolved);

function npmEntry(name: string, e: { version?: unknown; resolved?: unknown; integrity?: unknown; link?: unknown }): LockedPackage | null {
  if (typeof e.version !== "string") return null;
  const base = { ecosystem: "npm" as const, name, version: e.version };
  const digests = typeof e.integrity === "string" ? parseIntegrity(e.integrity, "the lockfile's integrity") : [];
  if (e.link) return { ...base, digests, notFromRegistry: `workspace link to ${String(e.resolved)}` };
  if (typeof e.resolved === "string" && !fromRegistryUrl(e.resolved)) return { ...base, digests, notFromRegistry: `resolved from ${e.resolved}` };
  if (/^(git|file|link|https?):|^github:|\//.test(e.version)) return { ...base, digests, notFromRegistry: `version is ${e.version}` };
  return { ...base, digests };
}

/** package-lock.json / npm-shrinkwrap.json: v2/v3 `packages`, v1 `dependencies`. */
export function parsePackageLock(text: string): LockedPackage[] {
  let doc: { lockfileVersion?: number; packages?: Record<string, Record<string, unknown>>; dependencies?: Record<string, Record<string, unknown>> };
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new DistvetError("E_BAD_ARGUMENT", `package-lock.json is not JSON: ${(e as Error).message}`);
  }
  const out: LockedPackage[] = [];
  if (doc.packages) {
    for (const [key, e] of Object.entries(doc.packages)) {
      if (key === "") continue;
      const i = key.lastIndexOf("node_modules/");
      if (i < 0) {
        // A workspace member's own folder (e.g. "packages/a"): local source, not a registry package.
        if (typeof e.name === "string" && typeof e.version === "string") out.push({ ecosystem: "npm", name: e.name, version: e.version, digests: [], notFromRegistry: `workspace folder ${key}` });
        continue;
      }
      const name = typeof e.name === "string" ? e.name : key.slice(i + "node_modules/".length);
      if (e.link) {
        out.push({ ecosystem: "npm", name, version: typeof e.version === "string" ? e.version : "(link)", digests: [], notFromRegistry: `workspace link to ${String(e.resolved)}` });
        continue;
      }
      const p = npmEntry(name, e);
      if (p) out.push(p);
    }
    return out;
  }
  const walk = (deps: Record<string, Record<string, unknown>> | undefined) => {
    for (const [name, e] of Object.entries(deps ?? {})) {
      const p = npmEntry(name, e);
      if (p) out.push(p);
      walk(e.dependencies as Record<string, Record<string, unknown>> | undefined);
    }
  };
  walk(doc.dependencies);
  return out;
}

/** Split "name@version" where name may be scoped. */
const splitAt = (s: string): [string, string] | null => {
  const i = s.indexOf("@", s.startsWith("@") ? 1 : 0);
  return i > 0 ? [s.slice(0, i), s.slice(i + 1)] : null;
};

/** The yaml package reports an unknown tag or directive through process.emitWarning (lines on stderr): a lockfile's text is input, not a reason to print. */
const QUIET = { logLevel: "error" } as const;

/** pnpm-lock.yaml, lockfile versions 5 (`/name/1.0.0`), 6 (`/name@1.0.0`) and 9 (`name@1.0.0`). */
export function parsePnpmLock(text: string): LockedPackage[] {
  const doc = parseYaml(text, QUIET) as { lockfileVersion?: unknown; packages?: Record<string, { resolution?: { integrity?: string; tarball?: string; type?: string }; version?: string; name?: string }> };
  const out: LockedPackage[] = [];
  const v5 = String(doc?.lockfileVersion ?? "").startsWith("5");
  for (const [key, e] of Object.entries(doc?.packages ?? {})) {
    const k = key.replace(/^\//, "").replace(/\(.*$/, "");
    let nv: [string, string] | null;
    if (v5) {
      const i = k.lastIndexOf("/");
      nv = i > 0 ? [k.slice(0, i), k.slice(i + 1).replace(/_.*$/, "")] : null;
    } else nv = splitAt(k);
    if (!nv) continue;
    const [name, version] = [e?.name ?? nv[0], e?.version ?? nv[1]];
    const digests = e?.resolution?.integrity ? parseIntegrity(e.resolution.integrity, "the lockfile's integrity") : [];
    const notFromRegistry = e?.resolution?.type ? `resolution type ${e.resolution.type}` : e?.resolution?.tarball && !fromRegistryUrl(e.resolution.tarball) ? `resolved from ${e.resolution.tarball}` : /[:/]/.test(version) ? `version is ${version}` : undefined;
    out.push({ ecosystem: "npm", name, version, digests, ...(notFromRegistry ? { notFromRegistry } : {}) });
  }
  return out;
}

/** yarn.lock: classic (v1) with @yarnpkg/lockfile; berry (YAML with __metadata) with yaml. */
export function parseYarnLock(text: string): LockedPackage[] {
  const out: LockedPackage[] = [];
  if (/^__metadata:/m.test(text)) {
    const doc = parseYaml(text, QUIET) as Record<string, { version?: string; resolution?: string }>;
    for (const [key, e] of Object.entries(doc ?? {})) {
      if (key === "__metadata" || typeof e?.resolution !== "string" || typeof e.version !== "string") continue;
      const nv = splitAt(e.resolution);
      if (!nv) continue;
      const [name, how] = nv;
      // Berry's checksum is of its zip cache, not of the registry tarball: no digest to pin.
      if (!how.startsWith("npm:")) out.push({ ecosystem: "npm", name, version: e.version, digests: [], notFromRegistry: `resolution ${e.resolution}` });
      else out.push({ ecosystem: "npm", name, version: how.slice(4), digests: [] });
    }
    return out;
  }
  const parsed = yarnLockfile.parse(text) as { type: string; object: Record<string, { version?: string; resolved?: string; integrity?: string }> };
  if (parsed.type !== "success") throw new DistvetError("E_BAD_ARGUMENT", `yarn.lock has merge conflicts (${parsed.type})`);
  const seen = new Set<string>();
  for (const [key, e] of Object.entries(parsed.object)) {
    const nv = splitAt(key);
    if (!nv || typeof e.version !== "string" || seen.has(`${nv[0]}@${e.version}`)) continue;
    seen.add(`${nv[0]}@${e.version}`);
    const p = npmEntry(nv[0], e);
    if (p) out.push(p);
  }
  return out;
}

/** Cargo.lock: `[[package]]` with `source = "registry+…"` and `checksum` (sha256 of the .crate). */
export function parseCargoLock(text: string): LockedPackage[] {
  let doc: { package?: Array<{ name?: string; version?: string; source?: string; checksum?: string }> };
  try {
    doc = parseToml(text) as typeof doc;
  } catch (e) {
    throw new DistvetError("E_BAD_ARGUMENT", `Cargo.lock is not TOML: ${(e as Error).message.split("\n")[0]}`);
  }
  const out: LockedPackage[] = [];
  for (const p of doc.package ?? []) {
    if (typeof p.name !== "string" || typeof p.version !== "string") continue;
    const digests: ExpectedDigest[] = typeof p.checksum === "string" && /^[0-9a-f]{64}$/.test(p.checksum) ? [{ algorithm: "sha256", hex: p.checksum, from: "Cargo.lock checksum" }] : [];
    const notFromRegistry = !p.source ? "a path or workspace crate" : !p.source.startsWith("registry+") && !p.source.startsWith("sparse+") ? `source ${p.source}` : undefined;
    out.push({ ecosystem: "crate", name: p.name, version: p.version, digests, ...(notFromRegistry ? { notFromRegistry } : {}) });
  }
  return out;
}

export function parseLockfile(path: string, text: string): { kind: LockfileKind; packages: LockedPackage[] } {
  const kind = lockfileKind(path, text);
  const packages = kind === "package-lock" ? parsePackageLock(text) : kind === "pnpm" ? parsePnpmLock(text) : kind === "yarn" ? parseYarnLock(text) : parseCargoLock(text);
  return { kind, packages };
}

/**
 * Package versions in `next` that are not in `base` (every one when there is no base), one per
 * name@version. Digests from every occurrence are kept, so conflicting pins surface as a mismatch.
 */
export function newPackages(next: LockedPackage[], base: LockedPackage[] | null): LockedPackage[] {
  const old = new Set((base ?? []).map(keyOf));
  const seen = new Map<string, LockedPackage>();
  for (const p of next) {
    const k = keyOf(p);
    if (old.has(k)) continue;
    const prev = seen.get(k);
    if (!prev) seen.set(k, { ...p, digests: [...p.digests] });
    else {
      for (const d of p.digests) if (!prev.digests.some((x) => x.algorithm === d.algorithm && x.hex === d.hex)) prev.digests.push(d);
      if (!p.notFromRegistry) delete prev.notFromRegistry;
    }
  }
  return [...seen.values()].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : 1));
}
