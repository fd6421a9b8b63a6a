import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { DistvetError } from "../errors.js";

/**
 * The one way distvet reaches the network: registry metadata, tarballs, signatures and
 * attestations all go through a Fetcher, which adds a per-request timeout, bounded retries with
 * backoff on transient failures (network errors, HTTP 408/429/5xx) and a size cap. Tests inject
 * their own `fetch` (or point the registry URLs at a local server).
 */
export interface FetcherOptions {
  fetch?: typeof fetch;
  /** Attempts after the first one for transient failures (default 3). */
  retries?: number;
  /** Per-attempt timeout in ms (default 60 s for metadata, applies to the whole body). */
  timeoutMs?: number;
  /** Largest body accepted, in bytes (default 4 GiB for files, 64 MiB for JSON). */
  maxBytes?: number;
  /** First backoff delay in ms, doubled per retry (default 500). */
  backoffMs?: number;
  sleep?: (ms: number) => Promise<void>;
  userAgent?: string;
}

export interface FileDigest {
  size: number;
  sha1: string;
  sha256: string;
  sha512: string;
}

const MAX_FILE = 4 * 1024 * 1024 * 1024;
const MAX_JSON = 64 * 1024 * 1024;

/** A non-transient HTTP failure: the status tells the caller what it means (404 = no such package). */
export class HttpStatusError extends DistvetError {
  readonly status: number;
  constructor(url: string, status: number, statusText: string) {
    super("E_FETCH_FAILED", `could not fetch ${url}: HTTP ${status}${statusText ? ` ${statusText}` : ""}`, { status, url });
    this.status = status;
  }
}

const transientStatus = (s: number): boolean => s === 408 || s === 429 || s >= 500;

export class Fetcher {
  private readonly fetchImpl: typeof fetch;
  private readonly retries: number;
  private readonly timeoutMs: number;
  private readonly maxBytes: number | undefined;
  private readonly backoffMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly userAgent: string;

  constructor(opts: FetcherOptions = {}) {
    this.fetchImpl = opts.fetch ?? fetch;
    this.retries = opts.retries ?? 3;
    this.timeoutMs = opts.timeoutMs ?? 10 * 60_000;
    this.maxBytes = opts.maxBytes;
    this.backoffMs = opts.backoffMs ?? 500;
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.userAgent = opts.userAgent ?? "distvet";
  }

  /** Run `consume` on a successful response, retrying transient failures (the whole attempt is retried). */
  private async attempt<T>(url: string, accept: string, consume: (res: Response, signal: AbortSignal) => Promise<T>): Promise<T> {
    let last: unknown;
    for (let i = 0; i <= this.retries; i++) {
      if (i > 0) await this.sleep(this.backoffMs * 2 ** (i - 1));
      const signal = AbortSignal.timeout(this.timeoutMs);
      try {
        const res = await this.fetchImpl(url, { redirect: "follow", signal, headers: { accept, "user-agent": this.userAgent } });
        if (!res.ok) {
          await res.body?.cancel().catch(() => undefined);
          const err = new HttpStatusError(url, res.status, res.statusText);
          if (transientStatus(res.status)) {
            last = err;
            continue;
          }
          throw err;
        }
        return await consume(res, signal);
      } catch (e) {
        if (e instanceof HttpStatusError && !transientStatus(e.status)) throw e;
        if (e instanceof DistvetError && e.data.sizeCap) throw e;
        last = e;
      }
    }
    if (last instanceof DistvetError) throw last;
    const err = last as { name?: string; cause?: { code?: string; message?: string }; message?: string };
    const why = err?.name === "TimeoutError" ? `timed out after ${this.timeoutMs} ms` : (err?.cause?.code ?? err?.cause?.message ?? err?.message ?? String(last));
    throw new DistvetError("E_FETCH_FAILED", `could not fetch ${url}: ${why} (after ${this.retries + 1} attempts)`, { url });
  }

  private capped(url: string, limit: number): Transform {
    let seen = 0;
    return new Transform({
      transform(chunk: Buffer, _enc, cb) {
        seen += chunk.length;
        if (seen > limit) cb(new DistvetError("E_FETCH_FAILED", `refusing ${url}: larger than the ${limit}-byte limit`, { sizeCap: true }));
        else cb(null, chunk);
      },
    });
  }

  private checkLength(url: string, res: Response, limit: number): void {
    const len = Number(res.headers.get("content-length") ?? 0);
    if (len > limit) throw new DistvetError("E_FETCH_FAILED", `refusing ${url}: ${len} bytes is more than the ${limit}-byte limit`, { sizeCap: true });
  }

  /** The body as bytes (bounded). */
  async bytes(url: string, maxBytes = this.maxBytes ?? MAX_JSON): Promise<Buffer> {
    return this.attempt(url, "*/*", async (res) => {
      this.checkLength(url, res, maxBytes);
      const chunks: Buffer[] = [];
      if (!res.body) return Buffer.alloc(0);
      await pipeline(Readable.fromWeb(res.body as import("node:stream/web").ReadableStream<Uint8Array>), this.capped(url, maxBytes), async function* (src) {
        for await (const c of src) chunks.push(c as Buffer);
      });
      return Buffer.concat(chunks);
    });
  }

  /** Parsed JSON body (bounded). */
  async json<T = unknown>(url: string): Promise<T> {
    const buf = await this.attempt(url, "application/json", async (res) => {
      this.checkLength(url, res, this.maxBytes ?? MAX_JSON);
      return Buffer.from(await res.arrayBuffer());
    });
    if (buf.length > (this.maxBytes ?? MAX_JSON)) throw new DistvetError("E_FETCH_FAILED", `refusing ${url}: larger than the ${this.maxBytes ?? MAX_JSON}-byte limit`);
    try {
      return JSON.parse(buf.toString("utf8")) as T;
    } catch {
      throw new DistvetError("E_FETCH_FAILED", `${url} did not return JSON`);
    }
  }

  /** Stream the body to `file` (mode 0600), hashing it on the way; the size cap applies. */
  async toFile(url: string, file: string): Promise<FileDigest> {
    const limit = this.maxBytes ?? MAX_FILE;
    return this.attempt(url, "*/*", async (res) => {
      this.checkLength(url, res, limit);
      const h1 = createHash("sha1");
      const h256 = createHash("sha256");
      const h512 = createHash("sha512");
      let size = 0;
      const hash = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          size += chunk.length;
          h1.update(chunk);
          h256.update(chunk);
          h512.update(chunk);
          cb(null, chunk);
        },
      });
      if (!res.body) throw new DistvetError("E_FETCH_FAILED", `${url} returned no body`);
      await pipeline(Readable.fromWeb(res.body as import("node:stream/web").ReadableStream<Uint8Array>), this.capped(url, limit), hash, createWriteStream(file, { mode: 0o600 }));
      return { size, sha1: h1.digest("hex"), sha256: h256.digest("hex"), sha512: h512.digest("hex") };
    });
  }
}

let defaultFetcher = new Fetcher();
/** The process-wide fetcher (the CLI configures it once; tests may replace it). */
export const getFetcher = (): Fetcher => defaultFetcher;
export const setFetcher = (f: Fetcher): void => {
  defaultFetcher = f;
};
