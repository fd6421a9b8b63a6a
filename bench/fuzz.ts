/**
 * Long fuzz run: every target of bench/fuzz-targets.ts in turn, with fresh random seeds, until
 * the time is up. Failures (with their seed and shrunk counterexample) and the slowest inputs
 * of each target are written to test/fuzz-corpus/, which test/fuzz.test.ts replays.
 * Usage: npm run fuzz -- [--minutes 10] [--only archive|attributes|tags|provenance|hunks|ini] [--corpus dir]
 */
import fc from "fast-check";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { TEXT_TARGETS, archiveTarget, tarRecipeArb, type TarRecipe } from "./fuzz-targets.js";

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : undefined);
const minutes = Number(opt("minutes") ?? "10");
const only = opt("only");
const corpusDir = opt("corpus") ?? join(process.cwd(), "test", "fuzz-corpus");
const KEEP_SLOWEST = 8;
/** An archive read that has not settled after this long is a hang (the inputs are a few KiB). */
const ARCHIVE_HANG_MS = 5000;
const deadline = performance.now() + minutes * 60_000;
const work = mkdtempSync(join(tmpdir(), "distvet-fuzz-"));

interface CorpusFile {
  /** Inputs replayed by the tests: the slowest of each run. */
  inputs: { input: unknown; ms: number }[];
  /** What failed, with the error: each is turned into a reproducer test by hand. */
  failures?: { input: unknown; note: string }[];
}
interface Stats {
  runs: number;
  failures: { seed: number; counterexample: string; error: string }[];
  slowestMs: number;
}

const stats = new Map<string, Stats>();
const load = (name: string): CorpusFile => {
  const f = join(corpusDir, `${name}.json`);
  return existsSync(f) ? (JSON.parse(readFileSync(f, "utf8")) as CorpusFile) : { inputs: [] };
};
const save = (name: string, c: CorpusFile) => {
  mkdirSync(corpusDir, { recursive: true });
  writeFileSync(join(corpusDir, `${name}.json`), JSON.stringify(c, null, 1) + "\n");
};

/** Keep the slowest inputs of this target (seen so far); failures go to their own list. */
function remember(name: string, input: unknown, ms: number, failure?: string) {
  const c = corpus.get(name)!;
  if (failure) {
    (c.failures ??= []).push({ input, note: failure });
    return;
  }
  if (c.inputs.length >= KEEP_SLOWEST) {
    const fastest = [...c.inputs].sort((a, b) => a.ms - b.ms)[0]!;
    if (fastest.ms >= ms) return;
    c.inputs.splice(c.inputs.indexOf(fastest), 1);
  }
  c.inputs.push({ input, ms: Math.round(ms * 10) / 10 });
}

const names = [...Object.keys(TEXT_TARGETS), "archive"].filter((n) => !only || n === only);
// Each run keeps its own slowest inputs; failures found earlier stay listed until they are removed by hand.
const corpus = new Map(names.map((n) => [n, { inputs: [], ...(load(n).failures ? { failures: load(n).failures } : {}) } as CorpusFile]));
for (const n of names) stats.set(n, { runs: 0, failures: [], slowestMs: 0 });

let round = 0;
while (performance.now() < deadline) {
  for (const name of names) {
    if (performance.now() >= deadline) break;
    const seed = (Date.now() ^ (round * 7919)) >>> 0;
    const st = stats.get(name)!;
    let result: { failed: boolean; counterexample: [unknown] | null; errorInstance?: unknown };
    if (name === "archive") {
      let n = 0;
      result = (await fc.check(
        fc.asyncProperty(tarRecipeArb, async (r: TarRecipe) => {
          const t = performance.now();
          await archiveTarget(work, r, n++, ARCHIVE_HANG_MS);
          const ms = performance.now() - t;
          st.runs++;
          st.slowestMs = Math.max(st.slowestMs, ms);
          remember(name, r, ms);
        }),
        // No shrinking: a hang costs ARCHIVE_HANG_MS per try, and recipes are short already.
        { seed, numRuns: 200, endOnFailure: true },
      )) as typeof result;
    } else {
      const target = TEXT_TARGETS[name]!;
      result = fc.check(
        fc.property(target.arb, (input) => {
          const t = performance.now();
          target.run(input);
          const ms = performance.now() - t;
          st.runs++;
          st.slowestMs = Math.max(st.slowestMs, ms);
          remember(name, input, ms);
        }),
        { seed, numRuns: 5000 },
      ) as typeof result;
    }
    if (result.failed) {
      const error = String((result.errorInstance as Error | undefined)?.message ?? result.errorInstance).split("\n")[0]!.slice(0, 500);
      st.failures.push({ seed, counterexample: fc.stringify(result.counterexample), error });
      remember(name, result.counterexample?.[0], 0, `failure (seed ${seed}): ${error}`);
      process.stdout.write(`FAIL ${name} seed=${seed}: ${error}\n  counterexample: ${fc.stringify(result.counterexample).slice(0, 2000)}\n`);
    }
  }
  round++;
  if (round % 5 === 0) {
    const left = Math.max(0, (deadline - performance.now()) / 60_000).toFixed(1);
    process.stdout.write(`round ${round}, ${left} min left: ${names.map((n) => `${n} ${stats.get(n)!.runs}`).join(", ")}\n`);
  }
}
for (const [name, c] of corpus) save(name, c);
rmSync(work, { recursive: true, force: true });
let failed = 0;
for (const [name, st] of stats) {
  failed += st.failures.length;
  process.stdout.write(`${name}: ${st.runs} runs, ${st.failures.length} failures, slowest input ${st.slowestMs.toFixed(0)} ms\n`);
}
process.exitCode = failed ? 1 : 0;
