import type { Sample } from "./lib/sample.js";
import xz from "./xz-5.6.1/sample.js";
import irssi from "./irssi-0.8.4/sample.js";
import openssh from "./openssh-3.4p1/sample.js";
import tcpdump from "./tcpdump-3.6.2/sample.js";
import unrealircd from "./unrealircd-3.2.8.1/sample.js";
import proftpd from "./proftpd-1.3.3c/sample.js";
import vsftpd from "./vsftpd-2.3.4/sample.js";
import webmin from "./webmin-1.890/sample.js";
import flatmapStream from "./flatmap-stream/sample.js";
import eslintScope from "./eslint-scope-3.7.2/sample.js";
import codecovBash from "./codecov-bash/sample.js";
import ultralytics from "./ultralytics-8.3.41/sample.js";
import cleanAutotools from "./clean-autotools/sample.js";
import cleanCmake from "./clean-cmake/sample.js";
import cleanNpm from "./clean-npm/sample.js";
import cleanExportIgnore from "./clean-export-ignore/sample.js";

/** Every runnable sample; each has samples/<name>/expected.json. */
export const SAMPLES: readonly Sample[] = [
  xz,
  irssi,
  openssh,
  tcpdump,
  unrealircd,
  proftpd,
  vsftpd,
  webmin,
  flatmapStream,
  eslintScope,
  codecovBash,
  ultralytics,
  cleanAutotools,
  cleanCmake,
  cleanNpm,
  cleanExportIgnore,
];
