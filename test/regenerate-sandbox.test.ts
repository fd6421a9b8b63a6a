/**
 * The sandbox every regeneration step runs in: no network, nothing writable but the work dir,
 * killed on timeout; and --regenerate refuses to run generators without it.
 */
import { spawnSync } from "node:child_process";
import { createServer, type Server } from "node:net";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bwrapSandbox, chooseSandbox, unsandboxed, DEFAULT_LIMITS } from "../src/regenerate/sandbox.js";
import { makeRepo, makeTarball } from "../samples/lib/fixture.js";
import { audit } from "../src/audit.js";
import { tmp } from "./helpers.js";
import { regenDiff, splitByEmbedded, versionMarkers } from "../src/regenerate/index.js";
import { explainingVariant } from "../src/regenerate/variants.js";

const onPath = (cmd: string) => spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;
const hasBash = existsSync("/bin/bash");
const bwrapWorks = onPath("bwrap") && spawnSync("bwrap", ["--unshare-all", "--ro-bind", "/", "/", "--", "/bin/true"]).status === 0;
if (!bwrapWorks) console.warn("sandbox tests skipped: bwrap is not installed (Debian: bubblewrap) or cannot create namespaces here");
const limits = { ...DEFAULT_LIMITS, timeoutMs: 30_000 };

let server: Server;
let port = 0;
let connections = 0;

