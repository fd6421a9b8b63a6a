import { createWriteStream, existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { DistvetError } from "../errors.js";

export const isUrl = (s: string): boolean => /^https?:\/\//i.test(s);

/** Largest download accepted (a source tarball is rarely above a few hundred MB). */
const MAX_DOWNLOAD = 4 * 1024 * 1024 * 1024;

export interface LocalTarball {
  /** Path on disk to read (the given file, or the download in a private temp dir). */
  file: string;
  /** Remove the private temp copy, if any. */
  cleanup(): Promise<void>;
}

/** Make a tarball given as a path or http(s) URL available as a local file. */
export async function obtainTarball(source: string, fetchImpl: typeof fetch = fetch): Promise<LocalTarball> {
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
    const res = await fetchImpl(source, { redirect: "follow" });
    if (!res.ok || !res.body) throw new DistvetError("E_FETCH_FAILED", `could not download ${source}: HTTP ${res.status} ${res.statusText}`);
    const len = Number(res.headers.get("content-length") ?? 0);
    if (len > MAX_DOWNLOAD) throw new DistvetError("E_FETCH_FAILED", `refusing to download ${source}: ${len} bytes is more than the ${MAX_DOWNLOAD}-byte limit`);
    let seen = 0;
    const body = Readable.fromWeb(res.body as import("node:stream/web").ReadableStream<Uint8Array>);
    body.on("data", (c: Buffer) => {
      seen += c.length;
      if (seen > MAX_DOWNLOAD) body.destroy(new DistvetError("E_FETCH_FAILED", `download of ${source} exceeded ${MAX_DOWNLOAD} bytes`));
    });
    await pipeline(body, createWriteStream(file, { mode: 0o600 }));
  } catch (e) {
    await cleanup();
    if (e instanceof DistvetError) throw e;
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    throw new DistvetError("E_FETCH_FAILED", `could not download ${source}: ${cause?.code ?? cause?.message ?? (e as Error).message}`);
  }
  return { file, cleanup };
}
