/** eslint-scope 3.7.2 (npm, 2018) / ua-parser-js (2021): a hijacked account published a package.json with an install script and an extra file. */
import { defineSample } from "../lib/sample.js";

const pkg = { name: "eslint-scope", version: "3.7.2", main: "lib/index.js", license: "BSD-2-Clause", scripts: { test: "node test.js" } };
const git = {
  "package.json": JSON.stringify(pkg, null, 2) + "\n",
  "lib/index.js": "module.exports = { analyze: function () { return {} } };\n",
  "README.md": "# eslint-scope\n",
};

export default defineSample({
  name: "eslint-scope-3.7.2",
  description: "eslint-scope 3.7.2: package.json gains a postinstall script that runs an added file",
  history: [{ files: git, tag: "v3.7.2" }],
  tarballName: "eslint-scope-3.7.2.tgz",
  root: "package",
  tarball: {
    ...git,
    "package.json": JSON.stringify({ ...pkg, scripts: { ...pkg.scripts, postinstall: "node ./lib/build.js" } }, null, 2) + "\n",
    "lib/build.js": "// distvet sample: the real script fetched and eval'd code to steal the npm token\nconsole.log('postinstall');\n",
  },
});
