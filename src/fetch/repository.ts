/** A source repository named by registry metadata, normalised to something git can clone. */
export interface RepoRef {
  /** https clone URL (or the URL as given when it is not a known forge). */
  url: string;
  host: string;
  /** owner/name on the forge (for --mirror-dir lookups); absent for unknown layouts. */
  owner?: string;
  name?: string;
  /** Subdirectory of the repository the package was published from. */
  directory?: string;
}

const SHORTHAND: Record<string, string> = { github: "github.com", gitlab: "gitlab.com", bitbucket: "bitbucket.org" };

const cleanDir = (d: string | undefined): string | undefined => {
  const s = (d ?? "").replace(/^\.?\/+/, "").replace(/\/+$/, "");
  return s && s !== "." && !s.split("/").includes("..") ? s : undefined;
};

/**
 * Parse the forms package registries use for a repository: npm's `repository` (string or
 * `{url, directory}`), `github:o/r` and bare `o/r` shorthands, `git+https://`, `git://`,
 * `git+ssh://git@host/o/r.git`, scp-like `git@host:o/r.git`, and forge web URLs with `/tree/<ref>/<dir>`.
 */
export function parseRepository(input: unknown): RepoRef | null {
  let raw: string | undefined;
  let directory: string | undefined;
  if (typeof input === "string") raw = input;
  else if (input && typeof input === "object") {
    const o = input as { url?: unknown; directory?: unknown };
    if (typeof o.url === "string") raw = o.url;
    if (typeof o.directory === "string") directory = o.directory;
  }
  if (!raw) return null;
  raw = raw.trim().replace(/#.*$/, "");
  if (!raw) return null;

  let host: string | undefined;
  let path: string | undefined;
  const short = /^(github|gitlab|bitbucket):([\w.-]+\/[\w.-]+)$/.exec(raw);
  const bare = /^([\w.-]+)\/([\w.-]+)$/.exec(raw);
  const scp = /^[\w.-]+@([\w.-]+):(.+)$/.exec(raw);
  if (short) {
    host = SHORTHAND[short[1]!];
    path = short[2];
  } else if (bare) {
    host = "github.com";
    path = raw;
  } else if (scp) {
    host = scp[1];
    path = scp[2];
  } else {
    try {
      const u = new URL(raw.replace(/^git\+/, ""));
      host = u.hostname.toLowerCase();
      path = decodeURIComponent(u.pathname);
    } catch {
      return null;
    }
  }
  if (!host || !path) return null;
  const parts = path.replace(/^\/+|\/+$/g, "").replace(/\.git$/, "").split("/").filter(Boolean);
  const forge = host === "github.com" || host === "gitlab.com" || host === "bitbucket.org" || host === "codeberg.org";
  if (parts.length < (forge ? 2 : 1)) return null;
  if (forge) {
    const [owner, nameRaw, ...rest] = parts;
    const name = nameRaw!.replace(/\.git$/, "");
    // https://github.com/o/r/tree/<ref>/<dir…>: the directory is in the URL.
    if (!directory && (rest[0] === "tree" || rest[0] === "blob") && rest.length > 2) directory = rest.slice(2).join("/");
    const d = cleanDir(directory);
    return { url: `https://${host}/${owner}/${name}.git`, host, owner: owner!, name, ...(d ? { directory: d } : {}) };
  }
  const d = cleanDir(directory);
  const url = /^[a-z+]+:\/\//i.test(raw) ? raw.replace(/^git\+/, "") : `https://${host}/${parts.join("/")}.git`;
  return { url, host, ...(d ? { directory: d } : {}) };
}

/** Same repository? Compares forge owner/name case-insensitively, else the normalised URL. */
export function sameRepository(a: RepoRef, b: RepoRef): boolean {
  if (a.owner && b.owner && a.name && b.name) {
    return a.host === b.host && a.owner.toLowerCase() === b.owner.toLowerCase() && a.name.toLowerCase() === b.name.toLowerCase();
  }
  const norm = (u: string) => u.toLowerCase().replace(/\.git$/, "").replace(/\/+$/, "");
  return norm(a.url) === norm(b.url);
}
