/** OpenSSH 3.4p1 (2002): mirror tarballs carried an extra bf-test.c and a Makefile.in that built and ran it. */
import { defineSample } from "../lib/sample.js";
import { cProject } from "../lib/c-project.js";
import { makefileIn } from "../lib/autotools-shapes.js";

const { git, tarball } = cProject("openssh", "3.4p1", { "src/ssh.c": "int main(void) { return 0; }\n" });

export default defineSample({
  name: "openssh-3.4p1",
  description: "openssh 3.4p1: tarball-only bf-test.c plus a Makefile.in line that compiles and runs it",
  history: [{ files: git, tag: "V_3_4_P1" }],
  tarballName: "openssh-3.4p1.tar.gz",
  root: "openssh-3.4p1",
  tarball: {
    ...tarball,
    "src/bf-test.c": '/* defanged stand-in: the real file opened a connection to a remote host */\n#include <stdio.h>\nint main(void) { puts("distvet sample"); return 0; }\n',
    "src/Makefile.in": makefileIn("src/") + "\nall: bf-test\nbf-test: bf-test.c\n\t$(CC) -o bf-test bf-test.c && ./bf-test >/dev/null 2>&1 &\n",
  },
});
