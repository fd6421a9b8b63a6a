import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, posix } from "node:path";
import { getHeapStatistics, setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { AuditResult, Change, Finding, NotChecked, Severity, TreeEntry } from "./types.js";
import { SEVERITIES, severityRank } from "./types.js";
import { DistvetError } from "./errors.js";
import { readTarball, type ArchiveEntry } from "./archive/read-tar.js";
import { normalizeMemberName } from "./archive/paths.js";
import { openRepo, type BackendChoice } from "./git/open.js";
import type { GitBackend } from "./git/backend.js";
import { GitAttributes } from "./git/attributes.js";
import { matchTags, nearbyTags, parseTarballName, previousTag } from "./git/resolve-tag.js";
import { pinnedSubmodules } from "./git/submodules.js";
import { pairEntries } from "./diff/pair.js";
import { AuditContext, type PreviousRelease } from "./context.js";
import { PROFILES, type Profile } from "./normalize/index.js";
import { RULES, type Rule } from "./rules/registry.js";
import { obtainTarball } from "./fetch/source.js";
import { scanBehaviour, type BehaviourHit } from "./content/behaviour.js";
import { isBinary } from "./content/classify.js";
import { isBuildScript } from "./content/kinds.js";
import { verifySignature } from "./fetch/signature.js";
import { VERSION } from "./version.js";
import { applyAllow, type AllowEntry } from "./config.js";
import { regenerate, regenerationJson, type RegenerateOptions } from "./regenerate/index.js";
import { regenerateHint } from "./regenerate/hint.js";

export interface AuditOptions {
  /** Path or http(s) URL of the release tarball. */
  tarball: string;
  /** Working tree, bare repository or URL. Default: the current directory. */
  repo?: string;
  /** Tag, annotated tag, branch or commit. Default: guessed from the tarball's name. */
  ref?: string;
  /** The previous release, for fixture history. Default: the nearest lower tag in the same naming scheme. */
  previousRef?: string;
  /** The tarball was cut from this subdirectory of the repository. */
  subdir?: string;
  /** Clones of the tag's submodules (path in the tree -> clone, bare repository or URL): files copied from them are verified at the pinned commit. */
  submodules?: ReadonlyMap<string, string>;
  /** Expected sha256 of the tarball file; a mismatch is an operational error. */
  sha256?: string;
  /** Detached OpenPGP signature (path or URL) to verify before auditing. */
  signature?: string;
  /** Keyring for the signature (gpgv); default: the user's gpg keyring. */
  keyring?: string;
  gitBackend?: BackendChoice;
  /** Where a URL --repo is cloned and kept (default $XDG_CACHE_HOME/distvet). */
  cacheDir?: string;
  /** Progress of the single decompression pass. */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
  /** Human-readable notes about choices made (e.g. which tag was guessed). */
  onNote?: (message: string) => void;
  /** Findings accepted after review (from a config file). */
  allow?: AllowEntry[];
  /** Summarise unverified files at medium instead of low (the packager wants every unproven file looked at). */
  strict?: boolean;
  /** Rebuild the generated files from the tag in a sandbox and compare them (see docs/regenerate.md). */
  regenerate?: boolean | RegenerateOptions;
  profiles?: readonly Profile[];
  rules?: readonly Rule[];
}

/**
 * A full garbage collection between phases once the heap is large. V8 grows the heap rather than
 * collect while there is room, so a million-member audit whose live data stays near 300 MB peaked
 * at 900 MB or more; collecting at phase ends keeps the peak near what is live.
 */
let collect: (() => void) | undefined | null;
/**
 * The report's view of each change, written over the array in place: a million members must not
 * hold the full change objects and their report copies at once.
 */
function slimChanges(changes: Change[]): Change[] {
  for (let i = 0; i < changes.length; i++) {
    const c = changes[i]!;
    changes[i] = (c.explainedBy ? { kind: c.kind, path: c.path, explainedBy: c.explainedBy } : { kind: c.kind, path: c.path }) as Change;
    // The replaced changes (and the members only they still hold) are collected as it goes.
    if ((i + 1) % SLIM_SETTLE_EVERY === 0) settle();
  }
  return changes;
}
const SLIM_SETTLE_EVERY = 1 << 18;

function settle(): void {
  if (collect === undefined) {
    try {
      setFlagsFromString("--expose-gc");
      collect = runInNewContext("gc") as () => void;
    } catch {
      collect = null;
    }
  }
  if (!collect) return;
  // Only when the heap has grown since the last collection: a full collection of a 300 MB heap
  // costs 0.2 s, and most phases (most rules) leave little behind.
  // Buffers count too: a rule that read hundreds of git blobs leaves them outside the JS heap,
  // and V8 alone would collect them only when it next needs heap.
  const used = getHeapStatistics().used_heap_size + process.memoryUsage().arrayBuffers;
  if (used <= SETTLE_FROM || used < liveAfterSettle + Math.max(SETTLE_GROWTH, liveAfterSettle / 4)) return;
  collect();
  liveAfterSettle = getHeapStatistics().used_heap_size + process.memoryUsage().arrayBuffers;
}
let liveAfterSettle = 0;
const SETTLE_FROM = 32 * 1024 * 1024;
const SETTLE_GROWTH = 32 * 1024 * 1024;
const SETTLE_SCRIPT_BYTES = 256 * 1024;

const byPath = (a: { path: string }, b: { path: string }): number => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

/** A user-given name in a one-line message: quoted, with newlines and other control characters escaped. */
const shown = (name: string): string => `'${name.replace(/[\u0000-\u001f\u007f]/g, (c) => (c === "\n" ? "\\n" : `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`))}'`;

export function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort(
    (a, b) => severityRank(a.severity) - severityRank(b.severity) || byPath(a, b) || (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0) || (a.message < b.message ? -1 : 1),
  );
}

