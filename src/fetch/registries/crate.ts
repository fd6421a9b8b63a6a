import { parse as parseToml } from "smol-toml";
import { DistvetError } from "../../errors.js";
import { HttpStatusError, type Fetcher } from "../fetcher.js";
import { parseRepository } from "../repository.js";
import { readMembers } from "./members.js";
import type { ResolvedPackage } from "./types.js";

export const CRATES_INDEX = "https://index.crates.io";
export const CRATES_DOWNLOAD = "https://static.crates.io/crates";

/** Path of a crate in the sparse index: 1/a, 2/ab, 3/a/abc, ab/cd/abcd… (lowercase). */
export function indexPath(name: string): string {
  const n = name.toLowerCase();
  if (n.length <= 2) return `${n.length}/${n}`;
  if (n.length === 3) return `3/${n[0]}/${n}`;
  return `${n.slice(0, 2)}/${n.slice(2, 4)}/${n}`;
}

export interface CrateRegistry {
  index?: string;
  download?: string;
}

/**
 * Resolve `name@version` on crates.io (or a mirror): the checksum from the sparse index, the
 * `.crate` from the download host; after the download, `.cargo_vcs_info.json` (`git.sha1`,
 * `path_in_vcs`) and `Cargo.toml` (`package.repository`) name the commit, subdirectory and repository.
 */
export async function resolveCrate(name: string, version: string, fetcher: Fetcher, reg: CrateRegistry = {}): Promise<ResolvedPackage> {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(name)) throw new DistvetError("E_BAD_ARGUMENT", `'${name}' is not a valid crate name`);
  const url = `${(reg.index ?? CRATES_INDEX).replace(/\/+$/, "")}/${indexPath(name)}`;
  let text: string;
  try {
    text = (await fetcher.bytes(url)).toString("utf8");
  } catch (e) {
    if (e instanceof HttpStatusError && e.status === 404) throw new DistvetError("E_FETCH_FAILED", `the crates index has no crate '${name}' (${url} is 404)`, { notFound: true });
    throw e;
  }
  const entries = text.split("\n").filter(Boolean).map((l) => JSON.parse(l) as { name?: string; vers?: string; cksum?: string; yanked?: boolean });
  const entry = entries.find((e) => e.vers === version);
  if (!entry) throw new DistvetError("E_FETCH_FAILED", `the crates index has no ${name}@${version}`, { notFound: true });
  if (typeof entry.cksum !== "string" || !/^[0-9a-f]{64}$/.test(entry.cksum)) throw new DistvetError("E_FETCH_FAILED", `${name}@${version} has no sha256 checksum in the index`);
  const crateName = entry.name ?? name;
  const notes = entry.yanked ? [`${crateName}@${version} is yanked`] : [];
  const pkg: ResolvedPackage = {
    ecosystem: "crate",
    name: crateName,
    version,
    spec: `crate:${crateName}@${version}`,
    tarballUrl: `${(reg.download ?? CRATES_DOWNLOAD).replace(/\/+$/, "")}/${crateName}/${crateName}-${version}.crate`,
    fileName: `${crateName}-${version}.crate`,
    digests: [{ algorithm: "sha256", hex: entry.cksum, from: "the crates index (cksum)" }],
    tagCandidates: [`v${version}`, version, `${crateName}-v${version}`, `${crateName}-${version}`, `${crateName}@${version}`, `${crateName}/v${version}`],
    notes,
    refine: async (file) => {
      const m = await readMembers(file, (p) => p === ".cargo_vcs_info.json" || p === "Cargo.toml");
      const vcs = m.get(".cargo_vcs_info.json");
      if (vcs) {
        try {
          const j = JSON.parse(vcs.toString("utf8")) as { git?: { sha1?: string; dirty?: boolean }; path_in_vcs?: string };
          if (j.git?.sha1 && /^[0-9a-f]{40}$/i.test(j.git.sha1)) pkg.commit = j.git.sha1.toLowerCase();
          if (j.git?.dirty) pkg.notes.push(`${pkg.spec} was published from a work tree with uncommitted changes (.cargo_vcs_info.json: dirty)`);
          if (typeof j.path_in_vcs === "string" && j.path_in_vcs) {
            const d = j.path_in_vcs.replace(/^\.?\/+|\/+$/g, "");
            if (d.split("/").includes("..") || d.startsWith("/")) pkg.notes.push(`${pkg.spec}: ignoring path_in_vcs '${j.path_in_vcs}' (leaves the repository)`);
            else if (d && d !== ".") pkg.subdir = d;
          }
        } catch {
          pkg.notes.push(`${pkg.spec}: .cargo_vcs_info.json is not JSON`);
        }
      } else pkg.notes.push(`${pkg.spec} has no .cargo_vcs_info.json (published without git information): guessing the tag`);
      const toml = m.get("Cargo.toml");
      if (toml) {
        try {
          const t = parseToml(toml.toString("utf8")) as { package?: { repository?: unknown } };
          const r = parseRepository(t.package?.repository);
          if (r) pkg.repository = r;
        } catch {
          pkg.notes.push(`${pkg.spec}: Cargo.toml is not TOML`);
        }
      }
    },
  };
  return pkg;
}
