import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { SAMPLES } from "../samples/index.js";
import { buildSample, type ExpectedFinding } from "../samples/lib/sample.js";
import { audit } from "../src/audit.js";
import { tmp } from "./tmp.js";

interface Expected {
  exitCode: number;
  findings: ExpectedFinding[];
  notChecked?: { path: string; reason: string }[];
}

describe("samples match expected.json exactly (rule + path + severity)", () => {
  for (const sample of SAMPLES) {
    it(sample.name, async () => {
      const built = await buildSample(sample, join(tmp(), sample.name));
      const result = await audit({ tarball: built.tarball, repo: built.repo, ...(sample.args ?? {}) });
      const expected = JSON.parse(readFileSync(join(import.meta.dirname, "..", "samples", sample.name, "expected.json"), "utf8")) as Expected;
      const got = result.findings.map((f) => ({ rule: f.rule, path: f.path, severity: f.severity }));
      expect(got).toEqual(expected.findings);
      const failing = result.findings.some((f) => f.severity === "high" || f.severity === "medium");
      expect(failing ? 1 : 0).toBe(expected.exitCode);
      expect(result.notChecked).toEqual(expected.notChecked ?? []);
      if (built.staleSha256) {
        await expect(audit({ tarball: built.tarball, repo: built.repo, sha256: built.staleSha256 })).rejects.toMatchObject({ code: "E_CHECKSUM_MISMATCH" });
      }
    });
  }
});
