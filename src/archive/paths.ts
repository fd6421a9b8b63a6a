/** Normalise an archive member name without trusting it. */
export interface SafePath {
  /** Normalised relative path ("a/b/c"), or "" for the archive root. */
  path: string;
  /** Why the raw name is unsafe (absolute, contains "..", NUL), if it is. */
  unsafe?: string;
}

/** Names that need no work: no empty, "." or ".." component, not absolute, no NUL, no drive letter. */
const PLAIN = /^(?![A-Za-z]:[\\/])(?:[^/\0.][^/\0]*|\.[^/\0.][^/\0]*|\.\.[^/\0]+)(?:\/(?:[^/\0.][^/\0]*|\.[^/\0.][^/\0]*|\.\.[^/\0]+))*$/;

export function normalizeMemberName(raw: string): SafePath {
  if (PLAIN.test(raw)) return { path: raw };
  let unsafe: string | undefined;
  if (raw.includes("\0")) unsafe = "contains a NUL byte";
  if (raw.startsWith("/") || /^[A-Za-z]:[\\/]/.test(raw)) unsafe = "absolute path";
  const parts: string[] = [];
  for (const part of raw.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      unsafe ??= "contains '..' (path traversal)";
      parts.push(part);
      continue;
    }
    parts.push(part);
  }
  return unsafe ? { path: parts.join("/"), unsafe } : { path: parts.join("/") };
}

/** Resolve a symlink target relative to the link's directory; null when it leaves the tree. */
export function resolveLinkTarget(linkPath: string, target: string): string | null {
  if (target.startsWith("/")) return null;
  const stack = linkPath.split("/").slice(0, -1);
  for (const part of target.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (stack.length === 0) return null;
      stack.pop();
    } else stack.push(part);
  }
  return stack.join("/");
}
