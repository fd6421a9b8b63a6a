/** Clean control: a project that uses .gitattributes export-ignore and export-subst; the tarball is `git archive`. */
import { defineSample } from "../lib/sample.js";

const attrs = "/tests export-ignore\n/.gitattributes export-ignore\n/dev export-ignore\nsrc/version.h export-subst\n";
const git = {
  ".gitattributes": attrs,
  "src/lib.c": "int lib(void) { return 1; }\n",
  "src/version.h": '#define LIB_COMMIT "$Format:%H$"\n',
  "Makefile": "all:\n\tcc -c src/lib.c\n",
  "tests/test.c": "int main(void) { return 0; }\n",
  "dev/release.sh": "#!/bin/sh\ngit archive HEAD\n",
};

export default defineSample({
  name: "clean-export-ignore",
  description: "git archive with export-ignore and export-subst: every difference comes from .gitattributes",
  history: [{ files: git, tag: "v3.1" }],
  tarballName: "lib-3.1.tar.gz",
  root: "lib-3.1",
  tarball: {
    "src/lib.c": git["src/lib.c"],
    "src/version.h": '#define LIB_COMMIT "@@COMMIT@@"\n',
    Makefile: git.Makefile,
  },
});
