/** Build every sample (or those named) into samples/<name>/out/: `node dist/samples/build.js [name…]`. */
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { SAMPLES } from "./index.js";
import { buildSample } from "./lib/sample.js";

const here = dirname(fileURLToPath(import.meta.url));
// Compiled to dist/samples/: write next to the sources in samples/<name>/out.
const samplesDir = here.includes(`${"dist"}/samples`) ? join(here, "..", "..", "samples") : here;
const wanted = new Set(process.argv.slice(2));
for (const s of SAMPLES) {
  if (wanted.size && !wanted.has(s.name)) continue;
  const built = await buildSample(s, join(samplesDir, s.name, "out"));
  process.stdout.write(`built ${s.name}: ${built.tarball} (repo: ${built.repo})\n`);
}
