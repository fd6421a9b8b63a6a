import { describe, it, expect, beforeAll } from "vitest";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import AjvDraft4 from "ajv-draft-04";
import addFormats from "ajv-formats";
import { SAMPLES } from "../samples/index.js";
import { buildSample } from "../samples/lib/sample.js";
import { audit } from "../src/audit.js";
import { renderSarif, renderGithub } from "../src/report/index.js";
import { ruleCatalogue } from "../cli/catalogue.js";
import { RULES } from "../src/rules/registry.js";
import type { AuditResult, Finding } from "../src/types.js";
import { tmp } from "./tmp.js";

// The official SARIF 2.1.0 (rtm.5) schema, as shipped by Microsoft's @microsoft/jest-sarif package.
const require = createRequire(import.meta.url);
const SCHEMA = JSON.parse(readFileSync(require.resolve("@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json"), "utf8"));
// unicodeRegExp off: the schema's language pattern is not valid with the "u" flag.
const ajv = new AjvDraft4({ allErrors: true, strict: false, unicodeRegExp: false });
(addFormats as unknown as (a: AjvDraft4) => void)(ajv);
const validate = ajv.compile(SCHEMA);
const check = (text: string) => {
  const log = JSON.parse(text);
  const ok = validate(log);
  return { log, errors: ok ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`) };
};

let xz: AuditResult;
beforeAll(async () => {
  const s = await buildSample(SAMPLES.find((x) => x.name === "xz-5.6.1")!, join(tmp(), "xz"));
  xz = await audit({ tarball: s.tarball, repo: s.repo });
});

const finding = (over: Partial<Finding>): Finding => ({ rule: "source-added", severity: "medium", path: "src/x.c", title: "t", message: "m", docs: "docs/rules/source-added.md", ...over });

describe("SARIF", () => {
  it("schema check is live: a log with a relative helpUri fails it", () => {
    const { log } = check(renderSarif(xz, { catalogue: ruleCatalogue() }));
    log.runs[0].tool.driver.rules[0].helpUri = "docs/rules/x.md";
    expect(validate(log)).toBe(false);
  });

  it("the xz sample validates against the official 2.1.0 schema with format checking", () => {
    const { log, errors } = check(renderSarif(xz, { catalogue: ruleCatalogue() }));
    expect(errors).toEqual([]);
    expect(log.runs[0].results.length).toBe(xz.findings.length);
  });

  it("describes every rule from its docs page, with absolute links, severity and tags", () => {
    const { log } = check(renderSarif(xz, { catalogue: ruleCatalogue() }));
    const rules = log.runs[0].tool.driver.rules as Record<string, any>[];
    expect(rules.map((r) => r.id)).toEqual(RULES.map((r) => r.id));
    for (const r of rules) {
      expect(r.helpUri).toBe(`https://github.com/distvet/distvet/blob/main/docs/rules/${r.id}.md`);
      expect(r.fullDescription.text.length).toBeGreaterThan(20);
      expect(r.fullDescription.text).not.toMatch(/^#/);
      expect(r.help.markdown).toContain(`# ${r.id}`);
      expect(Number(r.properties["security-severity"])).toBeGreaterThanOrEqual(0);
      expect(r.properties.tags).toContain("security");
    }
    const bsa = rules.find((r) => r.id === "build-script-added")!;
    expect(bsa.help.markdown).toBe(readFileSync(join(import.meta.dirname, "..", "docs", "rules", "build-script-added.md"), "utf8"));
  });

  it("gives a region where the evidence names a line of the file, and none otherwise", () => {
    const { log } = check(renderSarif(xz, { catalogue: ruleCatalogue() }));
    const res = log.runs[0].results as any[];
    const reads = res.find((r) => r.ruleId === "build-script-reads-binary");
    expect(reads.locations[0].physicalLocation.region).toEqual({ startLine: 21 });
    const churn = res.find((r) => r.ruleId === "fixture-churn");
    expect(churn.locations[0].physicalLocation.region).toBeUndefined();
  });

  it("a line number quoted for ANOTHER file is not taken as this file's region (evasion)", () => {
    const f = finding({ path: "configure", evidence: { lines: ["m4/evil.m4:12: something", "configurex:9: other"] } });
    const { log, errors } = check(renderSarif({ ...xz, findings: [f] }));
    expect(errors).toEqual([]);
    expect(log.runs[0].results[0].locations[0].physicalLocation.region).toBeUndefined();
  });

  it("fingerprints are stable across runs and distinct per finding", () => {
    const a = check(renderSarif(xz, { catalogue: ruleCatalogue() })).log.runs[0].results as any[];
    const b = check(renderSarif({ ...xz, findings: [...xz.findings].map((f) => ({ ...f, message: f.message + " (reworded)" })) })).log.runs[0].results as any[];
    expect(a.map((r) => r.partialFingerprints)).toEqual(b.map((r) => r.partialFingerprints));
    expect(new Set(a.map((r) => JSON.stringify(r.partialFingerprints))).size).toBe(a.length);
  });

  it("allowed findings are results with an external suppression and the reviewer's reason", () => {
    const allowed = [{ ...finding({ path: "doc/a b%.pdf", rule: "binary-added" }), allowReason: "rebuilt from doc/a.texi and compared" }];
    const { log, errors } = check(renderSarif({ ...xz, allowed }, { catalogue: ruleCatalogue() }));
    expect(errors).toEqual([]);
    const s = (log.runs[0].results as any[]).find((r) => r.suppressions);
    expect(s.suppressions).toEqual([{ kind: "external", status: "accepted", justification: "rebuilt from doc/a.texi and compared" }]);
    expect(s.locations[0].physicalLocation.artifactLocation.uri).toBe("doc/a%20b%25.pdf");
  });

  it("odd member names and rules missing from the catalogue still validate", () => {
    const odd = [finding({ path: "../../etc/passwd", rule: "path-traversal", severity: "high" }), finding({ path: "dir/ü [x]#?.c", rule: "not-in-catalogue", severity: "info" })];
    const { errors, log } = check(renderSarif({ ...xz, findings: odd }));
    expect(errors).toEqual([]);
    expect(log.runs[0].tool.driver.rules.map((r: { id: string }) => r.id)).toContain("not-in-catalogue");
  });
});

describe("--format github", () => {
  it("writes one workflow annotation per finding with file and line, escaping the data", () => {
    const out = renderGithub(xz);
    expect(out).toMatch(/^::error file=m4\/build-to-host\.m4,line=21,title=build-script-reads-binary%3A [^\n]*::/m);
    expect(out).toMatch(/^::warning file=tests\/files\/bad-3-corrupt_lzma2\.xz,/m);
    const evil = renderGithub({ ...xz, findings: [finding({ path: "a,b:c.c", message: "line1\n::error::forged" })] });
    expect(evil.split("\n").filter((l) => l.startsWith("::error")).length).toBe(0);
    expect(evil).toContain("file=a%2Cb%3Ac.c");
    expect(evil).toContain("line1%0A::error::forged");
    expect(evil.trim().split("\n")).toHaveLength(2);
  });

  it("groups many low findings of one rule in one directory", () => {
    const lows = Array.from({ length: 30 }, (_, i) => finding({ severity: "low", rule: "other-file-changed", path: `man/p${i}.1` }));
    const out = renderGithub({ ...xz, findings: lows });
    expect(out.trim().split("\n")).toHaveLength(2);
    expect(out).toContain("30 files in man/");
    expect(renderGithub({ ...xz, findings: lows }, { verbose: true }).trim().split("\n")).toHaveLength(31);
  });
});
