export { SERIAL_MARGIN, createProvenanceChecker, type ProvenanceDb, type ProvenanceKind, type ProvenanceResult, type ProvenanceChecker } from "./db.js";
export { isTrackedHelper, m4Serial, helperStamp, normalizedBody, normalizedLines, bodyHash, lineHash, packLineHashes } from "./normalize.js";
import { defaultChecker, type ProvenanceResult } from "./db.js";

/** Provenance of an m4 macro against the shipped database of upstream copies. */
export const checkM4 = (fileName: string, content: string): ProvenanceResult => defaultChecker().checkM4(fileName, content);
/** Provenance of an autotools helper script; null when the name is not a tracked helper. */
export const checkHelper = (fileName: string, content: string): ProvenanceResult | null => defaultChecker().checkHelper(fileName, content);
export const provenanceDbInfo = () => defaultChecker().info();
/** True when the line appears in some known upstream autotools file (m4 macro, helper script, automake template). */
export const isKnownUpstreamLine = (line: string): boolean => defaultChecker().isKnownUpstreamLine(line);
