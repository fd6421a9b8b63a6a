import { DistvetError } from "../../errors.js";
import { HttpStatusError, type Fetcher } from "../fetcher.js";
import { parseRepository } from "../repository.js";
import type { Attested, ExpectedDigest, ResolvedPackage } from "./types.js";

export const NPM_REGISTRY = "https://registry.npmjs.org";

interface NpmVersionDoc {
  name?: string;
  version?: string;
  repository?: unknown;
  gitHead?: unknown;
  dist?: {
    tarball?: unknown;
    integrity?: unknown;
    shasum?: unknown;
    attestations?: { url?: unknown; provenance?: { predicateType?: unknown } };
  };
}

/** `sha512-<base64>` (possibly several, space-separated) to digests; unknown algorithms are ignored. */
export function parseIntegrity(sri: string, from: string): ExpectedDigest[] {
  const out: ExpectedDigest[] = [];
  for (const part of sri.trim().split(/\s+/)) {
    const m = /^(sha512|sha256|sha1)-([A-Za-z0-9+/=]+)(\?.*)?$/.exec(part);
    if (!m) continue;
    out.push({ algorithm: m[1] as ExpectedDigest["algorithm"], hex: Buffer.from(m[2]!, "base64").toString("hex"), from });
  }
  return out;
}

/** npm package names may be scoped (`@scope/name`); the registry path encodes the slash. */
const registryPath = (name: string): string => (name.startsWith("@") ? `@${encodeURIComponent(name.slice(1))}` : encodeURIComponent(name));

export const validNpmName = (name: string): boolean => /^(@[a-z0-9][\w.~-]*\/)?[a-z0-9][\w.~-]*$/i.test(name) && name.length <= 214;

