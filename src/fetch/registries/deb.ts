import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { parse as parseYaml } from "yaml";
import { DistvetError } from "../../errors.js";
import { HttpStatusError, type Fetcher } from "../fetcher.js";
import { parseRepository, type RepoRef } from "../repository.js";
import { verifySignature } from "../signature.js";
import { readMembers } from "./members.js";
import type { ResolvedPackage } from "./types.js";

const run = promisify(execFile);

export const DEBIAN_MIRROR = "https://deb.debian.org/debian";
const COMPONENTS = ["main", "contrib", "non-free", "non-free-firmware"];

/** pool/<component>/<prefix>/<source>/: the prefix is `libx` for lib* sources, else the first letter. */
export const poolPrefix = (source: string): string => (source.startsWith("lib") && source.length > 3 ? source.slice(0, 4) : source[0]!);

/** Upstream version: no epoch, no Debian revision, no repack suffix (+dfsg, +ds, ~ds…). */
export function upstreamVersion(version: string): string {
  let v = version.replace(/^\d+:/, "");
  const dash = v.lastIndexOf("-");
  if (dash > 0) v = v.slice(0, dash);
  return v.replace(/[+~](dfsg|ds|repack|really)[\w.]*$/i, "");
}

export interface DscFile {
  sha256: string;
  size: number;
  name: string;
}

/** Fields of a (possibly clear-signed) .dsc; Checksums-Sha256 as a list. */
export function parseDsc(text: string): { fields: Record<string, string>; files: DscFile[] } {
  let body = text.replace(/\r\n/g, "\n");
  const signed = /^-----BEGIN PGP SIGNED MESSAGE-----\n/.exec(body);
  if (signed) {
    body = body.slice(signed[0].length);
    body = body.slice(body.indexOf("\n\n") + 2); // the Hash: armor headers
    const end = body.indexOf("\n-----BEGIN PGP SIGNATURE-----");
    if (end >= 0) body = body.slice(0, end);
  }
  const fields: Record<string, string> = {};
  let last = "";
  for (const line of body.split("\n")) {
    if (/^\s/.test(line) && last) fields[last] += `\n${line.trim()}`;
    else {
      const m = /^([\w-]+):\s*(.*)$/.exec(line);
      if (m) {
        last = m[1]!;
        fields[last] = m[2]!;
      }
    }
  }
  const files: DscFile[] = [];
  for (const l of (fields["Checksums-Sha256"] ?? "").split("\n")) {
    const m = /^([0-9a-f]{64})\s+(\d+)\s+(\S+)$/.exec(l.trim());
    if (m && !m[3]!.includes("/")) files.push({ sha256: m[1]!, size: Number(m[2]), name: m[3]! });
  }
  return { fields, files };
}

