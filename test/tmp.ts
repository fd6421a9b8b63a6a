import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const tmp = (prefix = "distvet-test-"): string => mkdtempSync(join(tmpdir(), prefix));
