import type { Sample } from "./lib/sample.js";
import xz from "./xz-5.6.1/sample.js";
import cleanAutotools from "./clean-autotools/sample.js";

/** Every runnable sample; each has samples/<name>/expected.json. */
export const SAMPLES: readonly Sample[] = [xz, cleanAutotools];
