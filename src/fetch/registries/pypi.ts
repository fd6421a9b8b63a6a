import { DistvetError } from "../../errors.js";
import { HttpStatusError, type Fetcher } from "../fetcher.js";
import { parseRepository, type RepoRef } from "../repository.js";
import type { ResolvedPackage } from "./types.js";

export const PYPI = "https://pypi.org";

/** PEP 503 normalised name. */
export const normalizePypiName = (n: string): string => n.toLowerCase().replace(/[-_.]+/g, "-");

/** The source repository among `project_urls` (Source, Repository, Code, …), then `home_page`, on a known forge. */
export function pypiRepository(info: { project_urls?: Record<string, unknown> | null; home_page?: unknown }): RepoRef | undefined {
  const urls = Object.entries(info.project_urls ?? {}).filter((e): e is [string, string] => typeof e[1] === "string");
  const rank = (label: string) => {
    const l = label.toLowerCase().replace(/[^a-z]/g, "");
    return ["source", "sourcecode", "repository", "code", "github", "gitlab", "git"].includes(l) ? 0 : l === "homepage" ? 1 : 2;
  };
  const candidates = [...urls.sort((a, b) => rank(a[0]) - rank(b[0])).map((e) => e[1]), ...(typeof info.home_page === "string" ? [info.home_page] : [])];
  for (const u of candidates) {
    const r = parseRepository(u);
    if (r?.owner && r.name) return r;
  }
  return undefined;
}

/** Resolve `name==version` with PyPI's JSON API: the sdist, its sha256 and the repository from `project_urls`. */
export async function resolvePypi(name: string, version: string, fetcher: Fetcher, base = PYPI): Promise<ResolvedPackage> {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) throw new DistvetError("E_BAD_ARGUMENT", `'${name}' is not a valid PyPI project name`);
  const url = `${base.replace(/\/+$/, "")}/pypi/${encodeURIComponent(normalizePypiName(name))}/${encodeURIComponent(version)}/json`;
  let doc: { info?: { name?: string; version?: string; project_urls?: Record<string, unknown> | null; home_page?: unknown }; urls?: Array<{ packagetype?: string; url?: string; filename?: string; digests?: { sha256?: string }; yanked?: boolean }> };
  try {
    doc = await fetcher.json(url);
  } catch (e) {
    if (e instanceof HttpStatusError && e.status === 404) throw new DistvetError("E_FETCH_FAILED", `PyPI has no ${name}==${version} (${url} is 404)`, { notFound: true });
    throw e;
  }
  const sdists = (doc.urls ?? []).filter((u) => u.packagetype === "sdist" && typeof u.url === "string");
  const sdist = sdists.find((u) => /\.tar\.gz$/.test(u.filename ?? "")) ?? sdists[0];
  if (!sdist) throw new DistvetError("E_FETCH_FAILED", `${name}==${version} has no source distribution on PyPI (wheels only)`);
  const sha = sdist.digests?.sha256;
  if (!sha || !/^[0-9a-f]{64}$/.test(sha)) throw new DistvetError("E_FETCH_FAILED", `${name}==${version}: the sdist has no sha256 digest`);
  const real = doc.info?.name ?? name;
  const repository = doc.info ? pypiRepository(doc.info) : undefined;
  const notes = sdist.yanked ? [`${real}==${version} is yanked`] : [];
  if (!repository) notes.push(`${real}==${version} names no source repository in project_urls or home_page`);
  return {
    ecosystem: "pypi",
    name: real,
    version,
    spec: `pypi:${real}==${version}`,
    tarballUrl: sdist.url!,
    fileName: sdist.filename ?? `${real}-${version}.tar.gz`,
    digests: [{ algorithm: "sha256", hex: sha, from: "the PyPI JSON API" }],
    ...(repository ? { repository } : {}),
    tagCandidates: [`v${version}`, version, `${real}-${version}`, `${real}-v${version}`, `release-${version}`, `${normalizePypiName(real)}-${version}`],
    notes,
  };
}
