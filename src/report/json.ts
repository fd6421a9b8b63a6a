import type { AuditResult } from "../types.js";

/** Pieces of about this many characters are handed to the writer. */
const CHUNK_CHARS = 256 * 1024;

/** JSON.stringify(value, null, 2) placed at `indent` (a JSON text holds no raw newline inside a string). */
function nested(value: unknown, indent: string): string | undefined {
  const s = JSON.stringify(value, null, 2) as string | undefined;
  return s === undefined || indent === "" ? s : s.replace(/\n/g, `\n${indent}`);
}

/**
 * The top-level object and its arrays written piece by piece, byte for byte what
 * JSON.stringify(r, null, 2) gives: a report with a million changes is never one string.
 */
function* pieces(r: AuditResult): Generator<string> {
  const top = r as unknown as Record<string, unknown>;
  // As JSON.stringify: keys whose value has no JSON form are left out.
  const keys = Object.keys(top).filter((k) => top[k] !== undefined && typeof top[k] !== "function" && typeof top[k] !== "symbol");
  if (keys.length === 0) {
    yield "{}";
    return;
  }
  yield "{\n";
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k]!;
    const value = top[key];
    yield `  ${JSON.stringify(key)}: `;
    if (Array.isArray(value) && value.length > 0) {
      yield "[\n";
      for (let i = 0; i < value.length; i++) {
        // Array holes, undefined and functions are null in JSON.
        const item = nested(value[i], "    ") ?? "null";
        yield `    ${item}${i < value.length - 1 ? ",\n" : "\n"}`;
      }
      yield "  ]";
    } else {
      yield nested(value, "  ")!;
    }
    yield k < keys.length - 1 ? ",\n" : "\n";
  }
  yield "}";
}

/** The JSON report in pieces of about CHUNK_CHARS characters (see renderJson), ending with a newline. */
export function* renderJsonChunks(r: AuditResult): Generator<string> {
  let buf = "";
  for (const p of pieces(r)) {
    buf += p;
    if (buf.length >= CHUNK_CHARS) {
      yield buf;
      buf = "";
    }
  }
  yield `${buf}\n`;
}

/** The stable, re-renderable JSON contract (formatVersion 1). Key order is fixed by construction. */
export function renderJson(r: AuditResult): string {
  const parts: string[] = [];
  for (const c of renderJsonChunks(r)) parts.push(c);
  return parts.join("");
}
