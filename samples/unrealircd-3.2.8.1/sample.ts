/** UnrealIRCd 3.2.8.1 (2010): DEBUG3_DOLOG_SYSTEM in include/struct.h and a call in s_bsd.c passing input to system(). */
import { defineSample } from "../lib/sample.js";
import { cProject } from "../lib/c-project.js";

const struct = "#ifndef STRUCT_H\n#define STRUCT_H\n#define BUFSIZE 512\n#endif\n";
const sbsd = '#include "../include/struct.h"\nint read_packet(char *readbuf, int length)\n{\n\treturn length;\n}\n';
const { git, tarball } = cProject("unrealircd", "3.2.8.1", { "include/struct.h": struct, "src/s_bsd.c": sbsd });

export default defineSample({
  name: "unrealircd-3.2.8.1",
  description: "unrealircd 3.2.8.1: a header macro and a C call that hand network input to system()",
  history: [{ files: git, tag: "unreal3_2_8_1" }],
  tarballName: "Unreal3.2.8.1.tar.gz",
  root: "Unreal3.2",
  tarball: {
    ...tarball,
    "include/struct.h": struct.replace("#endif", "#define DEBUG3_DOLOG_SYSTEM(x) (void)(x) /* distvet sample: was system(x) */\n#endif"),
    "src/s_bsd.c": sbsd.replace("\treturn length;", '\tif (readbuf[0] == \'A\' && readbuf[1] == \'B\') DEBUG3_DOLOG_SYSTEM(readbuf);\n\treturn length;'),
  },
  args: { ref: "unreal3_2_8_1" },
});