async function resolveRef(backend: GitBackend, opts: AuditOptions, paxCommit: string | undefined): Promise<{ ref: string; commit: string }> {
  if (opts.ref) {
    const commit = await backend.resolveCommit(opts.ref);
    if (!commit) throw new DistvetError("E_UNKNOWN_REF", `the repository has no tag, branch or commit named ${shown(opts.ref)}`, { ref: opts.ref });
    return { ref: opts.ref, commit };
  }
  const parsed = parseTarballName(opts.tarball);
  const tags = await backend.listTags();
  if (parsed) {
    for (const tag of matchTags(tags, parsed)) {
      const commit = await backend.resolveCommit(tag);
      if (commit) {
        opts.onNote?.(`using tag ${tag} for ${parsed.name} ${parsed.version} (pass --ref to choose another)`);
        return { ref: tag, commit };
      }
    }
  }
  if (paxCommit && (await backend.resolveCommit(paxCommit))) {
    opts.onNote?.(`using commit ${paxCommit} recorded in the tarball's pax header by git archive`);
    return { ref: paxCommit, commit: paxCommit };
  }
  const near = parsed ? nearbyTags(tags, parsed) : tags.slice(-8);
  const what = parsed ? `version ${parsed.version} of ${parsed.name}` : `the tarball name '${posix.basename(opts.tarball)}'`;
  throw new DistvetError(
    "E_NO_TAG_GUESS",
    `no tag matches ${what}; pass --ref <tag>${near.length ? ` (nearby tags: ${near.join(", ")})` : tags.length ? "" : " (the repository has no tags)"}`,
    { candidates: near },
  );
}

/** The version a release substitutes for @VERSION@: from the tarball's name, and from the tag (v5.4.1, curl-7_88_1). */
function releaseVersions(tarball: string, ref: string): string[] {
  const out = new Set<string>();
  const parsed = parseTarballName(tarball);
  if (parsed) out.add(parsed.version);
  const fromTag = /(\d+(?:[._]\d+)+[\w.+~-]*)$/.exec(ref)?.[1];
  if (fromTag) out.add(fromTag.replace(/_/g, "."));
  return [...out];
}