describe.skipIf(!bwrapWorks || !hasBash)("bubblewrap sandbox", () => {
  beforeAll(async () => {
    server = createServer((s) => {
      connections++;
      s.on("error", () => undefined);
      s.end("hello\n");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const probe = () => `exec 3<>/dev/tcp/127.0.0.1/${port} && echo connected`;

  it("a generator cannot reach the network (the same command outside the sandbox can)", async () => {
    const dir = tmp();
    const before = connections;
    const outside = await unsandboxed().run(dir, `bash -c '${probe()}'`, { limits });
    expect(outside.output).toMatch(/connected/);
    expect(connections).toBe(before + 1);
    const inside = await bwrapSandbox("bwrap").run(dir, `bash -c '${probe()}'`, { limits });
    expect(inside.code).not.toBe(0);
    expect(inside.output).not.toMatch(/connected/);
    expect(connections).toBe(before + 1);
  });

  it("a generator cannot write outside its work directory", async () => {
    const root = tmp();
    const dir = join(root, "work");
    mkdirSync(dir);
    const sibling = join(root, "sibling");
    const r = await bwrapSandbox("bwrap").run(dir, `echo ok > inside && echo x > ${sibling}; s1=$?; echo x > /usr/distvet-escape; s2=$?; echo x > /etc/distvet-escape; s3=$?; echo x > ../escape; s4=$?; test $s1$s2$s3$s4 = 0000`, { limits });
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(/Read-only file system|No such file or directory/);
    expect(readFileSync(join(dir, "inside"), "utf8")).toBe("ok\n");
    expect(existsSync(sibling)).toBe(false);
    expect(existsSync("/usr/distvet-escape")).toBe(false);
    expect(existsSync("/etc/distvet-escape")).toBe(false);
    expect(existsSync(join(root, "escape"))).toBe(false);
  });

  it("a generator that runs too long is killed and reported as timed out", async () => {
    const r = await bwrapSandbox("bwrap").run(tmp(), "sleep 60", { limits: { ...limits, timeoutMs: 500 } });
    expect(r.timedOut).toBe(true);
    expect(r.code).not.toBe(0);
  });

  it("a project whose configure phones home fails the step, and the failure is reported", async () => {
    if (!["autoconf", "automake", "make", "bison", "cc"].every(onPath)) return;
    const work = tmp();
    const git = {
      "configure.ac": `AC_INIT([p], [1.0])
AM_INIT_AUTOMAKE([foreign])
AC_PROG_CC
AC_PROG_YACC
AS_IF([bash -c 'exec 3<>/dev/tcp/127.0.0.1/${port}'], [], [AC_MSG_ERROR([no network])])
AS_IF([echo x > /usr/distvet-escape], [], [AC_MSG_ERROR([cannot write outside the tree])])
AC_CONFIG_FILES([Makefile])
AC_OUTPUT
`,
      "Makefile.am": "bin_PROGRAMS = p\np_SOURCES = g.y\n",
      "g.y": "%%\ns: ;\n%%\nint main(void){return 0;}\nvoid yyerror(const char*s){(void)s;}\nint yylex(void){return 0;}\n",
    };
    const maint = join(work, "maint");
    for (const [p, c] of Object.entries(git)) {
      mkdirSync(join(maint, p, ".."), { recursive: true });
      writeFileSync(join(maint, p), c);
    }
    spawnSync("autoreconf", ["-fi"], { cwd: maint });
    writeFileSync(join(maint, "g.c"), "/* stands for the parser output */\n");
    const files: Record<string, string> = { ...git };
    for (const p of ["configure", "Makefile.in", "aclocal.m4", "g.c", "install-sh", "missing", "compile", "depcomp", "ylwrap"]) {
      if (existsSync(join(maint, p))) files[p] = readFileSync(join(maint, p), "utf8");
    }
    makeRepo(join(work, "repo"), [{ files: git, tag: "v1.0" }]);
    await makeTarball(join(work, "p-1.0.tar.gz"), { root: "p-1.0", files });
    const before = connections;
    const r = await audit({ tarball: join(work, "p-1.0.tar.gz"), repo: join(work, "repo"), ref: "v1.0", regenerate: { cacheDir: false } });
    const step = r.regeneration!.steps.find((s) => s.name === "input-bound: configure")!;
    expect(step.status).toBe("failed");
    expect(step.logTail).toMatch(/no network/);
    expect(connections).toBe(before);
    expect(existsSync("/usr/distvet-escape")).toBe(false);
    const g = r.regeneration!.files.find((f) => f.path === "g.c")!;
    expect(g.status).toBe("not-regenerable");
    expect(g.reason).toMatch(/configure failed/);
    expect(r.regeneration!.files.find((f) => f.path === "configure")!.status).toBe("reproduced");
  }, 240_000);
});

describe("without bubblewrap", () => {
  it("refuses with one clear line unless unsandboxed is asked for", () => {
    const saved = process.env.PATH;
    process.env.PATH = tmp();
    try {
      expect(() => chooseSandbox({})).toThrow(/^--regenerate runs generators only inside a bubblewrap sandbox, and bwrap is not installed \(Debian: apt-get install bubblewrap\); pass --regenerate-unsandboxed/);
      expect(chooseSandbox({ unsandboxed: true }).sandboxed).toBe(false);
    } finally {
      process.env.PATH = saved;
    }
  });
});

describe("comparison helpers", () => {
  it("a difference carries the tarball-only lines", () => {
    const d = regenDiff("configure", "a\nb\nc\n", "a\nb\nevil\nc\n");
    expect(d.tarballOnly).toEqual(["evil"]);
    expect(d.diff).toMatch(/^\+evil$/m);
  });
  it("version markers: serial, scriptversion, timestamp, libtool VERSION, copyright years", () => {
    expect(versionMarkers("# iconv.m4 serial 24\ndnl Copyright (C) 2000-2022 Free\n")).toBe("# iconv.m4 serial 24 | Copyright (C) 2000-2022");
    expect(versionMarkers("scriptversion=2020-11-14.01; # UTC\n")).toBe("scriptversion=2020-11-14.01; # UTC");
    expect(versionMarkers("VERSION=\"2.4.7 Debian-2.4.7-5\"\n")).toBe('VERSION="2.4.7 Debian-2.4.7-5"');
    expect(versionMarkers("no markers at all\n")).toBe("");
  });
  const plain = "ac_subst_vars='\nincludedir\nlocalstatedir\n'\nlocalstatedir='${prefix}/var'\nincludedir='${prefix}/include'\n  -sbindir | --sbindir)\n    ac_prev=sbindir ;;\n\t\tlibdir localedir mandir\ndo\n";
  const patched = plain
    .replace("includedir\nlocalstatedir\n", "includedir\nrunstatedir\nlocalstatedir\n")
    .replace("localstatedir='${prefix}/var'\n", "localstatedir='${prefix}/var'\nrunstatedir='${localstatedir}/run'\n")
    .replace("  -sbindir", "  -runstatedir | --runstatedir | --runstatedi | --runstated \\\n  | --runstate | --runstat | --runsta | --runst | --runs \\\n  | --run | --ru | --r)\n    ac_prev=runstatedir ;;\n  -runstatedir=* | --runstatedir=* | --runstatedi=* | --runstated=* \\\n  | --runstate=* | --runstat=* | --runsta=* | --runst=* | --runs=* \\\n  | --run=* | --ru=* | --r=*)\n    runstatedir=$ac_optarg ;;\n\n  -sbindir")
    .replace("mandir\ndo", "mandir runstatedir\ndo");
  it("a configure differing only by Debian's autoconf 2.69 runstatedir patch is explained by that known build", () => {
    expect(patched).not.toBe(plain);
    expect(explainingVariant("configure", plain, patched)?.id).toBe("autoconf-2.69-runstatedir");
  });
  it("evasion: the runstatedir build does not explain one more line", () => {
    expect(explainingVariant("configure", plain, patched.replace("do\n", "do\nac_cv_header_unistd_h=no\n"))).toBeNull();
    expect(explainingVariant("Makefile.in", plain, patched)).toBeNull();
  });
  it("aclocal.m4: hunks inside a copy of an installed macro file are the toolchain's; a hunk outside is not", () => {
    const macro = Array.from({ length: 30 }, (_, i) => `dnl installed macro line ${i}`).join("\n") + "\n";
    const regenerated = `# generated by aclocal\n${macro}m4_include([m4/local.m4])\n`;
    const olderMacro = macro.replace("line 12", "line twelve");
    const split = splitByEmbedded(regenerated, `# generated by aclocal\n${olderMacro}m4_include([m4/local.m4])\n`, new Map([["pkg.m4", macro]]));
    expect([split.inside.length, split.outside.length, split.files]).toEqual([1, 0, ["pkg.m4"]]);
    const tampered = splitByEmbedded(regenerated, `# generated by aclocal\n${olderMacro}m4_include([m4/local.m4])\nm4_include([m4/build-to-host.m4])\n`, new Map([["pkg.m4", macro]]));
    expect(tampered.outside.length).toBe(1);
    expect(tampered.outside[0]!.lines).toContain("+m4_include([m4/build-to-host.m4])");
  });
});
