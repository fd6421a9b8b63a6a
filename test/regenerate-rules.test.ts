/**
 * --regenerate and project generators: a file that a make rule in git writes (libarchive's
 * test/list.h, flex's skel.c) is rebuilt by running git's rule from the tag in the sandbox. Only
 * an exact reproduction verifies it; the rule is git's whatever makefile the tarball ships.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { makeRepo, makeTarball, type Files } from "../samples/lib/fixture.js";
import { audit } from "../src/audit.js";
import { ruleJobs, suppliedValues } from "../src/regenerate/project-rules.js";
import type { AuditResult } from "../src/types.js";
import { tmp } from "./helpers.js";

const onPath = (cmd: string) => spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;
const missing = ["bwrap", "make"].filter((c) => !onPath(c));
const bwrapWorks = missing.length === 0 && spawnSync("bwrap", ["--unshare-all", "--ro-bind", "/", "/", "--", "/bin/true"]).status === 0;
const skipReason = missing.length ? `needs ${missing.join(", ")} (Debian: bubblewrap make)` : !bwrapWorks ? "bwrap cannot create namespaces here" : "";
if (skipReason) console.warn(`regenerate project-rule tests skipped: ${skipReason}`);

const RULE = "test/list.h: Makefile\n\t$(MKDIR_P) test\n\tcat $(top_srcdir)/test/test_*.c | grep '^DEFINE_TEST' > test/list.h\n";
const GIT: Files = {
  "Makefile.am": `BUILT_SOURCES = test/list.h\n\n${RULE}`,
  "test/test_alpha.c": 'DEFINE_TEST(test_alpha)\n{ assert(1); }\n',
  "test/test_beta.c": 'DEFINE_TEST(test_beta)\n{ assert(2); }\n',
  "src/main.c": "int main(void) { return 0; }\n",
};
const LIST = "DEFINE_TEST(test_alpha)\nDEFINE_TEST(test_beta)\n";

async function run(tarballFiles: Files, git: Files = GIT): Promise<AuditResult> {
  const dir = tmp();
  makeRepo(join(dir, "repo"), [{ files: git, tag: "v1.0" }]);
  const tarball = join(dir, "pkg-1.0.tar.gz");
  await makeTarball(tarball, { root: "pkg-1.0", files: { ...git, ...tarballFiles } });
  return audit({ tarball, repo: join(dir, "repo"), ref: "v1.0", regenerate: { cacheDir: join(dir, "cache") } });
}
const fileOf = (r: AuditResult, p: string) => r.regeneration?.files.find((f) => f.path === p);

describe("the rules a project generator needs", () => {
  it("takes git's rule, the rules of its prerequisites and the makefile's variables, and marks the values it supplied", () => {
    const am = "NAME = demo\nif COND\nX = 1\nendif\nout.c: gen.sh in.txt\n\t$(SHELL) $(srcdir)/gen.sh $(VERSION) $(NAME) < in.txt > $@\nin.txt: seed\n\tcp $(srcdir)/seed $@\n";
    const { jobs, files } = ruleJobs(["sub/out.c"], new Map([["sub/out.c", { by: "sub/Makefile.am", line: 5, how: "make rule" }]]), (p) => (p === "sub/Makefile.am" ? am : null), suppliedValues("AC_INIT([demo],[2.1])\n", []));
    expect(jobs).toEqual([{ path: "sub/out.c", dir: "sub", target: "out.c", by: "sub/Makefile.am", line: 5, supplied: ["VERSION=2.1"] }]);
    const mk = files.get("sub/.distvet-rules.mk")!.bytes!.toString();
    expect(mk).toContain("top_srcdir = ..");
    expect(mk).toContain("NAME = demo");
    expect(mk).not.toMatch(/^if COND/m);
    expect(mk).toContain("in.txt: seed\n\tcp $(srcdir)/seed $@");
  });
  it("takes the version from the tag when AC_INIT computes it", () => {
    expect(suppliedValues("AC_INIT([x], m4_esyscmd([build-aux/git-version-gen .tarball-version]))", ["3.4"]).VERSION).toBe("3.4");
  });
});

describe.skipIf(!!skipReason)("--regenerate runs git's make rule for a declared output", () => {
  it("negative: an exact copy of the rule's output is reproduced, and nothing is reported for it", async () => {
    const r = await run({ "test/list.h": LIST });
    expect(fileOf(r, "test/list.h")).toMatchObject({ status: "reproduced", step: "project rule: make test/list.h" });
    expect(fileOf(r, "test/list.h")?.reason).toContain("Makefile.am:3");
    expect(r.findings.filter((f) => f.severity === "high" || f.severity === "medium")).toEqual([]);
    expect(r.changes.find((c) => c.path === "test/list.h")?.explainedBy?.trust).toBe("verified");
  });

  it("positive: a list with an extra entry is not reproduced, and the diff shows the tarball's line", async () => {
    const r = await run({ "test/list.h": `${LIST}DEFINE_TEST(test_payload)\n` });
    const f = fileOf(r, "test/list.h");
    expect(f?.status).not.toBe("reproduced");
    expect(f?.diff).toContain("+DEFINE_TEST(test_payload)");
    expect(r.changes.find((c) => c.path === "test/list.h")?.explainedBy?.trust).not.toBe("verified");
  });

  it("evasion: a tarball makefile whose rule writes the tampered list does not change the rule that runs", async () => {
    const tampered = `${LIST}DEFINE_TEST(test_payload)\n`;
    const rule = "test/list.h: Makefile\n\tprintf 'DEFINE_TEST(test_alpha)\\nDEFINE_TEST(test_beta)\\nDEFINE_TEST(test_payload)\\n' > test/list.h\n";
    const r = await run({ "test/list.h": tampered, "Makefile.am": `BUILT_SOURCES = test/list.h\n\n${rule}`, "Makefile.in": rule });
    expect(fileOf(r, "test/list.h")?.status).not.toBe("reproduced");
  });

  it("evasion: a rule that reaches the network or writes outside its directory fails in the sandbox and is reported", async () => {
    const outside = join(tmp(), "written-by-rule");
    const git: Files = { ...GIT, "Makefile.am": `BUILT_SOURCES = test/list.h\n\ntest/list.h: Makefile\n\techo x > ${outside}\n\tgetent hosts example.org > test/list.h\n` };
    const r = await run({ "test/list.h": LIST }, git);
    const f = fileOf(r, "test/list.h");
    expect(f?.status).toBe("not-regenerable");
    expect(f?.reason).toMatch(/failed \(exit status \d+\)/);
    expect(existsSync(outside)).toBe(false);
  });
});