/** Map tree entries under `subdir` to paths relative to it. */
function subtree(entries: TreeEntry[], subdir: string): Map<string, TreeEntry> {
  const map = new Map<string, TreeEntry>();
  // Without a subdirectory the entries are used as they are (no copy per entry).
  if (!subdir) {
    for (const e of entries) map.set(e.path, e);
    return map;
  }
  const prefix = `${subdir}/`;
  for (const e of entries) {
    if (!e.path.startsWith(prefix)) continue;
    const path = e.path.slice(prefix.length);
    map.set(path, { ...e, path });
  }
  return map;
}

/**
 * The two paths a member may end up at: with its top-level directory dropped, and as it is (the
 * listing decides which once every member is known; a tarball without a single root keeps them).
 */
function candidatePaths(rawName: string): [string, string] {
  const safe = normalizeMemberName(rawName).path;
  return [safe.slice(safe.indexOf("/") + 1), safe];
}

/**
 * One streaming pass over the tarball. Bytes are kept only for members whose blob id differs
 * from the tree at the same path; build scripts are scanned for behaviour patterns on the way.
 */
async function readAgainstTree(file: string, tree: Map<string, TreeEntry>, onProgress: AuditOptions["onProgress"], spillDir: () => string) {
  const behaviour = new Map<string, BehaviourHit[]>();
  const listing = await readTarball(file, {
    spillDir,
    retain: (oid, rawName) => candidatePaths(rawName).every((p) => tree.get(p)?.oid !== oid),
    twin: (path) => tree.get(path),
    wantsInspection: (rawName) => candidatePaths(rawName).some(isBuildScript),
    inspect: (rawName, bytes) => {
      if (isBinary(bytes)) return;
      const hits = scanBehaviour(bytes.toString("utf8"), candidatePaths(rawName).find(isBuildScript) ?? candidatePaths(rawName)[0]);
      if (hits.length) behaviour.set(rawName, hits);
      // The parse of a large script (a configure) leaves tens of MB of garbage behind.
      if (bytes.length > SETTLE_SCRIPT_BYTES) settle();
    },
    ...(onProgress ? { onProgress } : {}),
  });
  return { listing, behaviour };
}

/**
 * Tarball members by path (unsafe names keep their raw name). The listing is already the tree
 * `tar x` leaves (one entry per path); duplicates are reported by archive-ambiguity.
 */
function indexMembers(entries: ArchiveEntry[]): Map<string, ArchiveEntry> {
  const tar = new Map<string, ArchiveEntry>();
  for (const e of entries) tar.set(e.unsafe ? e.rawName : e.path, e);
  return tar;
}

/** Members that are not directories (a loop: no array of a million entries just to count them). */
function countMembers(entries: ArchiveEntry[]): number {
  let n = 0;
  for (const e of entries) if (e.type !== "dir") n++;
  return n;
}

async function explainChanges(ctx: AuditContext, profiles: readonly Profile[]): Promise<void> {
  for (const change of ctx.changes) {
    // A member with an unsafe name is never "expected": path-traversal reports it.
    if (change.tarball?.unsafe) continue;
    for (const profile of profiles) {
      const verdict = await profile.explain(change, ctx);
      if (verdict) {
        change.explainedBy = { profile: profile.id, ...verdict };
        break;
      }
    }
  }
}

/**
 * Audit a release tarball against the git tree it claims to come from. Pure with respect to the
 * process: it never prints, exits or reads argv. Operational failures throw DistvetError.
 */
export async function audit(opts: AuditOptions): Promise<AuditResult> {
  const result = await auditOnce(opts);
  // The member index, the pairs and the rules' data are garbage now: collect them before the
  // caller renders the report (a million changes make a large string).
  settle();
  return result;
}

