import { spawn, spawnSync } from "node:child_process";
import { Duplex, PassThrough, Transform } from "node:stream";
import { createGunzip } from "node:zlib";
import { createRequire } from "node:module";
import type { Compression } from "./detect.js";
import { DistvetError } from "../errors.js";

const require = createRequire(import.meta.url);

export interface Decompressor {
  stream: Duplex;
  /** Resolves when the decompressor finished cleanly; rejects with a DistvetError otherwise. */
  done: Promise<void>;
}

export interface DecompressOptions {
  /** Use the pure-JavaScript decoders for bzip2/zstd even when the system tools exist (tests). */
  forceJs?: boolean;
}

const hasCommand = (cmd: string): boolean => spawnSync(cmd, ["--help"], { stdio: "ignore" }).error === undefined;

/**
 * Streaming decompressor for one compression format. bzip2 and zstd use the system tools when
 * present (faster, and they verify their checksums) and a JavaScript decoder otherwise.
 */
export function createDecompressor(kind: Compression, opts: DecompressOptions = {}): Decompressor {
  if ((kind === "bzip2" || kind === "zstd") && (opts.forceJs || !hasCommand(kind))) return jsDecompressor(kind);
  switch (kind) {
    case "gzip":
      return { stream: createGunzip(), done: Promise.resolve() };
    case "xz": {
      // lzma-native checks the xz integrity check (CRC64/SHA-256) of every block.
      const lzma = require("lzma-native") as { createDecompressor(opts?: object): Duplex };
      return { stream: lzma.createDecompressor(), done: Promise.resolve() };
    }
    case "bzip2":
      return spawnFilter("bzip2", ["-dc"], "bzip2");
    case "zstd":
      return spawnFilter("zstd", ["-dc", "--no-progress"], "zstd");
    case "none":
      return { stream: new PassThrough(), done: Promise.resolve() };
  }
}

/** A system decompressor as a Duplex (stdin in, stdout out); its exit status settles `done`. */
function spawnFilter(cmd: string, args: string[], pkg: string): Decompressor {
  const child = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => {
    if (stderr.length < 4096) stderr += d.toString();
  });
  child.stdin.on("error", () => {
    /* EPIPE when the child dies early: reported through its exit status */
  });
  // Duplex.from accepts a { readable, writable } pair (Node docs); the typings only list web streams.
  const pair = { writable: child.stdin, readable: child.stdout } as unknown as Parameters<typeof Duplex.from>[0];
  const stream = Duplex.from(pair);
  const done = new Promise<void>((resolve, reject) => {
    child.on("error", (err: NodeJS.ErrnoException) => {
      const e =
        err.code === "ENOENT"
          ? new DistvetError(
              "E_DECOMPRESSOR_MISSING",
              `this tarball is ${pkg}-compressed and the '${cmd}' program is not installed; install it (e.g. apt-get install ${pkg}) and retry`,
            )
          : err;
      stream.destroy(e);
      reject(e);
    });
    child.on("close", (code, signal) => {
      if (code === 0 || signal === "SIGPIPE") resolve();
      else {
        const e = decompressorFailure(cmd, stderr);
        stream.destroy(e);
        reject(e);
      }
    });
  });
  done.catch(() => undefined);
  return { stream, done };
}

/** bzip2 via unbzip2-stream, zstd via fzstd's streaming decoder. */
function jsDecompressor(kind: "bzip2" | "zstd"): Decompressor {
  if (kind === "bzip2") {
    const unbzip2 = require("unbzip2-stream") as () => Duplex;
    return { stream: unbzip2(), done: Promise.resolve() };
  }
  const { Decompress } = require("fzstd") as typeof import("fzstd");
  let out: Transform;
  const decoder = new Decompress((chunk) => out.push(Buffer.from(chunk)));
  out = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      try {
        decoder.push(chunk);
        cb();
      } catch (e) {
        cb(new DistvetError("E_CORRUPT", `the zstd stream is corrupt: ${(e as Error).message}`));
      }
    },
    flush(cb) {
      try {
        decoder.push(new Uint8Array(0), true);
        cb();
      } catch (e) {
        cb(new DistvetError("E_TRUNCATED", `the zstd stream ends early (truncated download?): ${(e as Error).message}`));
      }
    },
  });
  return { stream: out, done: Promise.resolve() };
}

function decompressorFailure(cmd: string, stderr: string): DistvetError {
  const line = stderr.trim().split("\n").pop() ?? "";
  if (/unexpected end|truncated|premature/i.test(stderr)) {
    return new DistvetError("E_TRUNCATED", `the compressed stream ends early (truncated download?): ${cmd}: ${line}`);
  }
  return new DistvetError("E_CORRUPT", `the compressed stream is corrupt: ${cmd}: ${line}`);
}

/** Translate errors from zlib, lzma-native and tar-stream into one clear DistvetError. */
export function archiveError(err: unknown, compression: string): DistvetError {
  if (err instanceof DistvetError) return err;
  const e = err as { message?: string; code?: string | number; name?: string };
  const msg = String(e?.message ?? err);
  if (/unexpected end|premature|truncated|end of data|LZMA_BUF_ERROR|buf_error|no progress is possible/i.test(msg) || e?.code === "Z_BUF_ERROR") {
    return new DistvetError("E_TRUNCATED", `the archive ends early (truncated download?): ${msg}`);
  }
  return new DistvetError("E_CORRUPT", `could not read the ${compression} archive: ${msg}`);
}
