import { readFileSync } from "node:fs";
import { join } from "node:path";
import { RULES } from "../src/rules/registry.js";
import { packageRoot } from "../src/version.js";
import { docsUrl, type RuleCatalogue, type RuleInfo } from "../src/report/common.js";

/** Plain text of a markdown paragraph (links, emphasis and code marks removed). */
function plain(md: string): string {
  return md
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/(\*\*|__|`)/g, "")
    .replace(/\s+/g, " ")
    .trim();
}

const TAGS: [RegExp, string][] = [
  [/^build-script|^m4-|unverified-build-output/, "build-system"],
  [/^m4-/, "autoconf"],
  [/^source-|^binary-|other-file|git-only|fixture/, "content"],
  [/symlink|path-traversal|mode-change|type-change/, "archive"],
];

/** The rule catalogue for presenters: metadata from the rules, descriptions from docs/rules/<id>.md. */
export function ruleCatalogue(): RuleCatalogue {
  const root = packageRoot();
  const out = new Map<string, RuleInfo>();
  for (const r of RULES) {
    let help = "";
    try {
      help = readFileSync(join(root, "docs", "rules", `${r.id}.md`), "utf8");
    } catch {
      /* a rule without a page still gets its title */
    }
    const paragraphs = help
      .split(/\n\s*\n/)
      .map((p) => p.trim())
      .filter((p) => p && !p.startsWith("#"));
    out.set(r.id, {
      id: r.id,
      severity: r.severity,
      title: r.title,
      description: paragraphs[0] ? plain(paragraphs[0]) : r.title,
      help: help || `${r.title}\n`,
      helpUri: docsUrl(r.id),
      tags: ["security", "supply-chain", ...TAGS.filter(([re]) => re.test(r.id)).map(([, t]) => t)],
    });
  }
  return out;
}