/** Tags a release of `name` at `version` is usually cut from, best first. */
export function npmTagCandidates(name: string, version: string): string[] {
  const bare = name.replace(/^@[^/]+\//, "");
  return [...new Set([`v${version}`, version, `${name}@${version}`, `${bare}@${version}`, `${bare}-v${version}`, `${bare}-${version}`, `release-${version}`])];
}

/** Read the source repository and commit an npm provenance bundle (SLSA v0.2 or v1 in DSSE) names. */
export function parseAttestations(doc: unknown): Attested | undefined {
  const list = (doc as { attestations?: unknown })?.attestations;
  if (!Array.isArray(list)) return undefined;
  for (const a of list) {
    const predicateType = String((a as { predicateType?: unknown })?.predicateType ?? "");
    if (!predicateType.startsWith("https://slsa.dev/provenance/")) continue;
    const env = (a as { bundle?: { dsseEnvelope?: { payload?: unknown } } })?.bundle?.dsseEnvelope;
    if (typeof env?.payload !== "string") continue;
    let stmt: any;
    try {
      stmt = JSON.parse(Buffer.from(env.payload, "base64").toString("utf8"));
    } catch {
      continue;
    }
    const subjectSha512 = Array.isArray(stmt?.subject) ? stmt.subject.find((s: any) => typeof s?.digest?.sha512 === "string")?.digest.sha512 : undefined;
    const pred = stmt?.predicate ?? {};
    // SLSA v1: resolvedDependencies[0] = { uri: "git+https://github.com/o/r@refs/tags/v1", digest: { gitCommit } }
    const dep = Array.isArray(pred?.buildDefinition?.resolvedDependencies) ? pred.buildDefinition.resolvedDependencies.find((d: any) => typeof d?.uri === "string" && d.uri.startsWith("git+")) : undefined;
    // SLSA v0.2: invocation.configSource = { uri, digest: { sha1 } }
    const cfg = pred?.invocation?.configSource;
    const src = dep ?? cfg;
    const uri: string | undefined = typeof src?.uri === "string" ? src.uri : typeof pred?.buildDefinition?.externalParameters?.workflow?.repository === "string" ? pred.buildDefinition.externalParameters.workflow.repository : undefined;
    if (!uri) continue;
    const at = uri.lastIndexOf("@");
    const repository = (at > uri.indexOf("://") ? uri.slice(0, at) : uri).replace(/^git\+/, "");
    const ref = at > uri.indexOf("://") ? uri.slice(at + 1) : undefined;
    const commit = src?.digest?.gitCommit ?? src?.digest?.sha1;
    return {
      repository,
      ...(typeof commit === "string" ? { commit: commit.toLowerCase() } : {}),
      ...(ref ? { ref } : {}),
      ...(typeof subjectSha512 === "string" ? { subjectSha512: subjectSha512.toLowerCase() } : {}),
      predicateType,
      signatureVerified: false,
    };
  }
  return undefined;
}

/** Resolve `name@version` (a version or dist-tag) on an npm registry. */
export async function resolveNpm(name: string, version: string, fetcher: Fetcher, registry = NPM_REGISTRY): Promise<ResolvedPackage> {
  if (!validNpmName(name)) throw new DistvetError("E_BAD_ARGUMENT", `'${name}' is not a valid npm package name`);
  const base = registry.replace(/\/+$/, "");
  const url = `${base}/${registryPath(name)}/${encodeURIComponent(version || "latest")}`;
  let doc: NpmVersionDoc;
  try {
    doc = await fetcher.json<NpmVersionDoc>(url);
  } catch (e) {
    if (e instanceof HttpStatusError && e.status === 404) throw new DistvetError("E_FETCH_FAILED", `the npm registry has no ${name}@${version || "latest"} (${url} is 404)`, { notFound: true });
    throw e;
  }
  const v = typeof doc.version === "string" ? doc.version : version;
  if (doc.name !== name) throw new DistvetError("E_FETCH_FAILED", `${url} describes '${String(doc.name)}', not '${name}'`);
  const tarballUrl = doc.dist?.tarball;
  if (typeof tarballUrl !== "string" || !/^https?:\/\//.test(tarballUrl)) throw new DistvetError("E_FETCH_FAILED", `${name}@${v} has no dist.tarball URL`);
  const digests: ExpectedDigest[] = [];
  if (typeof doc.dist?.integrity === "string") digests.push(...parseIntegrity(doc.dist.integrity, "dist.integrity"));
  if (!digests.some((d) => d.algorithm !== "sha1") && typeof doc.dist?.shasum === "string" && /^[0-9a-f]{40}$/i.test(doc.dist.shasum)) {
    digests.push({ algorithm: "sha1", hex: doc.dist.shasum.toLowerCase(), from: "dist.shasum" });
  }
  const notes: string[] = [];
  if (!digests.length) throw new DistvetError("E_FETCH_FAILED", `${name}@${v} publishes no dist.integrity or dist.shasum to verify its tarball against`);
  if (!digests.some((d) => d.algorithm !== "sha1")) notes.push(`${name}@${v} publishes only a sha1 shasum (no sha512 integrity)`);
  const repository = parseRepository(doc.repository) ?? undefined;
  const gitHead = typeof doc.gitHead === "string" && /^[0-9a-f]{40}$/i.test(doc.gitHead) ? doc.gitHead.toLowerCase() : undefined;
  let attestation: Attested | undefined;
  const attUrl = doc.dist?.attestations?.url;
  if (typeof attUrl === "string" && /^https?:\/\//.test(attUrl)) {
    try {
      attestation = parseAttestations(await fetcher.json(attUrl));
      if (!attestation) notes.push(`the provenance attestation at ${attUrl} names no source repository`);
    } catch (e) {
      notes.push(`could not read the provenance attestation at ${attUrl}: ${(e as Error).message}`);
    }
  }
  const fileName = `${name.replace(/^@[^/]+\//, "")}-${v}.tgz`;
  return {
    ecosystem: "npm",
    name,
    version: v,
    spec: `npm:${name}@${v}`,
    tarballUrl,
    fileName,
    digests,
    ...(repository ? { repository } : {}),
    ...(gitHead ? { commit: gitHead } : {}),
    tagCandidates: npmTagCandidates(name, v),
    ...(attestation ? { attestation } : {}),
    notes,
  };
}
