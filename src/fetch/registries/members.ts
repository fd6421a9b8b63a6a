import { readTarball } from "../../archive/read-tar.js";

/** Bytes of the members (paths below the archive's top-level directory) that `want` accepts; nothing is written to disk. */
export async function readMembers(file: string, want: (path: string) => boolean): Promise<Map<string, Buffer>> {
  const strip = (raw: string) => raw.replace(/^\.?\/*[^/]+\//, "");
  const listing = await readTarball(file, { retain: (_oid, raw) => want(strip(raw)) });
  const out = new Map<string, Buffer>();
  for (const e of listing.entries) if (e.type === "file" && e.data && want(e.path)) out.set(e.path, e.data);
  return out;
}
