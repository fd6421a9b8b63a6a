import type { AuditResult } from "../types.js";
import { renderText, type TextOptions } from "./text.js";
import { renderJson } from "./json.js";
import { renderSarif } from "./sarif.js";
import { renderMarkdown } from "./markdown.js";
import { renderHtml } from "./html.js";

export const FORMATS = ["text", "json", "sarif", "markdown", "html"] as const;
export type Format = (typeof FORMATS)[number];

export function render(result: AuditResult, format: Format, textOptions: TextOptions = {}): string {
  switch (format) {
    case "text":
      return renderText(result, textOptions);
    case "json":
      return renderJson(result);
    case "sarif":
      return renderSarif(result);
    case "markdown":
      return renderMarkdown(result);
    case "html":
      return renderHtml(result);
  }
}

export { renderText, renderJson, renderSarif, renderMarkdown, renderHtml };
