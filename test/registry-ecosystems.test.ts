import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { createHash } from "node:crypto";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tmp } from "./tmp.js";
import { FixtureServer } from "./registry-fixture.js";
import { makeRepo, makeTarball, type Files } from "../samples/lib/fixture.js";
import { Fetcher } from "../src/fetch/fetcher.js";
import { indexPath } from "../src/fetch/registries/crate.js";
import { pypiRepository } from "../src/fetch/registries/pypi.js";
import { poolPrefix, upstreamRepository, upstreamVersion } from "../src/fetch/registries/deb.js";
import { auditSpec, parseRegistryOption } from "../src/spec.js";

let server: FixtureServer;
let dir: string;
let mirror: string;
const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");
const fetcher = () => new Fetcher({ retries: 0 });

beforeAll(async () => {
  server = await new FixtureServer().start();
  dir = tmp();
  mirror = join(dir, "mirror");
  mkdirSync(mirror, { recursive: true });
});
afterAll(async () => server.stop());

const mirrorRepo = (owner: string, name: string, files: Files, tag?: string) => {
  mkdirSync(join(mirror, `${owner}+${name}`), { recursive: true });
  return makeRepo(join(dir, `w-${name}`), [{ files, ...(tag ? { tag } : {}) }], { bare: join(mirror, `${owner}+${name}`, "repo") });
};

describe("--registry", () => {
  it("a bare URL is npm's; kind=URL pairs set the others", () => {
    expect(parseRegistryOption("http://a")).toEqual({ npm: "http://a" });
    expect(parseRegistryOption("pypi=http://p,crates-index=http://i,crates=http://c")).toEqual({ pypi: "http://p", cratesIndex: "http://i", crates: "http://c" });
    expect(() => parseRegistryOption("file:///etc")).toThrow(/not an http/);
  });
});

describe("crate: specs", () => {
  const crateFiles = { "Cargo.toml": '[package]\nname = "foo"\nversion = "0.4.0"\nrepository = "https://github.com/acme/rusty"\n', "src/lib.rs": "pub fn f() {}\n" };

  const publish = async (name: string, version: string, files: Files, cksum?: string) => {
    const file = join(dir, `${name}-${version}.crate`);
    await makeTarball(file, { root: `${name}-${version}`, files });
    const bytes = readFileSync(file);
    server.routes.set(`/dl/${name}/${name}-${version}.crate`, { body: bytes });
    server.routes.set(`/index/${indexPath(name)}`, { body: JSON.stringify({ name, vers: version, cksum: cksum ?? sha256(bytes), yanked: false }) + "\n" });
    return bytes;
  };
  const o = () => ({ registries: { cratesIndex: `${server.base}/index`, crates: `${server.base}/dl` }, mirrorDir: mirror, fetcher: fetcher() });

  it("takes commit and subdirectory from .cargo_vcs_info.json, the repository from Cargo.toml", async () => {
    const [commit] = mirrorRepo("acme", "rusty", { "Cargo.toml": "[workspace]\n", ...Object.fromEntries(Object.entries(crateFiles).map(([p, c]) => [`crates/foo/${p}`, c])) });
    await publish("foo", "0.4.0", { ...crateFiles, ".cargo_vcs_info.json": JSON.stringify({ git: { sha1: commit }, path_in_vcs: "crates/foo" }) });
    const r = await auditSpec("crate:foo@0.4.0", o());
    expect(r.git.commit).toBe(commit);
    expect(r.git.subdir).toBe("crates/foo");
    expect(r.git.source).toBe("acme/rusty");
    expect(r.source.verified).toEqual(["sha256 (the crates index (cksum))"]);
    expect(r.summary.identical).toBe(2);
  });

  it("a checksum other than the index's is an error; so is a version the index lacks", async () => {
    await publish("bar", "1.0.0", crateFiles, "0".repeat(64));
    await expect(auditSpec("crate:bar@1.0.0", o())).rejects.toMatchObject({ code: "E_CHECKSUM_MISMATCH" });
    await expect(auditSpec("crate:bar@2.0.0", o())).rejects.toThrow(/has no bar@2.0.0/);
  });

  it("the sparse index layout", () => {
    expect(["a", "ab", "abc", "Serde"].map(indexPath)).toEqual(["1/a", "2/ab", "3/a/abc", "se/rd/serde"]);
  });
});

