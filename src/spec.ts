import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { audit, type AuditOptions } from "./audit.js";
import { DistvetError } from "./errors.js";
import { getFetcher, type Fetcher, type FileDigest } from "./fetch/fetcher.js";
import { parseRepository, sameRepository } from "./fetch/repository.js";
import { NPM_REGISTRY, resolveNpm } from "./fetch/registries/npm.js";
import { resolveCrate } from "./fetch/registries/crate.js";
import { PYPI, resolvePypi } from "./fetch/registries/pypi.js";
import { DEBIAN_MIRROR, resolveDeb } from "./fetch/registries/deb.js";
import type { ExpectedDigest, ResolvedPackage } from "./fetch/registries/types.js";
import { cachedClone, commitOnBranchOrTag, defaultCacheDir, findGitDir, findMirror, openRepo, type BackendChoice } from "./git/open.js";
import type { AuditResult, Finding, Severity } from "./types.js";
import { SEVERITIES } from "./types.js";
import { applyAllow, type AllowEntry } from "./config.js";

export type Ecosystem = ResolvedPackage["ecosystem"];

export interface PackageSpec {
  ecosystem: Ecosystem;
  name: string;
  version: string;
}

export const isSpec = (s: string): boolean => /^(npm|crate|pypi|deb):/.test(s);

/** `npm:name@version`, `npm:@scope/name@version`, `crate:name@version`, `pypi:name==version`, `deb:source=version`. */
export function parseSpec(spec: string): PackageSpec {
  const m = /^(npm|crate|pypi|deb):(.+)$/.exec(spec.trim());
  if (!m) throw new DistvetError("E_BAD_ARGUMENT", `'${spec}' is not a package spec (npm:name@version, crate:name@version, pypi:name==version, deb:source=version)`);
  const eco = m[1] as Ecosystem;
  const rest = m[2]!;
  const split = (sep: string, from = 0): [string, string] => {
    const i = rest.indexOf(sep, from);
    return i < 0 ? [rest, ""] : [rest.slice(0, i), rest.slice(i + sep.length)];
  };
  const [name, version] = eco === "npm" ? split("@", rest.startsWith("@") ? 1 : 0) : eco === "crate" ? split("@") : eco === "pypi" ? split("==") : split("=");
  if (!name) throw new DistvetError("E_BAD_ARGUMENT", `'${spec}' names no package`);
  if (!version && eco !== "npm") throw new DistvetError("E_BAD_ARGUMENT", `'${spec}' names no version`);
  return { ecosystem: eco, name, version };
}

export interface Registries {
  npm?: string;
  /** crates.io sparse index and download host. */
  cratesIndex?: string;
  crates?: string;
  pypi?: string;
  /** Debian archive mirror (the directory holding pool/). */
  deb?: string;
}

/**
 * `--registry` values: a bare URL is the npm registry; `npm=URL`, `pypi=URL`, `crates=URL` (downloads),
 * `crates-index=URL` and `deb=URL` (a Debian mirror), comma-separated, set each one.
 */
