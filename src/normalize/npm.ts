import ignore from "ignore";
import { defineProfile, unverified, verified } from "./profile.js";
import { perAudit } from "../context.js";

/** Keys npm (or yarn/pnpm) adds or rewrites in package.json when packing or publishing. */
const PUBLISH_KEYS = /^(_.*|gitHead|readme|readmeFilename|dist)$/;
const BUILD_SCRIPTS = ["build", "prepare", "prepack", "prepublish", "prepublishOnly", "compile", "dist", "bundle"];
const WORKSPACE_SPEC = /^(workspace|catalog|link|portal):/;
const PLACEHOLDER_VERSION = /^0\.0\.0(-[\w.]+)?$|development|semantically-released|placeholder/;
const DEP_KEYS = new Set(["dependencies", "devDependencies", "peerDependencies", "optionalDependencies"]);

type Json = Record<string, unknown>;
const parse = (s: string | null): Json | null => {
  try {
    const v = s === null ? null : (JSON.parse(s) as unknown);
    return v && typeof v === "object" && !Array.isArray(v) ? (v as Json) : null;
  } catch {
    return null;
  }
};
const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * Keys whose removal changes nothing an install runs or loads (clean-publish and similar tools
 * drop them): development settings and the scripts themselves. Removing `scripts` only takes
 * lifecycle hooks away.
 */
const INERT_WHEN_REMOVED = new Set(["scripts", "devDependencies", "prettier", "eslintConfig", "eslintIgnore", "stylelint", "jest", "c8", "nyc", "ava", "mocha", "size-limit", "clean-publish", "lint-staged", "simple-git-hooks", "husky", "commitlint", "release-it", "publishConfig", "packageManager", "workspaces", "devEngines", "volta", "xo", "tsd", "typesVersionsComment"]);

/** Why `key` may differ between git's package.json and the published one, or null. */
function publishRewrite(key: string, git: Json, tar: Json): string | null {
  if (PUBLISH_KEYS.test(key)) return `${key} (added by the registry client)`;
  if (key in git && !(key in tar) && INERT_WHEN_REMOVED.has(key)) return `${key} (removed on publish; nothing an install runs or loads)`;
  const pc = git.publishConfig as Json | undefined;
  if (pc && key in pc && same(pc[key], tar[key])) return `${key} (publishConfig override)`;
  if (key === "version" && typeof git.version === "string" && PLACEHOLDER_VERSION.test(git.version)) return "version (placeholder in git, set at release)";
  if (DEP_KEYS.has(key)) {
    const g = (git[key] ?? {}) as Json;
    const t = (tar[key] ?? {}) as Json;
    const names = new Set([...Object.keys(g), ...Object.keys(t)]);
    for (const n of names) {
      if (same(g[n], t[n])) continue;
      if (typeof g[n] === "string" && WORKSPACE_SPEC.test(g[n] as string) && typeof t[n] === "string") continue;
      return null;
    }
    return `${key} (workspace:/catalog: ranges resolved to versions)`;
  }
  return null;
}

/** The published package.json and its "files" patterns. */
const manifest = perAudit(async (ctx) => {
  const pkg = parse(await ctx.fileText("package.json"));
  const files = Array.isArray(pkg?.files) ? ignore().add((pkg!.files as unknown[]).filter((f): f is string => typeof f === "string")) : null;
  return { pkg, files };
});

export const npm = defineProfile({
  id: "npm",
  description: "package.json fields npm/yarn/pnpm rewrite on publish, and declared build outputs.",
  async explain(change, ctx) {
    if (!ctx.hasGit("package.json")) return null;
    if (change.kind === "modified" && change.path === "package.json") {
      const git = parse(await ctx.gitText("package.json"));
      const tar = parse(ctx.tarText("package.json"));
      if (!git || !tar) return null;
      const reasons: string[] = [];
      for (const key of new Set([...Object.keys(git), ...Object.keys(tar)])) {
        if (same(git[key], tar[key])) continue;
        const why = publishRewrite(key, git, tar);
        if (!why) return null; // scripts, bin, main, dependencies… changed for real
        reasons.push(why);
      }
      return verified("reproduction", reasons.length ? `git's package.json with only the fields publishing rewrites changed: ${reasons.join(", ")}` : "same manifest as git, different formatting");
    }
    if (change.kind === "added") {
      const { pkg, files } = await manifest(ctx);
      const scripts = (pkg?.scripts ?? {}) as Json;
      const builder = BUILD_SCRIPTS.find((s) => typeof scripts[s] === "string");
      if (!files || !builder || !files.ignores(change.path)) return null;
      const ignoredBy = await ctx.gitignored(change.path);
      if (!ignoredBy) return null;
      return unverified("npm-build-output", `declared build output: listed in package.json "files", ignored by ${ignoredBy}, built by the "${builder}" script on the publisher's machine`, `run "npm run ${builder}" on the tag and compare`);
    }
    return null;
  },
});
