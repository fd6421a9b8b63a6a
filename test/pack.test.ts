import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, readdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { SAMPLES } from "../samples/index.js";
import { buildSample } from "../samples/lib/sample.js";
import { tmp } from "./tmp.js";

const ROOT = join(import.meta.dirname, "..");
const npm = (args: string[], cwd: string) => spawnSync("npm", args, { cwd, encoding: "utf8", env: { ...process.env, npm_config_update_notifier: "false" } });
const hasNpm = spawnSync("npm", ["--version"], { encoding: "utf8" }).status === 0;

describe("the published package", () => {
  // Packs a copy of the sources (so `prepack` builds there, not in this tree), installs the tarball
  // into an empty prefix the way a user would, and runs the installed `distvet`.
  it.skipIf(!hasNpm)("packs, installs into an empty prefix and audits a sample from there", { timeout: 300_000 }, async () => {
    const work = tmp("distvet-pack-");
    const src = join(work, "src-copy");
    for (const f of ["package.json", "package-lock.json", "tsconfig.json", "tsconfig.build.json", "LICENSE", "README.md", "src", "cli", "data", "docs", "schema"]) {
      cpSync(join(ROOT, f), join(src, f), { recursive: true });
    }
    symlinkSync(join(ROOT, "node_modules"), join(src, "node_modules"), "dir");
    const pack = npm(["pack", "--json", "--pack-destination", work], src);
    expect(pack.status, pack.stderr).toBe(0);
    const [info] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
    const files = info!.files.map((f) => f.path);
    // Only what runs: no samples, bench, scripts, tests or sources; no source maps without their sources.
    expect(files).toContain("dist/cli/main.js");
    expect(files).toContain("schema/distvet.schema.json");
    expect(files).toContain("docs/rules/build-script-added.md");
    expect(files).toContain("LICENSE");
    expect(files.filter((f) => /^dist\/(samples|bench|scripts|test)\//.test(f) || f.endsWith(".map") || /^(src|cli|test)\//.test(f))).toEqual([]);

    const prefix = join(work, "prefix");
    const install = npm(["install", "-g", "--prefix", prefix, "--prefer-offline", "--no-audit", "--no-fund", join(work, info!.filename)], work);
    expect(install.status, install.stderr).toBe(0);
    const bin = join(prefix, "bin", "distvet");
    expect(existsSync(bin)).toBe(true);
    expect(readdirSync(join(prefix, "lib", "node_modules", "distvet"))).not.toContain("src");

    const sample = await buildSample(SAMPLES.find((s) => s.name === "xz-5.6.1")!, join(work, "xz"));
    const run = (...args: string[]) => spawnSync(bin, args, { cwd: work, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
    expect(run("--version").stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const r = run("audit", sample.tarball, "--repo", sample.repo, "--format", "sarif");
    expect(r.status, r.stderr).toBe(1);
    const sarif = JSON.parse(r.stdout);
    expect(sarif.runs[0].results.some((x: { ruleId: string; level: string }) => x.ruleId === "m4-serial-mismatch" && x.level === "error")).toBe(true);
    // The rule pages are read from the installed package.
    expect(sarif.runs[0].tool.driver.rules.find((x: { id: string }) => x.id === "build-script-added").help.markdown).toContain("# build-script-added");
  });
});