describe("pypi: specs", () => {
  it("audits the sdist verified by the JSON API's sha256, repository from project_urls", async () => {
    const files = { "pyw/__init__.py": "__version__ = '1.0'\n", "pyproject.toml": "[project]\nname = 'pyw'\n" };
    mirrorRepo("acme", "pyw", files, "v1.0");
    const tar = join(dir, "pyw-1.0.tar.gz");
    await makeTarball(tar, { root: "pyw-1.0", files });
    const bytes = readFileSync(tar);
    server.routes.set("/files/pyw-1.0.tar.gz", { body: bytes });
    server.json("/pypi/pyw/1.0/json", {
      info: { name: "pyw", version: "1.0", project_urls: { Homepage: "https://pyw.example.org", Source: "https://github.com/acme/pyw" } },
      urls: [
        { packagetype: "bdist_wheel", url: `${server.base}/files/pyw-1.0-py3-none-any.whl`, filename: "pyw-1.0-py3-none-any.whl", digests: { sha256: "1".repeat(64) } },
        { packagetype: "sdist", url: `${server.base}/files/pyw-1.0.tar.gz`, filename: "pyw-1.0.tar.gz", digests: { sha256: sha256(bytes) } },
      ],
    });
    const r = await auditSpec("pypi:pyw==1.0", { registries: { pypi: server.base }, mirrorDir: mirror, fetcher: fetcher() });
    expect(r.git.ref).toBe("v1.0");
    expect(r.git.source).toBe("acme/pyw");
    expect(r.summary.identical).toBe(2);
  });

  it("wheels only is an error naming the reason", async () => {
    server.json("/pypi/wheelonly/2.0/json", { info: { name: "wheelonly" }, urls: [{ packagetype: "bdist_wheel", url: `${server.base}/x.whl`, digests: { sha256: "1".repeat(64) } }] });
    await expect(auditSpec("pypi:wheelonly==2.0", { registries: { pypi: server.base }, mirrorDir: mirror, fetcher: fetcher() })).rejects.toThrow(/no source distribution/);
  });

  it("prefers Source over Homepage, ignores non-forge URLs", () => {
    expect(pypiRepository({ project_urls: { Homepage: "https://github.com/a/site", Source: "https://github.com/a/code" } })?.name).toBe("code");
    expect(pypiRepository({ project_urls: { Docs: "https://docs.example.org" }, home_page: "https://example.org" })).toBeUndefined();
  });
});

