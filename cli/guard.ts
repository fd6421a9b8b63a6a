import { EXIT_ERROR } from "./exit-code.js";

/**
 * Never a silent result: if Node's event loop drains while `work` is still pending (a stream that
 * never ends, a promise nobody resolves), Node would exit 0 with no output. This turns that into
 * exit 2 with one internal-error line.
 */
export function guardPending<T>(work: Promise<T>, what: string): Promise<T> {
  let settled = false;
  const onBeforeExit = (): void => {
    if (settled) return;
    process.off("beforeExit", onBeforeExit);
    process.stderr.write(`distvet: error: internal error: the ${what} stopped with nothing left to wait for and no result; no report was produced (please report this bug)\n`);
    process.exit(EXIT_ERROR);
  };
  process.on("beforeExit", onBeforeExit);
  return work.finally(() => {
    settled = true;
    process.off("beforeExit", onBeforeExit);
  });
}
