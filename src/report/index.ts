import type { AuditResult } from "../types.js";
import type { RenderOptions } from "./common.js";
import { renderText } from "./text.js";
import { renderJson, renderJsonChunks } from "./json.js";
import { renderSarif } from "./sarif.js";
import { renderMarkdown } from "./markdown.js";
import { renderHtml } from "./html.js";
import { renderGithub } from "./github.js";

export const FORMATS = ["text", "json", "sarif", "markdown", "html", "github"] as const;
export type Format = (typeof FORMATS)[number];

export function render(result: AuditResult, format: Format, options: RenderOptions = {}): string {
  switch (format) {
    case "text":
      return renderText(result, options);
    case "json":
      return renderJson(result);
    case "sarif":
      return renderSarif(result, options);
    case "markdown":
      return renderMarkdown(result, options);
    case "html":
      return renderHtml(result, options);
    case "github":
      return renderGithub(result, options);
  }
}

export type { RenderOptions, RuleCatalogue, RuleInfo } from "./common.js";
export { renderText, renderJson, renderJsonChunks, renderSarif, renderMarkdown, renderHtml, renderGithub };
