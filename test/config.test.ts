import { describe, it, expect, beforeAll } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SAMPLES } from "../samples/index.js";
import { buildSample, type BuiltSample } from "../samples/lib/sample.js";
import { configProblems, discoverConfig, parseConfig, starterConfig, unusedAllowEntries, applyAllow } from "../src/config.js";
import { RULES } from "../src/rules/registry.js";
import type { Finding } from "../src/types.js";
import { tmp } from "./tmp.js";

const ROOT = join(import.meta.dirname, "..");
const CLI = join(ROOT, "dist", "cli", "main.js");
const IDS = RULES.map((r) => r.id);
const run = (args: string[], cwd: string) => {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", cwd, env: { ...process.env, NO_COLOR: "1" } });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

let xz: BuiltSample;
let dir: string;
beforeAll(async () => {
  dir = tmp();
  xz = await buildSample(SAMPLES.find((s) => s.name === "xz-5.6.1")!, join(dir, "xz"));
});

describe("config validation: one line per problem", () => {
  it("accepts a valid config", () => {
    expect(configProblems({ failOn: "high", allow: [{ rule: "binary-added", path: "doc/*.pdf", reason: "rebuilt from the .texi" }] }, IDS)).toEqual([]);
  });
  it("reports an unknown key, with where it is", () => {
    expect(configProblems({ failon: "high" }, IDS)).toEqual(['unknown key "failon"']);
    expect(configProblems({ allow: [{ rule: "binary-added", path: "a", reason: "r", paths: "b" }] }, IDS)).toEqual(['allow[0]: unknown key "paths"']);
  });
  it("reports an unknown rule id", () => {
    expect(configProblems({ allow: [{ rule: "binary-addded", path: "a", reason: "r" }] }, IDS)).toEqual(['allow[0].rule: unknown rule id "binary-addded" (distvet rules lists them)']);
  });
  it("reports an allow entry without a reason, or with a blank one", () => {
    expect(configProblems({ allow: [{ rule: "binary-added", path: "a" }] }, IDS)).toEqual(['allow[0]: missing "reason"']);
    expect(configProblems({ allow: [{ rule: "binary-added", path: "a", reason: "  \n" }] }, IDS)).toEqual(["allow[0].reason: must not be empty"]);
  });
  it("reports a bad failOn and several problems at once", () => {
    const p = configProblems({ failOn: "critical", allow: [{ path: "a", reason: "r" }, { rule: "x", path: "", reason: "r" }] }, IDS);
    expect(p).toContain("failOn: must be one of high, medium, low, info, none");
    expect(p).toContain('allow[0]: missing "rule"');
    expect(p).toContain("allow[1].path: must not be empty");
  });
  it('refuses "rule": "*" unless allowAnyRule opts in', () => {
    const entry = { rule: "*", path: "m4/*", reason: "r" };
    expect(configProblems({ allow: [entry] }, IDS)).toEqual(['allow[0].rule: "*" accepts every rule, including rules added later; set "allowAnyRule": true to allow it']);
    expect(configProblems({ allowAnyRule: true, allow: [entry] }, IDS)).toEqual([]);
  });
  it("parseConfig throws one line per problem, each naming the file", () => {
    expect(() => parseConfig({ a: 1, b: 2 }, "x.json", IDS)).toThrow('config x.json: unknown key "a"\nconfig x.json: unknown key "b"');
  });
  it("the starter config written by init is valid and allows nothing", () => {
    const cfg = JSON.parse(starterConfig());
    expect(configProblems(cfg, IDS)).toEqual([]);
    expect(cfg.allow).toEqual([]);
  });
  it("the shipped schema's keys are the ones the loader knows", () => {
    const schema = JSON.parse(readFileSync(join(ROOT, "schema", "distvet.schema.json"), "utf8"));
    expect(Object.keys(schema.properties).sort()).toEqual(["$comment", "$schema", "allow", "allowAnyRule", "failOn"]);
  });
});

describe("allow entries", () => {
  const f = (rule: string, path: string): Finding => ({ rule, path, severity: "high", title: "t", message: "m", docs: "" });
  it("lists entries that matched nothing, including entries shadowed by an earlier one", () => {
    const allow = [
      { rule: "binary-added", path: "doc/", reason: "r" },
      { rule: "binary-added", path: "doc/a.pdf", reason: "shadowed" },
      { rule: "source-added", path: "nothing/", reason: "stale" },
    ];
    const { allowed } = applyAllow([f("binary-added", "doc/a.pdf")], allow);
    expect(unusedAllowEntries(allow, allowed).map((u) => u.index)).toEqual([1, 2]);
  });
});

describe("config discovery", () => {
  const cfgDir = (name: string) => {
    const d = join(dir, name);
    mkdirSync(d, { recursive: true });
    return d;
  };
  const allowAll = { allow: [{ rule: "m4-serial-mismatch", path: "m4/build-to-host.m4", reason: "reviewed in the sample" }] };
  it("finds distvet.config.json, .distvetrc.json and package.json#distvet", () => {
    const a = cfgDir("a");
    writeFileSync(join(a, "distvet.config.json"), JSON.stringify(allowAll));
    expect(discoverConfig(a, IDS)?.allow).toHaveLength(1);
    const b = cfgDir("b");
    writeFileSync(join(b, ".distvetrc.json"), JSON.stringify({ failOn: "high" }));
    expect(discoverConfig(b, IDS)?.failOn).toBe("high");
    const c = cfgDir("c");
    writeFileSync(join(c, "package.json"), JSON.stringify({ name: "x", distvet: { failOn: "low" } }));
    expect(discoverConfig(c, IDS)).toMatchObject({ failOn: "low", source: join(c, "package.json#distvet") });
    expect(discoverConfig(cfgDir("none"), IDS)).toBeUndefined();
  });
  it("two configs in one directory are an error, not a silent pick", () => {
    const d = cfgDir("two");
    writeFileSync(join(d, "distvet.config.json"), "{}");
    writeFileSync(join(d, ".distvetrc.json"), "{}");
    expect(() => discoverConfig(d, IDS)).toThrow(/more than one config found/);
  });
  it("the CLI uses the discovered config, says so, and reports allowed findings with their reason", () => {
    const d = cfgDir("cli");
    writeFileSync(join(d, "distvet.config.json"), JSON.stringify({ allow: [...allowAll.allow, { rule: "binary-added", path: "nothing.bin", reason: "stale" }] }));
    const r = run(["audit", xz.tarball, "--repo", xz.repo], d);
    expect(r.err).toContain(`using config ${join(d, "distvet.config.json")} (2 allow entries)`);
    expect(r.err).toContain("warning: allow[1] (rule binary-added, path nothing.bin) matched no finding");
    expect(r.out).toMatch(/ALLOWED BY CONFIG \(1\)[^\n]*\n\s+high\s+m4\/build-to-host\.m4\s+\[m4-serial-mismatch\]: reviewed in the sample/);
    expect(r.out).toMatch(/, 1 allowed by config\.\n$/);
    expect(r.code).toBe(1); // other highs remain
    const md = run(["audit", xz.tarball, "--repo", xz.repo, "--format", "markdown"], d).out;
    expect(md).toContain("### Allowed by config (1)");
    expect(md).toContain("reviewed in the sample");
    const html = run(["audit", xz.tarball, "--repo", xz.repo, "--format", "html"], d).out;
    expect(html).toContain("Allowed by config (1)");
    expect(html).toContain("reviewed in the sample");
  });
  it("--no-config ignores it; -c names one; a bad config is one line per problem, exit 2", () => {
    const d = cfgDir("cli2");
    writeFileSync(join(d, "distvet.config.json"), JSON.stringify(allowAll));
    expect(run(["audit", xz.tarball, "--repo", xz.repo, "--no-config"], d).out).not.toContain("ALLOWED");
    writeFileSync(join(d, "bad.json"), JSON.stringify({ failon: "high", allow: [{ rule: "nope", path: "a", reason: "r" }, { rule: "*", path: "*", reason: "everything" }] }));
    const r = run(["audit", xz.tarball, "--repo", xz.repo, "-c", "bad.json"], d);
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
    expect(r.err.trim().split("\n")).toEqual([
      'distvet: error: config bad.json: unknown key "failon"',
      'distvet: error: config bad.json: allow[0].rule: unknown rule id "nope" (distvet rules lists them)',
      'distvet: error: config bad.json: allow[1].rule: "*" accepts every rule, including rules added later; set "allowAnyRule": true to allow it',
    ]);
  });
  it("a config inside the audited repository is never picked up (its authors cannot allow their own findings)", () => {
    // Evasion: the tarball author commits an allow-everything config to the repository.
    writeFileSync(join(xz.repo, "distvet.config.json"), JSON.stringify({ allowAnyRule: true, allow: [{ rule: "*", path: "*", reason: "trust me" }] }));
    const r = run(["audit", xz.tarball, "--repo", xz.repo], cfgDir("elsewhere"));
    expect(r.code).toBe(1);
    expect(r.out).not.toContain("ALLOWED");
    expect(r.out).toMatch(/HIGH \(3\)/);
  });
  it("distvet init writes a valid starter config and refuses to overwrite", () => {
    const d = cfgDir("init");
    expect(run(["init"], d).code).toBe(0);
    expect(configProblems(JSON.parse(readFileSync(join(d, "distvet.config.json"), "utf8")), IDS)).toEqual([]);
    const again = run(["init"], d);
    expect(again.code).toBe(2);
    expect(again.err.trim()).toBe("distvet: error: distvet.config.json already exists (use --force to overwrite it)");
  });
});
