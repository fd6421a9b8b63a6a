import { posix } from "node:path";
import { defineProfile, verified } from "./profile.js";

/** Repository housekeeping that release tarballs routinely leave out. */
const HOUSEKEEPING = [
  /^\.git(ignore|attributes|modules|-blame-ignore-revs|review)$/,
  /^\.mailmap$/,
  /^\.(editorconfig|clang-format|clang-tidy|dir-locals\.el|pre-commit-config\.ya?ml|codespellrc|yamllint|shellcheckrc|lgtm\.yml|cirrus\.yml|travis\.yml|appveyor\.yml|gitlab-ci\.yml|mergify\.yml|readthedocs\.ya?ml|coveralls\.yml|codecov\.yml)$/,
  /^(appveyor|azure-pipelines|codecov|\.?cirrus|renovate|dependabot)\.ya?ml$/,
  /^(CODEOWNERS|SECURITY\.md|CODE_OF_CONDUCT\.md|CONTRIBUTING\.md|FUNDING\.yml)$/,
];
const HOUSEKEEPING_DIRS = /^(\.github|\.gitlab|\.circleci|\.ci|\.azure-pipelines|\.builds|\.devcontainer|\.vscode|\.idea|\.reuse|\.husky|\.tx|LICENSES)\//;

export const housekeeping = defineProfile({
  id: "housekeeping",
  description: "Git-only housekeeping (ignore files, CI configuration, editor settings) absent from the tarball.",
  explain(change) {
    if (change.kind !== "removed") return null;
    // An omission ships no bytes; these files never take part in a build from the tarball.
    if (HOUSEKEEPING_DIRS.test(change.path)) return verified("git", "repository/CI configuration, not part of a release");
    if (HOUSEKEEPING.some((re) => re.test(posix.basename(change.path)))) return verified("git", "repository housekeeping file, not part of a release");
    return null;
  },
});
