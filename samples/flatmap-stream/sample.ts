/** flatmap-stream 0.1.1 (npm, 2018): the published package held lib/index.min.js, absent from the repository. */
import { defineSample } from "../lib/sample.js";

const pkg = { name: "flatmap-stream", version: "0.1.1", description: "flatMap for streams", main: "index.js", license: "MIT" };
const git = {
  "package.json": JSON.stringify(pkg, null, 2) + "\n",
  "index.js": "var Stream = require('stream').Stream\nmodule.exports = function (mapper) { return new Stream() }\n",
  "readme.md": "# flatmap-stream\n",
};

export default defineSample({
  name: "flatmap-stream",
  description: "flatmap-stream 0.1.1: an npm package with a minified file the repository never had",
  history: [{ files: git, tag: "v0.1.1" }],
  tarballName: "flatmap-stream-0.1.1.tgz",
  root: "package",
  tarball: {
    ...git,
    "index.js": git["index.js"] + "require('./lib/index.min.js')\n",
    "lib/index.min.js": "/* distvet sample: stand-in for the encrypted payload loader */!function(){var e=process.env.npm_package_description;if(e){void 0}}();\n",
  },
});
