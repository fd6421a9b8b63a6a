/**
 * A string that owns its characters. V8 makes a slice of 13 or more characters a view that keeps
 * its parent alive, and a string built by `+=` a chain of pieces; either one, kept for a whole
 * audit, holds far more memory than its text. A JSON round trip makes a flat copy.
 */
export function flatCopy(s: string): string {
  return s.length >= 13 ? (JSON.parse(JSON.stringify(s)) as string) : s;
}