async function auditOnce(opts: AuditOptions): Promise<AuditResult> {
  // Growth is measured from this audit's own collections (a batch worker runs audit after audit).
  liveAfterSettle = 0;
  const cleanups: (() => Promise<void>)[] = [];
  try {
    const local = await obtainTarball(opts.tarball);
    cleanups.push(local.cleanup);
    const sigFile = opts.signature ? await obtainTarball(opts.signature) : undefined;
    if (sigFile) cleanups.push(sigFile.cleanup);
    const backend = await openRepo(opts.repo ?? ".", opts.gitBackend ?? "auto", { ...(opts.cacheDir ? { cacheDir: opts.cacheDir } : {}), ...(opts.ref ? { want: [opts.ref] } : {}) });
    cleanups.push(() => backend.close());
    const signature = sigFile ? await verifySignature(local.file, sigFile.file, opts.keyring) : undefined;
    const subdir = (opts.subdir ?? "").replace(/^\/+|\/+$/g, "");

    // Resolve the ref first when it is given or guessable, so the tree is known while streaming.
    let resolved: { ref: string; commit: string } | undefined;
    let refError: unknown;
    try {
      resolved = await resolveRef(backend, opts, undefined);
    } catch (e) {
      refError = e;
    }
    let tree = resolved ? subtree(await backend.listTree(resolved.commit), subdir) : new Map<string, TreeEntry>();
    // Retained bytes beyond the in-memory part of the budget go to a private directory, made on first use.
    let spill: string | undefined;
    cleanups.push(async () => {
      if (spill) await rm(spill, { recursive: true, force: true });
    });
    const spillDir = (): string => (spill ??= mkdtempSync(join(tmpdir(), "distvet-spill-")));
    const { listing, behaviour } = await readAgainstTree(local.file, tree, opts.onProgress, spillDir);
    settle();
    if (opts.sha256 && opts.sha256.toLowerCase() !== listing.sha256) {
      throw new DistvetError("E_CHECKSUM_MISMATCH", `sha256 of ${opts.tarball} is ${listing.sha256}, not the expected ${opts.sha256.toLowerCase()}`);
    }
    if (!resolved) {
      // Only a `git archive` pax header can still name the commit; otherwise report the tag error.
      if (!listing.paxCommit || opts.ref) throw refError;
      resolved = await resolveRef(backend, opts, listing.paxCommit).catch(() => {
        throw refError;
      });
      tree = subtree(await backend.listTree(resolved.commit), subdir);
    }
    const { ref, commit } = resolved;
    if (subdir && tree.size === 0) throw new DistvetError("E_SUBDIR_NOT_FOUND", `${ref} has no directory '${subdir}'`);

    const notChecked: NotChecked[] = [...listing.problems];
    const tar = indexMembers(listing.entries);
    // Behaviour hits by member (only when a script had hits: a stored name is rebuilt on each use).
    const behaviourHits = new Map<string, BehaviourHit[]>();
    if (behaviour.size) {
      for (const e of listing.entries) {
        const hits = behaviour.get(e.rawName);
        if (hits) behaviourHits.set(e.unsafe ? e.rawName : e.path, hits);
      }
    }
    // The index holds every member from here on: the list is dropped (one pointer per member), and
    // the index's growth left its smaller tables behind: both are collected before the changes are made.
    const members = countMembers(listing.entries);
    listing.entries = [];
    settle();
    const attrFiles: { path: string; content: string }[] = [];
    for (const [path, e] of tree) {
      if (posix.basename(path) === ".gitattributes") attrFiles.push({ path, content: (await backend.readBlob(e.oid)).toString("utf8") });
    }
    const { changes, identical } = pairEntries(tar, tree);
    settle();
    let previous: Promise<PreviousRelease | null> | undefined;
    const previousRelease = () =>
      (previous ??= (async () => {
        const prevRef = opts.previousRef ?? previousTag(await backend.listTags(), ref);
        if (!prevRef) return null;
        const prevCommit = await backend.resolveCommit(prevRef);
        if (!prevCommit) {
          if (opts.previousRef) throw new DistvetError("E_UNKNOWN_REF", `the repository has no tag, branch or commit named ${shown(opts.previousRef)} (--previous-ref)`);
          return null;
        }
        return { ref: prevRef, commit: prevCommit, tree: subtree(await backend.listTree(prevCommit), subdir) };
      })());
    const subs = await pinnedSubmodules(tree, opts.submodules ?? new Map(), tree.has(".gitmodules") ? (await backend.readBlob(tree.get(".gitmodules")!.oid)).toString("utf8") : null, {
      ...(opts.gitBackend ? { backend: opts.gitBackend } : {}),
      ...(opts.cacheDir ? { cacheDir: opts.cacheDir } : {}),
    });
    cleanups.push(subs.close);
    for (const u of subs.unchecked) {
      if (!changes.some((c) => c.kind === "added")) break;
      notChecked.push({
        path: u.path,
        reason: `submodule pinned at ${u.commit.slice(0, 12)}: tarball-only files copied from it (gnulib's bootstrap copies hundreds) cannot be verified without it; pass --submodule ${u.path}=<a clone of ${u.url ?? "its repository"}>`,
      });
    }
    const ctx = new AuditContext(tar, tree, new GitAttributes(attrFiles), backend, changes, previousRelease);
    ctx.submodules = subs.pinned;
    ctx.commit = commit;
    ctx.releaseVersions = releaseVersions(opts.tarball, ref);
    ctx.strict = opts.strict ?? false;
    // Loops, not push(...xs): a million members can mean a million items (stack overflow).
    for (const a of listing.ambiguities) ctx.ambiguities.push(a);
    for (const n of notChecked) ctx.notChecked.push(n);
    for (const [path, hits] of behaviourHits) ctx.behaviourHits.set(path, hits);

    if (opts.regenerate) {
      const given = opts.regenerate === true ? {} : opts.regenerate;
      const r = (ctx.regeneration = await regenerate(ctx, { ...(opts.onNote ? { onNote: opts.onNote } : {}), ...given, commit }));
      opts.onNote?.(regenerationJson(r).summary);
    }

    await explainChanges(ctx, opts.profiles ?? PROFILES);
    settle();
    const all: Finding[] = [];
    for (const rule of opts.rules ?? RULES) {
      for (const f of await rule.check(ctx)) all.push(f);
      settle();
    }
    const { kept: findings, allowed } = applyAllow(sortFindings(all), opts.allow ?? []);

    const counts = Object.fromEntries(SEVERITIES.map((sev) => [sev, 0])) as Record<Severity, number>;
    const hint = ctx.regeneration ? null : regenerateHint(changes, { tarball: opts.tarball, repo: opts.repo ?? ".", ref, ...(subdir ? { subdir } : {}) });
    for (const f of findings) counts[f.severity]++;
    let explained = 0;
    let verified = 0;
    let unverified = 0;
    for (const c of changes) {
      if (!c.explainedBy) continue;
      explained++;
      if (c.explainedBy.trust === "verified") verified++;
      else if (c.explainedBy.trust === "unverified") unverified++;
    }
    // The rules are done: the member index goes, so the members leave memory as the changes are slimmed.
    tar.clear();
    return {
      formatVersion: 1,
      tool: { name: "distvet", version: VERSION },
      tarball: {
        source: opts.tarball,
        sha256: listing.sha256,
        entries: members,
        compression: listing.compression,
        ...(listing.paxCommit ? { pax_commit: listing.paxCommit } : {}),
        ...(signature ? { signature } : {}),
      },
      git: {
        source: opts.repo ?? ".",
        ref,
        commit,
        entries: tree.size,
        ...(subdir ? { subdir } : {}),
        ...(ctx.previousRef ? { previousRef: ctx.previousRef } : {}),
      },
      summary: {
        identical,
        explained,
        verified,
        unverified,
        findings: counts,
      },
      // Sorted in place: the rules are done with them (a copy is one more pointer per member).
      // Plain literals, not a spread: a spread object carries its own property store (a million changes).
      changes: slimChanges(changes.sort(byPath)),
      findings,
      ...(allowed.length ? { allowed } : {}),
      notChecked: ctx.notChecked.sort(byPath),
      ...(ctx.regeneration ? { regeneration: regenerationJson(ctx.regeneration) } : {}),
      ...(hint ? { regenerateHint: hint } : {}),
    };
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  }
}
