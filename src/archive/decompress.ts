import { spawn, spawnSync } from "node:child_process";
import { PassThrough, Transform, type Duplex, type Readable, type Writable } from "node:stream";
import { createGunzip } from "node:zlib";
import { createRequire } from "node:module";
import type { Compression } from "./detect.js";
import { DistvetError } from "../errors.js";

const require = createRequire(import.meta.url);

/** liblzma's decoder memory limit (xz -9 needs 65 MiB; a larger dictionary is refused, not allocated). */
export const XZ_MEMLIMIT = 256 * 1024 * 1024;
/** zstd's window limit (its CLI default; `--long=31` archives are refused with zstd's own message). */
export const ZSTD_MEMLIMIT_MB = 128;

export interface Decompressor {
  /** Write the compressed bytes here. */
  input: Writable;
  /** Read the decompressed bytes here (back-pressure flows through to `input`). */
  output: Readable;
  /** Resolves when the decompressor finished cleanly; rejects with a DistvetError otherwise. */
  done: Promise<void>;
  /** Stop early (an error elsewhere): kill the child process or destroy the stream. */
  abort(): void;
  /** Which program or library decodes. */
  via: string;
}

export interface DecompressOptions {
  /** Decode in-process even when the system tools exist (tests). */
  forceJs?: boolean;
}

const found = new Map<string, boolean>();
const hasCommand = (cmd: string): boolean => {
  let ok = found.get(cmd);
  if (ok === undefined) {
    ok = spawnSync(cmd, ["--version"], { stdio: "ignore" }).error === undefined;
    found.set(cmd, ok);
  }
  return ok;
};

/**
 * Streaming decompressor for one compression format. The system tools are preferred: they run in
 * another process (on another core: xz -T0 and zstd -T0 use several), verify their checksums,
 * and take memory limits; in-process decoders are the fallback.
 */
export function createDecompressor(kind: Compression, opts: DecompressOptions = {}): Decompressor {
  const js = opts.forceJs ?? false;
  switch (kind) {
    case "gzip":
      if (!js && hasCommand("pigz")) return spawnFilter("pigz", ["-dc"], "gzip");
      return inProcess(createGunzip(), "zlib");
    case "xz":
      if (!js && hasCommand("xz")) return spawnFilter("xz", ["-dc", "-T0", "-q", `--memlimit-decompress=${XZ_MEMLIMIT}`], "xz-utils");
      return lzmaNative();
    case "bzip2":
      if (!js && hasCommand("lbzip2")) return spawnFilter("lbzip2", ["-dc"], "bzip2");
      if (!js && hasCommand("bzip2")) return spawnFilter("bzip2", ["-dc"], "bzip2");
      return unbzip2();
    case "zstd":
      if (!js && hasCommand("zstd")) return spawnFilter("zstd", ["-dc", "-T0", "--no-progress", `--memory=${ZSTD_MEMLIMIT_MB}MB`], "zstd");
      return fzstd();
    case "none": {
      const p = new PassThrough();
      return { input: p, output: p, done: Promise.resolve(), abort: () => p.destroy(), via: "none" };
    }
  }
}

function inProcess(stream: Duplex, via: string): Decompressor {
  let fail: (e: unknown) => void = () => undefined;
  const done = new Promise<void>((resolve, reject) => {
    fail = reject;
    stream.once("end", resolve);
    stream.once("close", resolve);
  });
  stream.once("error", (e) => fail(e));
  done.catch(() => undefined);
  return { input: stream, output: stream, done, abort: () => stream.destroy(), via };
}

function lzmaNative(): Decompressor {
  // lzma-native checks the xz integrity check (CRC64/SHA-256) of every block.
  const lzma = require("lzma-native") as { createDecompressor(opts?: object): Duplex };
  return inProcess(lzma.createDecompressor({ memlimit: XZ_MEMLIMIT }), "lzma-native");
}

