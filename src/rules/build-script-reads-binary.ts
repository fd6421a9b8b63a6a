import { posix } from "node:path";
import { defineRule } from "./define-rule.js";
import { isBuildScript, looksLikeTestPath } from "../content/kinds.js";
import { grepMarkers } from "../content/behaviour.js";
import { describeBinary, isBinary } from "../content/classify.js";
import type { AuditContext } from "../context.js";

/**
 * Binary files of the tarball among `paths` (content-sniffed). Only the names are kept: a release
 * with hundreds of binary fixtures (fonts, images) must not hold all their bytes while build
 * scripts are matched; the few that are named are read again to be described.
 */
async function binaries(ctx: AuditContext, paths: Iterable<string>): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    const b = await ctx.fileBytes(p, "once");
    if (b && isBinary(b)) out.push(p);
  }
  return out;
}

/** Binary: type, size, entropy; text: its size, and whether its name claims a binary format. */
function describeSelected(path: string, bytes: Buffer): string {
  const d = describeBinary(path, bytes, bytes.length);
  if (isBinary(bytes)) return d;
  const claim = d.split(", ").find((part) => part.startsWith("name claims"));
  return `text, ${bytes.length} bytes${claim ? `; ${claim}` : ""}`;
}

/** Does `bytes` contain a line matching `re` (grep -a semantics: binary read as text, line by line)? */
function grepSelects(re: RegExp, bytes: Buffer): boolean {
  return re.test(bytes.toString("latin1"));
}

export default defineRule({
  id: "build-script-reads-binary",
  severity: "high",
  title: "Build script selects or names a binary file (payload extraction shape)",
  async check(ctx, report) {
    // A loop, not [...entries()]: a million members would be a million pair arrays at once.
    const files: string[] = [];
    for (const [p, e] of ctx.tar) if (e.type === "file" && !e.unsafe) files.push(p);
    let candidates: string[] | undefined;
    for (const path of files) {
      if (!isBuildScript(path)) continue;
      const entry = ctx.tar.get(path)!;
      const inGit = ctx.tree.get(path)?.oid === entry.oid;
      // 1. A recursive grep over the tree: run its marker against every file and name what it selects.
      for (const hit of (ctx.behaviourHits.get(path) ?? []).filter((h) => h.pattern.id === "grep-source-tree")) {
        for (const re of grepMarkers(hit.text)) {
          // Run the marker over every file (grep -a reads binaries as text), one file at a time.
          // What is kept of each selected file is its description: a marker may select many files.
          const selected: { path: string; binary: boolean; described?: string }[] = [];
          for (const p of files) {
            if (p === path) continue;
            const b = await ctx.fileBytes(p, "once");
            if (b && grepSelects(re, b)) selected.push({ path: p, binary: isBinary(b), ...(selected.length < 20 ? { described: describeSelected(p, b) } : {}) });
          }
          if (selected.length === 0) continue;
          const binary = selected.filter((s) => s.binary);
          report({
            path,
            severity: inGit ? "medium" : "high",
            message: `${path}:${hit.line} greps the source tree for /${re.source}/, and that pattern selects ${selected.map((s) => s.path).join(", ")}${binary.length ? ` (binary: ${binary.map((s) => s.path).join(", ")})` : ""}: a build script locating data hidden in other files is how the xz backdoor extracted its payload from a test file.${inGit ? " The script is identical to git." : ""}`,
            evidence: {
              lines: [
                `${path}:${hit.line}: ${hit.text}`,
                ...selected.slice(0, 20).map((s) => `selects ${s.path}: ${s.described}`),
              ],
            },
          });
        }
      }
      // 2. A tarball-only or modified build script that names a binary test file no git build file names
      //    (a generated Makefile.in listing fixtures its Makefile.am lists is ordinary).
      if (inGit) continue;
      const text = await ctx.fileText(path);
      if (text === null) continue;
      candidates ??= await binaries(ctx, files.filter((p) => looksLikeTestPath(p) && !isBuildScript(p)));
      for (const bin of candidates) {
        const base = posix.basename(bin);
        if (!text.includes(bin) && !(base.length >= 8 && text.includes(base))) continue;
        if (await ctx.gitBuildMentions(base)) continue;
        const bytes = await ctx.fileBytes(bin);
        report({
          path,
          message: `${path} is not in the tagged tree as shipped, and it names the binary test file ${bin}. Build scripts have no reason to read test data at configure or build time.`,
          evidence: { lines: [`names ${bin}: ${bytes ? describeBinary(bin, bytes, bytes.length) : "binary (its bytes could not be read again)"}`] },
        });
      }
    }
  },
});
