import type { Profile } from "./profile.js";
import { gitattributes } from "./gitattributes.js";
import { regenerated } from "./regenerated.js";
import { housekeeping } from "./housekeeping.js";
import { autotools, texinfo, parserGenerators } from "./autotools.js";
import { gettext } from "./gettext.js";
import { changelog } from "./changelog.js";
import { placeholderSubstitution, versionStamp } from "./version-stamp.js";
import { pythonSdist } from "./python-sdist.js";
import { perl } from "./perl.js";
import { cmake } from "./cmake.js";
import { meson } from "./meson.js";
import { npm } from "./npm.js";
import { jsTokens } from "./js-tokens.js";
import { copies } from "./copies.js";
import { submoduleCopies } from "./submodules.js";
import { generatedSource } from "./generated-source.js";
import { renderedDocs } from "./docs.js";
import { manpageStamp } from "./manpage.js";

/** Profiles in the order they are asked; the first that explains a change wins. */
export const PROFILES: readonly Profile[] = [
  regenerated,
  gitattributes,
  housekeeping,
  copies,
  submoduleCopies,
  autotools,
  gettext,
  texinfo,
  parserGenerators,
  changelog,
  pythonSdist,
  perl,
  cmake,
  meson,
  npm,
  jsTokens,
  renderedDocs,
  generatedSource,
  manpageStamp,
  placeholderSubstitution,
  versionStamp,
];
export type { Profile };
