/** Clean control: an npm package whose dist/ is a declared, gitignored build output. */
import { defineSample } from "../lib/sample.js";

const pkg = { name: "tiny-lib", version: "2.0.0", main: "dist/index.js", files: ["dist/"], scripts: { build: "tsc" }, license: "MIT" };
const git = {
  "package.json": JSON.stringify(pkg, null, 2) + "\n",
  "src/index.ts": "export const add = (a: number, b: number): number => a + b;\n",
  "README.md": "# tiny-lib\n",
  ".gitignore": "node_modules/\ndist/\n",
  "tsconfig.json": '{ "compilerOptions": { "outDir": "dist" } }\n',
};

export default defineSample({
  name: "clean-npm",
  description: "an npm package with a dist/ build output declared in files and ignored by git",
  history: [{ files: git, tag: "v2.0.0" }],
  tarballName: "tiny-lib-2.0.0.tgz",
  root: "package",
  tarball: {
    "package.json": JSON.stringify({ ...pkg, gitHead: "0123456789abcdef0123456789abcdef01234567" }, null, 2) + "\n",
    "README.md": git["README.md"],
    "dist/index.js": '"use strict";\nObject.defineProperty(exports, "__esModule", { value: true });\nexports.add = (a, b) => a + b;\n',
    "dist/index.d.ts": "export declare const add: (a: number, b: number) => number;\n",
  },
});