describe("deb: specs", () => {
  const hasGpg = spawnSync("gpg", ["--version"]).status === 0 && spawnSync("gpgv", ["--version"]).status === 0;
  const upstream = { "configure.ac": "AC_INIT([upst], [1.2])\n", "src/u.c": "int u;\n" };
  const publishDeb = async (o: { version: string; debianFiles: Files; sign?: "good" | "bad"; dscSig?: boolean }) => {
    const up = o.version.replace(/-[^-]+$/, "");
    const pool = "/debian/pool/main/u/upst";
    const orig = join(dir, `upst_${up}.orig.tar.gz`);
    await makeTarball(orig, { root: `upst-${up}`, files: upstream });
    const deb = join(dir, `upst_${o.version}.debian.tar.gz`);
    const files: Array<[string, Buffer]> = [[`upst_${up}.orig.tar.gz`, readFileSync(orig)]];
    const debianFiles = { ...o.debianFiles };
    if (o.sign) {
      const env = { ...process.env, GNUPGHOME: join(dir, `gnupg-${o.version}`) };
      execFileSync("mkdir", ["-m", "700", "-p", env.GNUPGHOME]);
      execFileSync("gpg", ["--batch", "--passphrase", "", "--quick-gen-key", "Upstream <up@example.org>", "ed25519", "sign", "never"], { env, stdio: "ignore" });
      const signed = o.sign === "good" ? orig : join(dir, "other");
      if (o.sign === "bad") writeFileSync(signed, "not the tarball");
      execFileSync("gpg", ["--batch", "--yes", "--armor", "--detach-sign", "-o", `${orig}.asc`, signed], { env, stdio: "ignore" });
      debianFiles["upstream/signing-key.asc"] = execFileSync("gpg", ["--batch", "--armor", "--export"], { env, encoding: "utf8" });
      files.push([`upst_${up}.orig.tar.gz.asc`, readFileSync(`${orig}.asc`)]);
    }
    await makeTarball(deb, { root: "debian", files: debianFiles });
    files.push([`upst_${o.version}.debian.tar.gz`, readFileSync(deb)]);
    for (const [n, b] of files) server.routes.set(`${pool}/${n}`, { body: b });
    const dsc = [
      "Format: 3.0 (quilt)",
      "Source: upst",
      `Version: ${o.version}`,
      "Checksums-Sha256:",
      ...files.map(([n, b]) => ` ${sha256(b)} ${b.length} ${n}`),
    ].join("\n");
    const body = o.dscSig ? `-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\n${dsc}\n-----BEGIN PGP SIGNATURE-----\n\nxx\n-----END PGP SIGNATURE-----\n` : `${dsc}\n`;
    server.routes.set(`${pool}/upst_${o.version}.dsc`, { body });
  };
  const o = (notes: string[] = []) => ({ registries: { deb: `${server.base}/debian` }, mirrorDir: mirror, fetcher: fetcher(), onNote: (m: string) => notes.push(m) });

  it("audits the orig tarball named by the .dsc, repository from debian/upstream/metadata", async () => {
    mirrorRepo("acme", "upst", upstream, "v1.2");
    await publishDeb({ version: "1.2-1", debianFiles: { "upstream/metadata": "Repository: https://github.com/acme/upst.git\n", control: "Source: upst\n" }, dscSig: true });
    const r = await auditSpec("deb:upst=1.2-1", o());
    expect(r.git.ref).toBe("v1.2");
    expect(r.git.source).toBe("acme/upst");
    expect(r.source.verified[0]).toMatch(/^sha256 \(upst_1.2-1.dsc Checksums-Sha256\)$/);
    expect(r.summary.identical).toBe(2);
  });

  it("falls back to debian/watch for the repository", async () => {
    await publishDeb({ version: "1.2-2", debianFiles: { watch: "version=4\nopts=filenamemangle=s/.+\\/v?(\\d\\S+)\\.tar\\.gz/upst-$1\\.tar\\.gz/ \\\n  https://github.com/acme/upst/tags .*/v?(\\d\\S+)\\.tar\\.gz\n" } });
    const r = await auditSpec("deb:upst=1.2-2", o());
    expect(r.git.source).toBe("acme/upst");
  });

  it.skipIf(!hasGpg)("checks the orig tarball's .asc with debian/upstream/signing-key.asc", async () => {
    const notes: string[] = [];
    await publishDeb({ version: "1.2-3", debianFiles: { "upstream/metadata": "Repository: https://github.com/acme/upst\n" }, sign: "good" });
    await auditSpec("deb:upst=1.2-3", o(notes));
    expect(notes.join("\n")).toMatch(/good signature by Upstream <up@example.org>/);
    await publishDeb({ version: "1.2-4", debianFiles: { "upstream/metadata": "Repository: https://github.com/acme/upst\n" }, sign: "bad" });
    await expect(auditSpec("deb:upst=1.2-4", o())).rejects.toMatchObject({ code: "E_SIGNATURE" });
  });

  it("version helpers", () => {
    expect(upstreamVersion("1:2.6.0+dfsg-1ubuntu2")).toBe("2.6.0");
    expect(upstreamVersion("5.4.1-0.2")).toBe("5.4.1");
    expect(poolPrefix("libexpat")).toBe("libe");
    expect(poolPrefix("xz-utils")).toBe("x");
    expect(upstreamRepository(undefined, "version=4\nopts=mode=git https://git.example.org/upst.git refs/tags/v(.*)\n")?.url).toBe("https://git.example.org/upst.git");
  });

  it("an unknown source or version is an error", async () => {
    await expect(auditSpec("deb:upst=9.9-1", o())).rejects.toThrow(/has no upst_9.9-1.dsc/);
  });
});
