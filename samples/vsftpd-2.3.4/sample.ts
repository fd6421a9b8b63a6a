/** vsftpd 2.3.4 (2011): str.c reacted to ":)" in the user name; sysdeputil.c gained a function binding a shell on port 6200. */
import { defineSample } from "../lib/sample.js";
import { cProject } from "../lib/c-project.js";

const str = "int str_contains_space(const char *p)\n{\n\twhile (*p) { if (*p == ' ') return 1; p++; }\n\treturn 0;\n}\n";
const sysdep = "void vsf_sysdep_init(void)\n{\n}\n";
const { git, tarball } = cProject("vsftpd", "2.3.4", { "src/str.c": str, "src/sysdeputil.c": sysdep });

export default defineSample({
  name: "vsftpd-2.3.4",
  description: "vsftpd 2.3.4: two C source edits (smiley trigger and a port-6200 shell)",
  history: [{ files: git, tag: "2.3.4" }],
  tarballName: "vsftpd-2.3.4.tar.gz",
  root: "vsftpd-2.3.4",
  tarball: {
    ...tarball,
    "src/str.c": str.replace("\twhile (*p)", "\tif (p[0] == ':' && p[1] == ')') { extern void vsf_sysutil_extra(void); vsf_sysutil_extra(); }\n\twhile (*p)"),
    "src/sysdeputil.c": sysdep + "\nvoid vsf_sysutil_extra(void)\n{\n\t/* distvet sample: the original bound a shell to port 6200 here */\n}\n",
  },
});
