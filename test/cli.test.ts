import { describe, it, expect, beforeAll } from "vitest";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SAMPLES } from "../samples/index.js";
import { buildSample, type BuiltSample } from "../samples/lib/sample.js";
import { makeTarball } from "../samples/lib/fixture.js";
import { tmp } from "./tmp.js";

const CLI = join(import.meta.dirname, "..", "dist", "cli", "main.js");
const run = (...args: string[]) => {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

let xz: BuiltSample;
let clean: BuiltSample;
let dir: string;

beforeAll(async () => {
  dir = tmp();
  xz = await buildSample(SAMPLES.find((s) => s.name === "xz-5.6.1")!, join(dir, "xz"));
  clean = await buildSample(SAMPLES.find((s) => s.name === "clean-autotools")!, join(dir, "clean"));
});

describe("distvet audit", () => {
  it("flags the xz sample high on m4/build-to-host.m4 and exits 1, guessing the tag", () => {
    const r = run("audit", xz.tarball, "--repo", xz.repo);
    expect(r.code).toBe(1);
    expect(r.err).toContain("using tag v5.6.1");
    expect(r.out).toMatch(/HIGH \(\d+\)/);
    expect(r.out).toContain("m4/build-to-host.m4  [m4-serial-mismatch]");
    expect(r.out).toContain("m4/.gitignore ignores it");
    expect(r.out).toMatch(/^Result: \d+ high/m);
  });

  it("exits 0 on the clean sample", () => {
    const r = run("audit", clean.tarball, "--repo", clean.repo);
    expect(r.err).toContain("using tag v2.12");
    expect(r.out).toContain("Result: 0 high, 0 medium");
    expect(r.code).toBe(0);
  });

  it("--fail-on none exits 0 even with findings; --fail-on low raises the bar", () => {
    expect(run("audit", xz.tarball, "--repo", xz.repo, "--fail-on", "none").code).toBe(0);
    expect(run("audit", xz.tarball, "--repo", xz.repo, "--fail-on", "high").code).toBe(1);
  });

  it("writes the JSON contract (formatVersion 1, deterministic) to --output", () => {
    const out = join(dir, "r.json");
    const a = run("audit", xz.tarball, "--repo", xz.repo, "--format", "json", "--output", out);
    expect(a.code).toBe(1);
    expect(a.out).toBe("");
    const first = readFileSync(out, "utf8");
    run("audit", xz.tarball, "--repo", xz.repo, "--format", "json", "--output", out);
    expect(readFileSync(out, "utf8")).toBe(first);
    const j = JSON.parse(first);
    expect(Object.keys(j)).toEqual(["formatVersion", "tool", "tarball", "git", "summary", "changes", "findings", "notChecked", "regenerateHint"]);
    expect(j.formatVersion).toBe(1);
    expect(j.git.ref).toBe("v5.6.1");
    expect(j.findings[0]).toMatchObject({ severity: "high", docs: expect.stringMatching(/^docs\/rules\/.+\.md$/) });
  });

  it("renders SARIF 2.1.0, Markdown and HTML", () => {
    const sarif = JSON.parse(run("audit", xz.tarball, "--repo", xz.repo, "--format", "sarif").out);
    expect(sarif.version).toBe("2.1.0");
    expect(sarif.runs[0].results.some((r: { ruleId: string; level: string }) => r.ruleId === "m4-serial-mismatch" && r.level === "error")).toBe(true);
    const md = run("audit", xz.tarball, "--repo", xz.repo, "--format", "markdown").out;
    expect(md).toContain("| high | `m4/build-to-host.m4` |");
    const html = run("audit", xz.tarball, "--repo", xz.repo, "--format", "html").out;
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain("m4/build-to-host.m4");
    expect(html).not.toMatch(/<(link|img|iframe)\b|\bsrc=|url\(/);
  });

  it("accepts reviewed findings from a config file", () => {
    const cfg = join(dir, "distvet.json");
    writeFileSync(cfg, JSON.stringify({ failOn: "high", allowAnyRule: true, allow: [{ rule: "*", path: "*", reason: "sample" }] }));
    const r = run("audit", xz.tarball, "--repo", xz.repo, "--config", cfg, "--format", "json");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.findings.filter((f: { severity: string }) => f.severity === "high" || f.severity === "medium")).toEqual([]);
    expect(j.allowed.length).toBeGreaterThan(0);
  });
});

describe("operational errors: one line, exit 2", () => {
  const oneLine = (r: { code: number | null; err: string; out: string }, pattern: RegExp) => {
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
    expect(r.err.trim().split("\n")).toHaveLength(1);
    expect(r.err).toMatch(pattern);
    expect(r.err).not.toMatch(/\n\s+at /);
  };
  it("a --ref with a newline in it stays one error line", () => oneLine(run("audit", clean.tarball, "--repo", clean.repo, "--ref", "nope\nsecond line"), /named 'nope\\nsecond line'/));
  it("missing tarball", () => oneLine(run("audit", join(dir, "nope.tar.gz"), "--repo", clean.repo), /^distvet: error: tarball not found/));
  it("not a tarball", () => {
    const f = join(dir, "hello-2.12.tar.gz.txt");
    writeFileSync(f, "not an archive\n");
    oneLine(run("audit", f, "--repo", clean.repo, "--ref", "v2.12"), /not a tarball/);
  });
  it("truncated stream", () => {
    const f = join(dir, "cut.tar.gz");
    writeFileSync(f, readFileSync(clean.tarball).subarray(0, 200));
    oneLine(run("audit", f, "--repo", clean.repo, "--ref", "v2.12"), /truncated|ends early/);
  });
  it("unknown ref", () => oneLine(run("audit", clean.tarball, "--repo", clean.repo, "--ref", "v9.9"), /no tag, branch or commit named 'v9.9'/));
  it("no tag fits the tarball name", async () => {
    const f = join(dir, "hello-3.0.tar.gz");
    await makeTarball(f, { root: "hello-3.0", files: { a: "1" } });
    oneLine(run("audit", f, "--repo", clean.repo), /no tag matches version 3.0 of hello; pass --ref/);
  });
  it("repo not found", () => oneLine(run("audit", clean.tarball, "--repo", join(dir, "no-repo")), /no git repository/));
  it("unreachable URL", () => oneLine(run("audit", "http://127.0.0.1:9/x-1.0.tar.gz", "--repo", clean.repo), /could not download/));
  it("bad option", () => oneLine(run("audit", clean.tarball, "--format", "yaml"), /Invalid values|Choices/));
});

describe("distvet rules", () => {
  it("lists every rule with id, severity and title", () => {
    const r = run("rules", "--format", "json");
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.out) as { id: string; severity: string }[];
    expect(rows.map((x) => x.id)).toEqual(expect.arrayContaining(["build-script-added", "unverified-files", "compiled-code", "translation-format-mismatch"]));
    for (const row of rows) expect(readFileSync(join(import.meta.dirname, "..", "docs", "rules", `${row.id}.md`), "utf8")).toContain(row.id);
  });
});

describe("text report", () => {
  it("shows at most ten ungrouped low findings per rule unless --verbose", async () => {
    const { renderText } = await import("../src/report/text.js");
    const base = JSON.parse(run("audit", clean.tarball, "--repo", clean.repo, "--format", "json").out);
    const lows = Array.from({ length: 14 }, (_, i) => ({ rule: "other-file-changed", severity: "low", path: `d${String(i).padStart(2, "0")}/p.html`, title: "t", message: "m", docs: "docs/rules/other-file-changed.md" }));
    const r = { ...base, findings: lows, summary: { ...base.summary, findings: { high: 0, medium: 0, low: 14, info: 0 } } };
    const short = renderText(r);
    expect(short).toContain("d09/p.html");
    expect(short).not.toContain("d10/p.html");
    expect(short).toContain("… 4 more [other-file-changed] findings");
    expect(renderText(r, { verbose: true })).toContain("d13/p.html");
  });
});
