import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import puppeteer, { type Browser } from "puppeteer-core";
import { SAMPLES } from "../samples/index.js";
import { buildSample } from "../samples/lib/sample.js";
import { audit } from "../src/audit.js";
import { renderHtml } from "../src/report/index.js";
import type { AuditResult, Finding } from "../src/types.js";
import { tmp } from "./tmp.js";

// Debian's chromium, never a downloaded browser. .ci/run installs it; without it the test is skipped.
const CHROMIUM = process.env.DISTVET_CHROMIUM ?? "/usr/bin/chromium";
const haveChromium = existsSync(CHROMIUM);
const ARTIFACTS = join(import.meta.dirname, "..", "test-artifacts");

let browser: Browser | undefined;
let page: string;

const low = (path: string, over: Partial<Finding> = {}): Finding => ({ rule: "other-file-changed", severity: "low", path, title: "documentation changed", message: `${path} differs from git only in its date line`, docs: "docs/rules/other-file-changed.md", ...over });

beforeAll(async () => {
  if (!haveChromium) return;
  const dir = tmp();
  const s = await buildSample(SAMPLES.find((x) => x.name === "xz-5.6.1")!, join(dir, "xz"));
  const xz = await audit({ tarball: s.tarball, repo: s.repo });
  const diff = (i: number) => ["--- a/docs/man/p.1", "+++ b/docs/man/p.1", "@@ -1,4 +1,4 @@", ` .\\" page ${i}`, '-.TH P 1 "January 2023"', '+.TH P 1 "February 2023"', " .SH NAME"].join("\n");
  const lows = [...Array.from({ length: 40 }, (_, i) => low(`docs/man/p${i}.1`, { evidence: { diff: diff(i) } })), low("README", { evidence: { diff: diff(99) } })];
  const findings = [...xz.findings, ...lows];
  const counts = { high: 0, medium: 0, low: 0, info: 0 };
  for (const f of findings) counts[f.severity]++;
  const r: AuditResult = {
    ...xz,
    findings,
    summary: { ...xz.summary, findings: counts },
    allowed: [{ ...low("doc/manual.pdf", { rule: "binary-added", severity: "medium" }), allowReason: "rebuilt from doc/manual.texi at the tag and compared" }],
    changes: xz.changes.map((c, i) => (c.explainedBy ? { ...c, explainedBy: { ...c.explainedBy, trust: i % 2 ? "verified" : "unverified" } } : c)) as AuditResult["changes"],
  };
  page = join(dir, "report.html");
  writeFileSync(page, renderHtml(r, {}));
  browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", `--user-data-dir=${join(dir, "chromium-profile")}`],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

describe.skipIf(!haveChromium)("HTML report in a real browser (Debian chromium)", () => {
  it("filters by severity and rule, expands grouped findings, loads nothing from outside", async () => {
    const p = await browser!.newPage();
    const requests: string[] = [];
    p.on("request", (req) => requests.push(req.url()));
    const errors: string[] = [];
    p.on("pageerror", (e) => errors.push(String(e)));
    await p.setViewport({ width: 1280, height: 900 });
    await p.goto(`file://${page}`, { waitUntil: "load" });
    const visible = (sel: string) => p.$$eval(sel, (els) => els.filter((e) => (e as HTMLElement).checkVisibility()).length);

    expect(await visible('#findings [data-severity="high"]')).toBe(3);
    expect(await visible('#findings [data-severity="medium"]')).toBe(2);
    // 40 man pages in one directory are one collapsed group; README and the unverified-files summary stay rows of their own.
    expect(await visible('#findings [data-severity="low"]')).toBe(3);
    expect(await p.$eval("#shown", (e) => e.textContent)).toBe("47 shown");

    // Untick "high": the high rows disappear, the others stay.
    await p.click('input[name=sev][value="high"]');
    expect(await visible('#findings [data-severity="high"]')).toBe(0);
    expect(await visible('#findings [data-severity="medium"]')).toBe(2);
    expect(await p.$eval("#shown", (e) => e.textContent)).toBe("44 shown");
    await p.click('input[name=sev][value="high"]');

    // One rule only.
    await p.select("#rule", "fixture-churn");
    expect(await visible("#findings [data-severity]")).toBe(2);
    expect(await p.$$eval("#findings [data-severity]", (els) => els.filter((e) => (e as HTMLElement).checkVisibility()).every((e) => e.getAttribute("data-rule") === "fixture-churn"))).toBe(true);
    await p.select("#rule", "");

    // The group expands to its files; diffs are coloured.
    const group = await p.$('details.finding[data-count="40"]');
    expect(group).not.toBeNull();
    expect(await visible('details.finding[data-count="40"] li')).toBe(0);
    await p.click('details.finding[data-count="40"] > summary');
    expect(await visible('details.finding[data-count="40"] li')).toBe(40);
    expect(await p.$eval("pre.diff .add", (e) => getComputedStyle(e).backgroundColor)).toBe("rgb(230, 255, 236)");
    expect(await p.$eval("pre.diff .del", (e) => getComputedStyle(e).backgroundColor)).toBe("rgb(255, 235, 233)");
    await p.click('details.finding[data-count="40"] > summary');

    // Allowed and explained sections, with trust.
    expect(await p.$eval("#allowed", (e) => e.textContent)).toBe("Allowed by config (1)");
    expect(await p.$eval("#explained", (e) => e.textContent)).toMatch(/^Explained differences \(\d+ — \d+ verified, \d+ unverified\)$/);

    expect(errors).toEqual([]);
    expect(requests.filter((u) => !u.startsWith("file://"))).toEqual([]);

    mkdirSync(ARTIFACTS, { recursive: true });
    await p.evaluate(() => window.scrollTo(0, 0));
    await p.screenshot({ path: join(ARTIFACTS, "html-report.png"), fullPage: false });
    await p.screenshot({ path: join(ARTIFACTS, "html-report-full.png"), fullPage: true });
    await p.close();
  });
});
