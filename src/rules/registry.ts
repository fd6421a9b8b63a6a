import type { Rule } from "./define-rule.js";
import buildScriptAdded from "./build-script-added.js";
import buildScriptModified from "./build-script-modified.js";
import sourceAdded from "./source-added.js";
import sourceModified from "./source-modified.js";
import binaryAdded from "./binary-added.js";
import compiledCode from "./compiled-code.js";
import binaryModified from "./binary-modified.js";
import symlinkEscape from "./symlink-escape.js";
import pathTraversal from "./path-traversal.js";
import modeChange from "./mode-change.js";
import typeChange from "./type-change.js";
import otherFileChanged from "./other-file-changed.js";
import gitOnlyFile from "./git-only-file.js";
import versionStamp from "./version-stamp.js";
import manpageStamp from "./manpage-stamp.js";
import translationFormatMismatch from "./translation-format-mismatch.js";
import fixtureChurn from "./fixture-churn.js";
import unverifiedFiles from "./unverified-files.js";
import buildScriptUsesAddedFile from "./build-script-uses-added-file.js";
import m4SerialMismatch from "./m4-serial-mismatch.js";
import m4KnownHashMismatch from "./m4-known-hash-mismatch.js";
import m4UnknownMacro from "./m4-unknown-macro.js";
import buildScriptSuspiciousPattern from "./build-script-suspicious-pattern.js";
import buildScriptReadsBinary from "./build-script-reads-binary.js";
import regenerationMismatch from "./regeneration-mismatch.js";
import archiveAmbiguity from "./archive-ambiguity.js";

/** Every rule, in the order they run. Each has docs/rules/<id>.md. */
export const RULES: readonly Rule[] = [
  archiveAmbiguity,
  regenerationMismatch,
  buildScriptAdded,
  buildScriptModified,
  buildScriptSuspiciousPattern,
  buildScriptReadsBinary,
  buildScriptUsesAddedFile,
  m4SerialMismatch,
  m4KnownHashMismatch,
  m4UnknownMacro,
  sourceAdded,
  sourceModified,
  compiledCode,
  binaryAdded,
  binaryModified,
  translationFormatMismatch,
  fixtureChurn,
  symlinkEscape,
  pathTraversal,
  modeChange,
  typeChange,
  otherFileChanged,
  gitOnlyFile,
  unverifiedFiles,
  versionStamp,
  manpageStamp,
];

export type { Rule };
