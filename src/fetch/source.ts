import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DistvetError } from "../errors.js";
import { getFetcher, type Fetcher } from "./fetcher.js";

export const isUrl = (s: string): boolean => /^https?:\/\//i.test(s);

export interface LocalTarball {
  /** Path on disk to read (the given file, or the download in a private temp dir). */
  file: string;
  /** Remove the private temp copy, if any. */
  cleanup(): Promise<void>;
}

/** Make a tarball given as a path or http(s) URL available as a local file. */
export async function obtainTarball(source: string, fetcher: Fetcher = getFetcher()): Promise<LocalTarball> {
  if (!isUrl(source)) {
    if (!existsSync(source)) throw new DistvetError("E_TARBALL_NOT_FOUND", `tarball not found: ${source}`);
    return { file: source, cleanup: async () => undefined };
  }
  const dir = await mkdtemp(join(tmpdir(), "distvet-dl-"));
  const cleanup = () => rm(dir, { recursive: true, force: true });
  let name = "download";
  try {
    name = decodeURIComponent(new URL(source).pathname.split("/").filter(Boolean).pop() ?? "download").replace(/[^\w.+~-]/g, "_") || "download";
  } catch {
    /* keep the default name */
  }
  const file = join(dir, name);
  try {
    await fetcher.toFile(source, file);
  } catch (e) {
    await cleanup();
    if (e instanceof DistvetError) throw new DistvetError(e.code, e.message.replace(/^could not fetch /, "could not download "), e.data);
    throw new DistvetError("E_FETCH_FAILED", `could not download ${source}: ${(e as Error).message}`);
  }
  return { file, cleanup };
}
