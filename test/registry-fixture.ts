import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { makeRepo, makeTarball, type Files } from "../samples/lib/fixture.js";

export type Route = { status?: number; body: string | Buffer; type?: string } | ((req: IncomingMessage, res: ServerResponse) => void);

/** A local HTTP server with recorded responses, standing in for a registry (CI needs no network). */
export class FixtureServer {
  readonly routes = new Map<string, Route>();
  readonly hits = new Map<string, number>();
  private server!: Server;
  base = "";

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const path = decodeURIComponent((req.url ?? "/").split("?")[0]!);
      this.hits.set(path, (this.hits.get(path) ?? 0) + 1);
      const r = this.routes.get(path);
      if (!r) {
        res.writeHead(404, { "content-type": "application/json" }).end('{"error":"Not found"}');
        return;
      }
      if (typeof r === "function") return r(req, res);
      res.writeHead(r.status ?? 200, { "content-type": r.type ?? "application/octet-stream" }).end(r.body);
    });
    await new Promise<void>((ok) => this.server.listen(0, "127.0.0.1", ok));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  json(path: string, value: unknown): void {
    this.routes.set(path, { body: JSON.stringify(value), type: "application/json" });
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((ok) => this.server.close(() => ok()));
  }
}

export const sri = (buf: Buffer): string => `sha512-${createHash("sha512").update(buf).digest("base64")}`;
export const sha512hex = (buf: Buffer): string => createHash("sha512").update(buf).digest("hex");

export interface NpmPackageFixture {
  name: string;
  version: string;
  /** Files in git at the tag. */
  git: Files;
  /** Files in the published tarball (under package/); default: same as git. */
  tarball?: Files;
  owner?: string;
  repoName?: string;
  tag?: string | null;
  /** Extra fields merged into the version document. */
  doc?: Record<string, unknown>;
}

/**
 * Publish an npm package version on the fixture server (version document + tarball) and make its
 * repository as a bare mirror under `mirrorDir/owner+name/repo`. Returns the commit ids and the tarball bytes.
 */
export async function publishNpm(server: FixtureServer, dir: string, mirrorDir: string, p: NpmPackageFixture) {
  const owner = p.owner ?? "acme";
  const repoName = p.repoName ?? p.name.replace(/^@[^/]+\//, "");
  const work = join(dir, `work-${repoName}-${p.version}`);
  mkdirSync(join(mirrorDir, `${owner}+${repoName}`), { recursive: true });
  const commits = makeRepo(work, [{ files: p.git, ...(p.tag === null ? {} : { tag: p.tag ?? `v${p.version}` }) }], { bare: join(mirrorDir, `${owner}+${repoName}`, "repo") });
  const file = join(dir, `${repoName}-${p.version}.tgz`);
  await makeTarball(file, { root: "package", files: p.tarball ?? p.git });
  const bytes = readFileSync(file);
  const tarPath = `/${p.name}/-/${repoName}-${p.version}.tgz`;
  server.routes.set(tarPath, { body: bytes });
  const doc = {
    name: p.name,
    version: p.version,
    repository: { type: "git", url: `git+https://github.com/${owner}/${repoName}.git` },
    dist: { tarball: `${server.base}${tarPath}`, integrity: sri(bytes) },
    ...p.doc,
  };
  server.json(`/${p.name}/${p.version}`, doc);
  return { commits, bytes, doc, tarballPath: tarPath };
}

/** A DSSE-wrapped SLSA v1 provenance statement as npm's attestation endpoint serves it. */
export function attestationBundle(o: { repo: string; ref: string; commit: string; subjectSha512: string; name: string; version: string }) {
  const stmt = {
    _type: "https://in-toto.io/Statement/v1",
    subject: [{ name: `pkg:npm/${o.name}@${o.version}`, digest: { sha512: o.subjectSha512 } }],
    predicateType: "https://slsa.dev/provenance/v1",
    predicate: {
      buildDefinition: {
        buildType: "https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1",
        externalParameters: { workflow: { ref: o.ref, repository: o.repo, path: ".github/workflows/publish.yml" } },
        resolvedDependencies: [{ uri: `git+${o.repo}@${o.ref}`, digest: { gitCommit: o.commit } }],
      },
    },
  };
  return {
    attestations: [
      {
        predicateType: "https://slsa.dev/provenance/v1",
        bundle: { mediaType: "application/vnd.dev.sigstore.bundle.v0.3+json", dsseEnvelope: { payload: Buffer.from(JSON.stringify(stmt)).toString("base64"), payloadType: "application/vnd.in-toto+json", signatures: [] } },
      },
    ],
  };
}
