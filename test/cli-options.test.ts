import { describe, it, expect, beforeAll } from "vitest";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { join } from "node:path";
import { SAMPLES } from "../samples/index.js";
import { buildSample, type BuiltSample } from "../samples/lib/sample.js";
import { progressWanted, useColor, checkArguments } from "../cli/commands/audit.js";
import { tmp } from "./tmp.js";

const ROOT = join(import.meta.dirname, "..");
const CLI = join(ROOT, "dist", "cli", "main.js");
const run = (args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}) => {
  const env: Record<string, string | undefined> = { ...process.env, ...opts.env };
  delete env.NO_COLOR;
  delete env.FORCE_COLOR;
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", cwd: opts.cwd ?? ROOT, env });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

let xz: BuiltSample;
let dir: string;
beforeAll(async () => {
  dir = tmp();
  xz = await buildSample(SAMPLES.find((s) => s.name === "xz-5.6.1")!, join(dir, "xz"));
});

describe("help and version", () => {
  it("-h and --help print help and exit 0", () => {
    for (const flag of ["-h", "--help"]) {
      const r = run([flag]);
      expect(r.code).toBe(0);
      expect(r.out).toContain("Commands:");
      expect(r.out).toContain("distvet audit <tarball>");
    }
    const a = run(["audit", "-h"]);
    expect(a.code).toBe(0);
    expect(a.out).toContain("--sha256");
  });
  it("-V and --version print the package version", () => {
    const version = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version;
    expect(run(["-V"]).out.trim()).toBe(version);
    expect(run(["--version"]).out.trim()).toBe(version);
  });
  it("no command is an error line with exit 2", () => {
    const r = run([]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^distvet: error: name a command: audit, rules, init/);
  });
});

describe("arguments are checked before the audit", () => {
  it("-o into a missing directory fails with one line before reading anything", () => {
    // The tarball does not exist either: the output error must come first.
    const r = run(["audit", join(dir, "missing.tar.gz"), "-o", "/nonexistent/dir/x"]);
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
    expect(r.err.trim().split("\n")).toEqual(["distvet: error: cannot write the report to /nonexistent/dir/x: directory /nonexistent/dir does not exist"]);
  });
  it("-o naming a directory is refused", () => {
    expect(() => checkArguments({ output: dir, format: "text" })).toThrow(/it is a directory/);
  });
  it("--sha256 must be 64 hex digits", () => {
    const r = run(["audit", join(dir, "missing.tar.gz"), "--sha256", "xyz"]);
    expect(r.code).toBe(2);
    expect(r.err.trim()).toBe("distvet: error: --sha256 must be 64 hexadecimal characters (a SHA-256 digest), got 'xyz'");
    expect(() => checkArguments({ sha256: "a".repeat(63) + "g", format: "text" })).toThrow(/64 hexadecimal/);
    expect(() => checkArguments({ sha256: "A".repeat(64), format: "text" })).not.toThrow();
  });
  it("--summary needs --format markdown", () => {
    expect(() => checkArguments({ summary: true, format: "text" })).toThrow(/--format markdown/);
  });
});

describe("colour, quiet, verbose, progress", () => {
  it("--color forces ANSI colour into a pipe, --no-color and NO_COLOR remove it", () => {
    const args = ["audit", xz.tarball, "--repo", xz.repo];
    expect(run([...args, "--color"]).out).toContain("\x1b[1;31m");
    expect(run(args).out).not.toContain("\x1b[");
    expect(run([...args, "--no-color"], { env: { FORCE_COLOR: "1" } }).out).not.toContain("\x1b[");
    expect(useColor({}, { NO_COLOR: "1" }, true)).toBe(false);
    expect(useColor({}, {}, true)).toBe(true);
    expect(useColor({ output: "r.txt" }, {}, true)).toBe(false);
  });
  it("--quiet keeps the report and drops the notes", () => {
    const loud = run(["audit", xz.tarball, "--repo", xz.repo]);
    expect(loud.err).toContain("using tag v5.6.1");
    const q = run(["audit", xz.tarball, "--repo", xz.repo, "--quiet"]);
    expect(q.err).toBe("");
    expect(q.out).toBe(loud.out);
    expect(q.code).toBe(1);
  });
  it("-v is --verbose for audit", () => {
    expect(run(["audit", xz.tarball, "--repo", xz.repo, "-v"]).out).toContain("EXPLAINED (");
  });
  it("no progress bar when CI is set or stderr is not a terminal", () => {
    expect(progressWanted({ progress: true }, {}, true)).toBe(true);
    expect(progressWanted({ progress: true }, { CI: "true" }, true)).toBe(false);
    expect(progressWanted({ progress: true }, { CI: "" }, true)).toBe(false);
    expect(progressWanted({ progress: true }, {}, false)).toBe(false);
    expect(progressWanted({ progress: true, quiet: true }, {}, true)).toBe(false);
  });
});

/** One ustar header block (checksum computed), for members tar-stream will not write. */
function ustar(name: string, size: number, type: string): Buffer {
  const b = Buffer.alloc(512);
  const put = (off: number, len: number, v: string) => b.write(v.slice(0, len), off, "latin1");
  put(0, 100, name);
  put(100, 8, "0000755\0");
  put(108, 8, "0000000\0");
  put(116, 8, "0000000\0");
  put(124, 12, size.toString(8).padStart(11, "0") + "\0");
  put(136, 12, "00000000000\0");
  put(148, 8, "        ");
  put(156, 1, type);
  put(257, 6, "ustar\0");
  put(263, 2, "00");
  let sum = 0;
  for (const x of b) sum += x;
  put(148, 8, sum.toString(8).padStart(6, "0") + "\0 ");
  return b;
}

describe("never a silent result", () => {
  it("a directory header with a size (a stream entry that never ends) never passes silently", async () => {
    const clean = await buildSample(SAMPLES.find((s) => s.name === "clean-autotools")!, join(dir, "clean"));
    const f = join(dir, "hello-2.12.tar.gz");
    const data = Buffer.concat([ustar("hello-2.12/", 0, "5"), ustar("hello-2.12/d/", 5, "5"), Buffer.from("hello"), Buffer.alloc(507), Buffer.alloc(1024)]);
    writeFileSync(f, gzipSync(data));
    for (const format of ["text", "json"]) {
      const r = run(["audit", f, "--repo", clean.repo, "--format", format, "--fail-on", "high"]);
      if (r.code === 2) {
        expect(r.out).toBe("");
        expect(r.err.trim().split("\n").filter((l) => l.startsWith("distvet: error:"))).toHaveLength(1);
      } else {
        expect([0, 1]).toContain(r.code);
        expect(r.out.length).toBeGreaterThan(0);
      }
    }
  });

  const script = (body: string) => {
    const f = join(dir, `guard-${Math.random().toString(36).slice(2)}.mjs`);
    writeFileSync(
      f,
      `import { runAudit } from ${JSON.stringify(join(ROOT, "dist", "cli", "commands", "audit.js"))};\n` +
        `const argv = { tarball: "x-1.0.tar.gz", format: "json", progress: false, verbose: false, gitBackend: "auto", config: false };\n${body}\n`,
    );
    const r = spawnSync(process.execPath, [f], { encoding: "utf8" });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };
  it("an audit that never settles (event loop drains) exits 2 with one internal-error line", () => {
    const r = script(`process.exitCode = await runAudit(argv, { audit: () => new Promise(() => {}), cwd: process.cwd(), env: {} });`);
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
    expect(r.err.trim().split("\n")).toHaveLength(1);
    expect(r.err).toMatch(/^distvet: error: internal error: the audit stopped with nothing left to wait for/);
  });
  it("…also when it first waits on a timer that then fires without settling it", () => {
    const r = script(`process.exitCode = await runAudit(argv, { audit: () => new Promise(() => { setTimeout(() => {}, 20); }), cwd: process.cwd(), env: {} });`);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/internal error/);
  });
  it("an audit that settles prints its report and keeps its exit code (the guard stays quiet)", () => {
    const result = { formatVersion: 1, tool: { name: "distvet", version: "0" }, tarball: { source: "x", sha256: "0", entries: 0, compression: "gzip" }, git: { source: ".", ref: "v1", commit: "0".repeat(40), entries: 0 }, summary: { identical: 0, explained: 0, findings: { high: 0, medium: 0, low: 0, info: 0 } }, changes: [], findings: [], notChecked: [] };
    const r = script(`process.exitCode = await runAudit(argv, { audit: async () => { await new Promise((r) => setTimeout(r, 10)); return ${JSON.stringify(result)}; }, cwd: process.cwd(), env: {} });`);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).formatVersion).toBe(1);
  });
});