/** bzip2 via unbzip2-stream, an old-style through stream: read it through a PassThrough. */
function unbzip2(): Decompressor {
  const stream = (require("unbzip2-stream") as () => Duplex)();
  const out = new PassThrough();
  let fail: (e: unknown) => void = () => undefined;
  const done = new Promise<void>((resolve, reject) => {
    fail = reject;
    out.once("end", resolve);
  });
  done.catch(() => undefined);
  stream.once("error", (e) => {
    fail(e);
    out.destroy(e);
  });
  stream.pipe(out);
  return { input: stream, output: out, done, abort: () => (stream.destroy(), out.destroy()), via: "unbzip2-stream" };
}

/** zstd via fzstd's streaming decoder. */
function fzstd(): Decompressor {
  const { Decompress } = require("fzstd") as typeof import("fzstd");
  let out: Transform;
  const decoder = new Decompress((chunk) => out.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)));
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
  return inProcess(out, "fzstd");
}

/** A system decompressor as a child process (stdin in, stdout out); its exit status settles `done`. */
function spawnFilter(cmd: string, args: string[], pkg: string): Decompressor {
  const child = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => {
    if (stderr.length < 4096) stderr += d.toString();
  });
  child.stdin.on("error", () => {
    /* EPIPE when the child dies early: reported through its exit status */
  });
  let aborted = false;
  const done = new Promise<void>((resolve, reject) => {
    child.on("error", (err: NodeJS.ErrnoException) => {
      reject(
        err.code === "ENOENT"
          ? new DistvetError("E_DECOMPRESSOR_MISSING", `this tarball is ${pkg}-compressed and the '${cmd}' program is not installed; install it (e.g. apt-get install ${pkg}) and retry`)
          : err,
      );
    });
    child.on("close", (code, signal) => {
      if (code === 0 || aborted) resolve();
      else reject(decompressorFailure(cmd, stderr, code, signal));
    });
  });
  done.catch(() => undefined);
  return {
    input: child.stdin,
    output: child.stdout,
    done,
    abort: () => {
      aborted = true;
      child.kill("SIGKILL");
    },
    via: cmd,
  };
}

function decompressorFailure(cmd: string, stderr: string, code: number | null, signal: NodeJS.Signals | null): DistvetError {
  const lines = stderr.trim().split("\n").map((l) => l.replace(/^[^:]+: (?:[^:]*: )?/, "").trim()).filter(Boolean);
  const line = lines.pop() ?? `exit status ${code ?? signal}`;
  const mem = /memory usage limit|memlimit|too much memory|window size|frame requires|window/i;
  if (mem.test(stderr)) {
    const limit = cmd === "xz" ? `${XZ_MEMLIMIT / 1048576} MiB` : `${ZSTD_MEMLIMIT_MB} MB`;
    return new DistvetError("E_CORRUPT", `the ${cmd} stream asks for more memory to decode than distvet's ${limit} limit (a huge dictionary or window; ${cmd}: ${[...lines, line].find((l) => mem.test(l)) ?? line})`);
  }
  if (/unexpected end|truncated|premature|incomplete|end of file/i.test(stderr)) {
    return new DistvetError("E_TRUNCATED", `the compressed stream ends early (truncated download?): ${cmd}: ${line}`);
  }
  return new DistvetError("E_CORRUPT", `the compressed stream is corrupt: ${cmd}: ${line}`);
}

/** Translate errors from zlib, lzma-native and the tar framing into one clear DistvetError. */
export function archiveError(err: unknown, compression: string): DistvetError {
  if (err instanceof DistvetError) return err;
  const e = err as { message?: string; code?: string | number; name?: string };
  const msg = String(e?.message ?? err);
  if (/memlimit|memory usage limit|LZMA_MEMLIMIT_ERROR/i.test(msg)) {
    return new DistvetError("E_CORRUPT", `the ${compression} stream needs more memory to decode than distvet allows (${XZ_MEMLIMIT / 1048576} MiB): ${msg}`);
  }
  if (/unexpected end|premature|truncated|end of data|LZMA_BUF_ERROR|buf_error|no progress is possible/i.test(msg) || e?.code === "Z_BUF_ERROR") {
    return new DistvetError("E_TRUNCATED", `the archive ends early (truncated download?): ${msg}`);
  }
  return new DistvetError("E_CORRUPT", `could not read the ${compression} archive: ${msg}`);
}
