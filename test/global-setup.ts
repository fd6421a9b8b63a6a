import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Every test writes under one private temp dir, removed when the run ends. */
export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), "distvet-tests-"));
  process.env.TMPDIR = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
