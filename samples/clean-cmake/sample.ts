/** Clean control: a CMake project whose release tarball equals `git archive` (CPack leaves out CI files). */
import { defineSample } from "../lib/sample.js";

const git = {
  "CMakeLists.txt": 'cmake_minimum_required(VERSION 3.16)\nproject(fmtlite VERSION 1.2.0 LANGUAGES CXX)\nadd_library(fmtlite src/format.cc)\nset(CPACK_SOURCE_IGNORE_FILES "/\\\\.git/" "/\\\\.github/" "/build/")\ninclude(CPack)\n',
  "src/format.cc": "#include <string>\nstd::string format(int x) { return std::to_string(x); }\n",
  "include/fmtlite/format.h": "#pragma once\n#include <string>\nstd::string format(int x);\n",
  "cmake/fmtlite-config.cmake.in": "@PACKAGE_INIT@\ninclude(${CMAKE_CURRENT_LIST_DIR}/fmtlite-targets.cmake)\n",
  "README.md": "# fmtlite\n",
  ".github/workflows/ci.yml": "on: push\n",
  ".clang-format": "BasedOnStyle: Google\n",
  "support/release.py": "print('tagging')\n",
};
const tarball: Record<string, (typeof git)[keyof typeof git]> = { ...git };
delete tarball[".github/workflows/ci.yml"];

export default defineSample({
  name: "clean-cmake",
  description: "a CMake release whose tarball is the tagged tree minus CI files",
  history: [{ files: git, tag: "1.2.0" }],
  tarballName: "fmtlite-1.2.0.tar.gz",
  root: "fmtlite-1.2.0",
  tarball,
});
