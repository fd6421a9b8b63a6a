/**
 * Webmin 1.890 (2018): the build server's password_change.cgi was altered and its mtime backdated
 * to look old. distvet compares content by blob id, never by timestamps.
 */
import { defineSample } from "../lib/sample.js";

const cgi = '#!/usr/local/bin/perl\n# password_change.cgi\n# Actually update a user\'s password by directly modifying /etc/shadow\nrequire \'./acl-lib.pl\';\n&ReadParse();\nprint "ok\\n";\n';
const git = {
  "password_change.cgi": { content: cgi, mode: 0o755 },
  "acl-lib.pl": "sub acl_init { return 1; }\n1;\n",
  "README.md": "Webmin, a web-based system administration tool.\n",
  "version": "1.890\n",
};

export default defineSample({
  name: "webmin-1.890",
  description: "webmin 1.890: a CGI script edited on the build server, its mtime backdated",
  history: [{ files: git, tag: "1.890" }],
  tarballName: "webmin-1.890.tar.gz",
  root: "webmin-1.890",
  tarball: {
    ...git,
    "password_change.cgi": {
      content: cgi.replace("&ReadParse();\n", "&ReadParse();\n# distvet sample: the real change ran $in{'expired'} through qx//\nmy $x = $in{'expired'};\n"),
      mode: 0o755,
      mtime: new Date("2012-01-01T00:00:00Z"),
    },
  },
});
