import { EXIT_ERROR } from "./exit-code.js";

/** Print one "distvet: error: …" line per line of the message and exit 2. Never a stack trace. */
export function fail(message: string): never {
  for (const line of message.split("\n")) process.stderr.write(`distvet: error: ${line}\n`);
  process.exit(EXIT_ERROR);
}
