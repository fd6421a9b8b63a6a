import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { SAMPLES } from "../samples/index.js";
import { buildSample } from "../samples/lib/sample.js";
import { audit } from "../src/audit.js";
import { severityRank, type Severity } from "../src/types.js";
import { tmp } from "./tmp.js";

/**
 * samples/<name>/expected.json is reasoned by hand from the incident (docs: shared incidents):
 * the findings that must be there, each at least at a severity, and for clean controls the
 * highest severity allowed. It is never printed by the tool and pasted.
 */
interface Expected {
  why: string;
  exitCode: 0 | 1;
  mustFind: { rule: string; path: string; atLeast: Severity }[];
  maxSeverity?: Severity;
}

const load = (name: string): Expected => JSON.parse(readFileSync(join(import.meta.dirname, "..", "samples", name, "expected.json"), "utf8")) as Expected;

describe("samples: the findings each incident must produce", () => {
  for (const sample of SAMPLES) {
    it(sample.name, async () => {
      const expected = load(sample.name);
      const built = await buildSample(sample, join(tmp(), sample.name));
      const result = await audit({ tarball: built.tarball, repo: built.repo, ...(sample.args ?? {}) });
      for (const want of expected.mustFind) {
        const hit = result.findings.find((f) => f.rule === want.rule && f.path === want.path);
        expect(hit, `${want.rule} on ${want.path}`).toBeDefined();
        expect(severityRank(hit!.severity), `${want.rule} on ${want.path} is ${hit!.severity}, want ≥ ${want.atLeast}`).toBeLessThanOrEqual(severityRank(want.atLeast));
      }
      if (expected.maxSeverity) {
        const above = result.findings.filter((f) => severityRank(f.severity) < severityRank(expected.maxSeverity!));
        expect(above.map((f) => `${f.severity} ${f.rule} ${f.path}`)).toEqual([]);
      }
      const failing = result.findings.some((f) => f.severity === "high" || f.severity === "medium");
      expect(failing ? 1 : 0).toBe(expected.exitCode);
      if (built.staleSha256) {
        await expect(audit({ tarball: built.tarball, repo: built.repo, sha256: built.staleSha256 })).rejects.toMatchObject({ code: "E_CHECKSUM_MISMATCH" });
      }
    });
  }

  it("the xz sample is caught by at least three independent high rules on the doctored macro", async () => {
    const sample = SAMPLES.find((s) => s.name === "xz-5.6.1")!;
    const built = await buildSample(sample, join(tmp(), "xz-independent"));
    const result = await audit({ tarball: built.tarball, repo: built.repo });
    const rules = new Set(result.findings.filter((f) => f.path === "m4/build-to-host.m4" && f.severity === "high").map((f) => f.rule));
    expect(rules.size).toBeGreaterThanOrEqual(3);
  });
});