/** The upstream repository: `Repository` in debian/upstream/metadata, else a forge URL in debian/watch. */
export function upstreamRepository(metadata: string | undefined, watch: string | undefined): RepoRef | undefined {
  if (metadata) {
    try {
      const doc = parseYaml(metadata, { logLevel: "error" }) as { Repository?: unknown; "Repository-Browse"?: unknown } | null;
      for (const v of [doc?.Repository, doc?.["Repository-Browse"]]) {
        const r = typeof v === "string" ? parseRepository(v) : null;
        if (r) return r;
      }
    } catch {
      /* fall back to watch */
    }
  }
  for (const line of (watch ?? "").replace(/\\\n/g, " ").split("\n")) {
    if (/^\s*(#|version=)/.test(line)) continue;
    const m = /https?:\/\/(github\.com|gitlab\.com|codeberg\.org)\/([\w.-]+)\/([\w.-]+)/.exec(line);
    if (m) return parseRepository(`https://${m[1]}/${m[2]}/${m[3]!.replace(/\.git$/, "")}`) ?? undefined;
    const git = /opts=.*mode=git.*?\s(https?:\/\/\S+)/.exec(line);
    if (git) return parseRepository(git[1]!) ?? undefined;
  }
  return undefined;
}

/**
 * Resolve `source=version` in a Debian archive: the .dsc from the pool, the orig tarball and its
 * sha256 from the .dsc, the upstream repository from debian/upstream/metadata or debian/watch in
 * the (sha256-verified) debian tarball, and, after the download, the orig tarball's `.asc` checked
 * with debian/upstream/signing-key.asc when both exist. The .dsc itself is trusted as served (the
 * archive's Release signature chain is not walked).
 */
export async function resolveDeb(source: string, version: string, fetcher: Fetcher, mirror = DEBIAN_MIRROR): Promise<ResolvedPackage> {
  if (!/^[a-z0-9][a-z0-9.+-]+$/.test(source)) throw new DistvetError("E_BAD_ARGUMENT", `'${source}' is not a valid Debian source package name`);
  const base = mirror.replace(/\/+$/, "");
  const dscName = `${source}_${version.replace(/^\d+:/, "")}.dsc`;
  let dscText: string | undefined;
  let dir = "";
  for (const comp of COMPONENTS) {
    dir = `${base}/pool/${comp}/${poolPrefix(source)}/${source}`;
    try {
      dscText = (await fetcher.bytes(`${dir}/${dscName}`)).toString("utf8");
      break;
    } catch (e) {
      if (!(e instanceof HttpStatusError && e.status === 404)) throw e;
    }
  }
  if (!dscText) throw new DistvetError("E_FETCH_FAILED", `the archive at ${base} has no ${dscName} in pool/{${COMPONENTS.join(",")}}`, { notFound: true });
  const { fields, files } = parseDsc(dscText);
  const notes: string[] = [];
  const origs = files.filter((f) => /\.orig\.tar\.\w+$/.test(f.name));
  if (!origs.length) throw new DistvetError("E_FETCH_FAILED", `${dscName} lists no .orig.tar.* (a native package has no upstream tarball to audit)`);
  const orig = origs[0]!;
  const components = files.filter((f) => /\.orig-[\w-]+\.tar\.\w+$/.test(f.name));
  if (components.length) notes.push(`${source} ${version}: component tarballs not audited: ${components.map((c) => c.name).join(", ")}`);
  const asc = files.find((f) => f.name === `${orig.name}.asc`);

  // debian/upstream/{metadata,signing-key.asc} and debian/watch from the packaging tarball.
  let meta: Map<string, Buffer> = new Map();
  const debTar = files.find((f) => /\.debian\.tar\.\w+$/.test(f.name));
  if (debTar) {
    const tmp = await mkdtemp(join(tmpdir(), "distvet-deb-"));
    try {
      const file = join(tmp, debTar.name);
      const got = await fetcher.toFile(`${dir}/${debTar.name}`, file);
      if (got.sha256 !== debTar.sha256) throw new DistvetError("E_CHECKSUM_MISMATCH", `${debTar.name}: sha256 is ${got.sha256}, not ${debTar.sha256} from the .dsc`);
      meta = await readMembers(file, (p) => p === "upstream/metadata" || p === "watch" || p === "upstream/signing-key.asc");
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  } else notes.push(`${source} ${version}: no debian.tar.* (format ${fields.Format ?? "?"}): upstream metadata not read`);
  const repository = upstreamRepository(meta.get("upstream/metadata")?.toString("utf8"), meta.get("watch")?.toString("utf8"));
  if (!repository) notes.push(`${source} ${version}: neither debian/upstream/metadata nor debian/watch names an upstream repository`);
  const up = upstreamVersion(version);
  const signingKey = meta.get("upstream/signing-key.asc");
  const pkg: ResolvedPackage = {
    ecosystem: "deb",
    name: fields.Source ?? source,
    version,
    spec: `deb:${source}=${version}`,
    tarballUrl: `${dir}/${orig.name}`,
    // Named as upstream names it, so the tarball-name tag guess sees name-version.
    fileName: `${source}-${up}${orig.name.slice(orig.name.indexOf(".orig") + ".orig".length)}`,
    digests: [{ algorithm: "sha256", hex: orig.sha256, from: `${dscName} Checksums-Sha256` }],
    ...(repository ? { repository } : {}),
    tagCandidates: [...new Set([`v${up}`, up, `${source}-${up}`, `${source}-v${up}`, `release-${up}`, `${source}_${up.replace(/\./g, "_")}`, `${source.toUpperCase()}_${up.replace(/\./g, "_")}`])],
    notes,
    refine: async (file) => {
      if (!asc) return;
      if (!signingKey) {
        pkg.notes.push(`${orig.name}.asc not checked: the package has no debian/upstream/signing-key.asc`);
        return;
      }
      const tmp = await mkdtemp(join(tmpdir(), "distvet-deb-sig-"));
      try {
        const sig = join(tmp, `${orig.name}.asc`);
        const got = await fetcher.toFile(`${dir}/${orig.name}.asc`, sig);
        if (got.sha256 !== asc.sha256) throw new DistvetError("E_CHECKSUM_MISMATCH", `${orig.name}.asc: sha256 is ${got.sha256}, not ${asc.sha256} from the .dsc`);
        const armored = join(tmp, "signing-key.asc");
        const keyring = join(tmp, "signing-key.gpg");
        await writeFile(armored, signingKey);
        try {
          await run("gpg", ["--batch", "--yes", "--dearmor", "-o", keyring, armored]);
        } catch {
          pkg.notes.push(`${orig.name}.asc not checked: could not read debian/upstream/signing-key.asc (needs gpg)`);
          return;
        }
        const s = await verifySignature(file, sig, keyring);
        pkg.notes.push(`${orig.name}: good signature by ${s.signer} (${s.fingerprint}), key from debian/upstream/signing-key.asc`);
      } finally {
        await rm(tmp, { recursive: true, force: true });
      }
    },
  };
  return pkg;
}