export function parseRegistryOption(value: string): Registries {
  const out: Registries = {};
  for (const part of value.split(",").map((p) => p.trim()).filter(Boolean)) {
    const m = /^(npm|pypi|crates|crates-index|deb)=(.+)$/.exec(part);
    const [kind, url] = m ? [m[1]!, m[2]!] : ["npm", part];
    if (!/^https?:\/\//.test(url)) throw new DistvetError("E_BAD_ARGUMENT", `--registry: '${url}' is not an http(s) URL`);
    if (kind === "npm") out.npm = url;
    else if (kind === "pypi") out.pypi = url;
    else if (kind === "crates") out.crates = url;
    else if (kind === "deb") out.deb = url;
    else out.cratesIndex = url;
  }
  return out;
}

export interface SpecOptions extends Omit<AuditOptions, "tarball" | "repo"> {
  /** Repository override (path or URL); default: the one the registry names. */
  repo?: string;
  /** Offline mirrors: owner/name resolves to DIR/owner+name or DIR/owner/name.git. */
  mirrorDir?: string;
  /** Where URL repositories are cloned and kept (default $XDG_CACHE_HOME/distvet). */
  cacheDir?: string;
  registries?: Registries;
  fetcher?: Fetcher;
  /** Extra digests the tarball must match (e.g. a lockfile's integrity). */
  expect?: ExpectedDigest[];
}

/** Resolve a spec with the registry's own metadata (no download of the tarball yet). */
export async function resolveSpec(spec: string | PackageSpec, o: Pick<SpecOptions, "registries" | "fetcher"> = {}): Promise<ResolvedPackage> {
  const p = typeof spec === "string" ? parseSpec(spec) : spec;
  const fetcher = o.fetcher ?? getFetcher();
  switch (p.ecosystem) {
    case "npm":
      return resolveNpm(p.name, p.version, fetcher, o.registries?.npm ?? NPM_REGISTRY);
    case "crate":
      return resolveCrate(p.name, p.version, fetcher, { ...(o.registries?.cratesIndex ? { index: o.registries.cratesIndex } : {}), ...(o.registries?.crates ? { download: o.registries.crates } : {}) });
    case "pypi":
      return resolvePypi(p.name, p.version, fetcher, o.registries?.pypi ?? PYPI);
    case "deb":
      return resolveDeb(p.name, p.version, fetcher, o.registries?.deb ?? DEBIAN_MIRROR);
    default:
      throw new DistvetError("E_BAD_ARGUMENT", `unknown package ecosystem ${String(p.ecosystem)}`);
  }
}

/** Check the download against every expected digest; any mismatch is an error. */
export function verifyDigests(pkg: { spec: string }, got: FileDigest, expected: ExpectedDigest[]): void {
  for (const d of expected) {
    if (got[d.algorithm] !== d.hex) {
      throw new DistvetError("E_CHECKSUM_MISMATCH", `${pkg.spec}: the downloaded tarball's ${d.algorithm} is ${got[d.algorithm]}, not ${d.hex} from ${d.from}`);
    }
  }
}

/** Where the repository comes from: --repo, a --mirror-dir mirror, or a cached clone. */
async function locateRepo(pkg: ResolvedPackage, o: SpecOptions, want: string[]): Promise<{ gitdir: string; label: string }> {
  if (o.repo) {
    const local = findGitDir(o.repo);
    if (local) return { gitdir: local, label: o.repo };
    const ref = parseRepository(o.repo);
    if (!ref) throw new DistvetError("E_REPO_NOT_FOUND", `no git repository at ${o.repo}`);
    return { gitdir: await cachedClone(ref.url, o.cacheDir ?? defaultCacheDir(), want), label: ref.url };
  }
  const r = pkg.repository;
  if (!r) throw new DistvetError("E_REPO_NOT_FOUND", `${pkg.spec} names no source repository in its registry metadata (pass --repo)`);
  if (o.mirrorDir) {
    if (!r.owner || !r.name) throw new DistvetError("E_REPO_NOT_FOUND", `${pkg.spec}: repository ${r.url} has no owner/name to look up in ${o.mirrorDir}`);
    const hit = findMirror(o.mirrorDir, r.owner, r.name);
    if (!hit) throw new DistvetError("E_REPO_NOT_FOUND", `${pkg.spec}: no mirror of ${r.owner}/${r.name} in ${o.mirrorDir} (looked for ${r.owner}+${r.name} and ${r.owner}/${r.name}.git)`);
    return { gitdir: hit, label: `${r.owner}/${r.name}` };
  }
  return { gitdir: await cachedClone(r.url, o.cacheDir ?? defaultCacheDir(), want), label: r.url };
}

/** The ref to audit: --ref, else the published commit (gitHead), else the attested commit, else a tag. */
async function chooseRef(pkg: ResolvedPackage, gitdir: string, o: SpecOptions, label: string): Promise<{ ref: string; how: string }> {
  if (o.ref) return { ref: o.ref, how: "--ref" };
  const backend = await openRepo(gitdir, o.gitBackend ?? "auto");
  try {
    if (pkg.commit) {
      if (await backend.resolveCommit(pkg.commit)) return { ref: pkg.commit, how: "the commit the registry publishes (gitHead)" };
      o.onNote?.(`${pkg.spec}: published commit ${pkg.commit} is not in ${label}; trying tags`);
    }
    const att = pkg.attestation?.commit;
    if (att && (await backend.resolveCommit(att))) return { ref: att, how: "the commit named by the provenance attestation" };
    for (const tag of pkg.tagCandidates) {
      if (await backend.resolveCommit(`refs/tags/${tag}`)) return { ref: tag, how: `tag guessed from version ${pkg.version}` };
    }
    throw new DistvetError("E_UNKNOWN_REF", `${pkg.spec}: ${label} has no tag for version ${pkg.version} (tried ${pkg.tagCandidates.join(", ")})${pkg.commit ? ` and lacks the published commit ${pkg.commit}` : ""}; pass --ref`);
  } finally {
    await backend.close();
  }
}

/** High findings when npm provenance disagrees with the registry's own metadata or the tarball. */
export function provenanceFindings(pkg: ResolvedPackage, sha512: string): Finding[] {
  const a = pkg.attestation;
  if (!a) return [];
  const out: Finding[] = [];
  const add = (message: string, lines: string[]) =>
    out.push({ rule: "registry-provenance-mismatch", severity: "high", path: pkg.spec, title: "Provenance attestation disagrees with the published metadata", message, evidence: { lines }, docs: "docs/registries.md#provenance" });
  const attRepo = parseRepository(a.repository);
  if (pkg.repository && attRepo && !sameRepository(pkg.repository, attRepo)) {
    add(`the provenance attestation says ${pkg.spec} was built from ${a.repository}, but its metadata names ${pkg.repository.url}`, [`attested: ${a.repository}`, `repository: ${pkg.repository.url}`]);
  }
  if (pkg.commit && a.commit && pkg.commit !== a.commit) {
    add(`the provenance attestation says ${pkg.spec} was built from commit ${a.commit}, but its gitHead is ${pkg.commit}`, [`attested: ${a.commit}`, `gitHead: ${pkg.commit}`]);
  }
  if (a.subjectSha512 && a.subjectSha512 !== sha512) {
    add(`the provenance attestation is for a tarball with sha512 ${a.subjectSha512}, not the one the registry serves (${sha512})`, [`attested: ${a.subjectSha512}`, `served: ${sha512}`]);
  }
  return out;
}

/** Add findings made outside the audit (registry checks), honouring the config's allow entries. */
export function addFindings(result: AuditResult, extra: Finding[], allow: AllowEntry[]): void {
  if (!extra.length) return;
  const { kept, allowed } = applyAllow(extra, allow);
  result.findings = [...kept, ...result.findings];
  for (const f of kept) result.summary.findings[f.severity as Severity]++;
  if (allowed.length) result.allowed = [...(result.allowed ?? []), ...allowed];
}

/** What the result records about a registry spec. */
export interface SpecSource {
  spec: string;
  tarballUrl: string;
  verified: string[];
  repository?: string;
  subdir?: string;
  refHow: string;
  attestation?: { repository: string; commit?: string; ref?: string; signatureVerified: false };
}

export type SpecAuditResult = AuditResult & { source: SpecSource; readonly gitdir?: string };

/**
 * Audit a registry package version: resolve it, download and verify the tarball, find the
 * repository (--repo, --mirror-dir or a cached clone), choose the commit and audit.
 */
export async function auditSpec(spec: string, o: SpecOptions = {}): Promise<SpecAuditResult> {
  const fetcher = o.fetcher ?? getFetcher();
  const pkg = await resolveSpec(spec, { fetcher, ...(o.registries ? { registries: o.registries } : {}) });
  const dir = await mkdtemp(join(tmpdir(), "distvet-pkg-"));
  try {
    const file = join(dir, pkg.fileName.replace(/[^\w.+~-]/g, "_"));
    const got = await fetcher.toFile(pkg.tarballUrl, file);
    const expected = [...pkg.digests, ...(o.expect ?? [])];
    verifyDigests(pkg, got, expected);
    // Only a verified download is read for what it says about its own origin.
    if (pkg.refine) await pkg.refine(file);
    for (const n of pkg.notes) o.onNote?.(n);
    const want = [pkg.commit, pkg.attestation?.commit, o.ref].filter((x): x is string => !!x);
    const { gitdir, label } = await locateRepo(pkg, o, want);
    const { ref, how } = await chooseRef(pkg, gitdir, o, label);
    const subdir = o.subdir ?? pkg.subdir ?? pkg.repository?.directory;
    o.onNote?.(`${pkg.spec}: tarball ${pkg.tarballUrl} (${expected.map((d) => `${d.algorithm} from ${d.from}`).join(", ")} verified); repository ${label}${subdir ? ` subdir ${subdir}` : ""}; ref ${ref} (${how})`);
    if (pkg.attestation) {
      o.onNote?.(`${pkg.spec}: provenance attestation names ${pkg.attestation.repository}${pkg.attestation.commit ? ` at ${pkg.attestation.commit}` : ""} (its signature is not verified by distvet)`);
    }
    const { repo: _r, mirrorDir: _m, cacheDir: _c, registries: _g, fetcher: _f, expect: _e, ...rest } = o;
    const result = await audit({ ...rest, tarball: file, repo: gitdir, ref, ...(subdir ? { subdir } : {}) } as AuditOptions);
    const extra = provenanceFindings(pkg, got.sha512);
    if (how !== "--ref" && !how.startsWith("tag")) {
      // A commit named by the publisher must be part of the repository's history, not a fork's.
      const reachable = await commitOnBranchOrTag(gitdir, result.git.commit);
      if (reachable === false) {
        extra.push({
          rule: "registry-commit-unreachable",
          severity: "medium",
          path: pkg.spec,
          title: "Published commit is on no branch or tag",
          message: `${pkg.spec} names commit ${result.git.commit} (${how}), which no branch or tag of ${label} contains: it may come from a fork, a pull request or a deleted branch`,
          evidence: { lines: [`commit: ${result.git.commit}`, `repository: ${label}`] },
          docs: "docs/registries.md#unreachable-commits",
        });
      } else if (reachable === null) o.onNote?.(`${pkg.spec}: could not check that ${result.git.commit} is on a branch or tag (needs the git program)`);
    }
    addFindings(result, extra, o.allow ?? []);
    result.tarball.source = pkg.tarballUrl;
    result.git.source = label;
    const source: SpecSource = {
      spec: pkg.spec,
      tarballUrl: pkg.tarballUrl,
      verified: expected.map((d) => `${d.algorithm} (${d.from})`),
      ...(pkg.repository ? { repository: pkg.repository.url } : {}),
      ...(subdir ? { subdir } : {}),
      refHow: how,
      ...(pkg.attestation
        ? { attestation: { repository: pkg.attestation.repository, ...(pkg.attestation.commit ? { commit: pkg.attestation.commit } : {}), ...(pkg.attestation.ref ? { ref: pkg.attestation.ref } : {}), signatureVerified: false as const } }
        : {}),
    };
    const out: SpecAuditResult = { ...result, source };
    // The local git dir, for callers that look further (not part of the JSON result).
    Object.defineProperty(out, "gitdir", { value: gitdir, enumerable: false });
    return out;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export const countAtOrAbove = (r: AuditResult, sev: Severity): number => SEVERITIES.filter((s) => SEVERITIES.indexOf(s) <= SEVERITIES.indexOf(sev)).reduce((n, s) => n + r.summary.findings[s], 0);

export type { BackendChoice };
