import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

/** A generator family whose version is read from its output and looked up on this machine. */
export type ToolName = "autoconf" | "automake" | "libtool" | "gettext" | "bison" | "byacc" | "flex" | "gperf";

export interface InstalledTool {
  /** Version as the tool prints it (e.g. "2.71"). */
  version: string;
  /** Absolute paths of the programs of this installation, by generic name (autoconf, autoheader, …). */
  programs: Record<string, string>;
}

/** How each family is found: program names (with a version suffix pattern), the version flag, the version regex. */
const FAMILIES: Record<ToolName, { main: string; companions: string[]; flag: string; version: RegExp; debian: string; upstream: string }> = {
  autoconf: { main: "autoconf", companions: ["autoheader", "autom4te", "autoreconf"], flag: "--version", version: /GNU Autoconf\)\s+(\S+)/, debian: "autoconf (2.71) or autoconf2.69 (2.69)", upstream: "https://ftp.gnu.org/gnu/autoconf/" },
  automake: { main: "automake", companions: ["aclocal"], flag: "--version", version: /GNU automake\)\s+(\S+)/, debian: "automake (1.16.5)", upstream: "https://ftp.gnu.org/gnu/automake/" },
  libtool: { main: "libtoolize", companions: [], flag: "--version", version: /GNU libtool\)\s+(\S+)/, debian: "libtool (2.4.7)", upstream: "https://ftp.gnu.org/gnu/libtool/" },
  gettext: { main: "autopoint", companions: ["msgfmt"], flag: "--version", version: /gettext-tools\)\s+(\S+)/, debian: "autopoint and gettext (0.21)", upstream: "https://ftp.gnu.org/gnu/gettext/" },
  bison: { main: "bison", companions: [], flag: "--version", version: /GNU Bison\)\s+(\S+)/, debian: "bison (3.8.2)", upstream: "https://ftp.gnu.org/gnu/bison/" },
  byacc: { main: "byacc", companions: [], flag: "-V", version: /byacc - (\S+ \d{8})/, debian: "byacc", upstream: "https://invisible-island.net/byacc/" },
  flex: { main: "flex", companions: [], flag: "--version", version: /flex (\d\S*)/, debian: "flex (2.6.4)", upstream: "https://github.com/westes/flex/releases" },
  gperf: { main: "gperf", companions: [], flag: "--version", version: /GNU gperf (\S+)/, debian: "gperf (3.1)", upstream: "https://ftp.gnu.org/gnu/gperf/" },
};

export interface Toolchain {
  /** Every installation found, per family (several autoconf versions may be installed side by side). */
  installed: Record<ToolName, InstalledTool[]>;
}

function searchDirs(toolchainDir?: string): string[] {
  const dirs: string[] = [];
  if (toolchainDir) dirs.push(join(toolchainDir, "bin"), toolchainDir);
  dirs.push(...(process.env.PATH ?? "/usr/bin:/bin").split(":").filter(Boolean));
  return [...new Set(dirs)].filter((d) => existsSync(d));
}

function versionOf(program: string, flag: string, re: RegExp): string | null {
  const r = spawnSync(program, [flag], { encoding: "utf8", timeout: 20_000, env: { ...process.env, LC_ALL: "C" } });
  const m = re.exec(`${r.stdout ?? ""}\n${r.stderr ?? ""}`);
  return m ? m[1]!.replace(/\.$/, "") : null;
}

/** Find every installation of every family: `autoconf`, `autoconf2.69`, `automake-1.16`, … in the toolchain dir, then PATH. */
export function detectToolchain(toolchainDir?: string): Toolchain {
  const installed = {} as Record<ToolName, InstalledTool[]>;
  const dirs = searchDirs(toolchainDir);
  for (const [name, fam] of Object.entries(FAMILIES) as [ToolName, (typeof FAMILIES)[ToolName]][]) {
    const found: InstalledTool[] = [];
    const seen = new Set<string>();
    for (const dir of dirs) {
      let names: string[];
      try {
        names = readdirSync(dir);
      } catch {
        continue;
      }
      for (const file of names) {
        const m = new RegExp(`^${fam.main}(-?\\d[\\d.]*)?$`).exec(file);
        if (!m) continue;
        const suffix = m[1] ?? "";
        const path = join(dir, file);
        try {
          if (!statSync(path).isFile()) continue;
        } catch {
          continue;
        }
        const version = versionOf(path, fam.flag, fam.version);
        if (!version || seen.has(version)) continue;
        const programs: Record<string, string> = { [fam.main]: path };
        for (const c of fam.companions) {
          const withSuffix = join(dir, c + suffix);
          const plain = join(dir, c);
          if (existsSync(withSuffix)) programs[c] = withSuffix;
          else if (existsSync(plain)) programs[c] = plain;
        }
        seen.add(version);
        found.push({ version, programs });
      }
    }
    installed[name] = found;
  }
  return { installed };
}

/** The installation whose version equals `wanted` exactly, or null. */
export function pick(tc: Toolchain, tool: ToolName, wanted: string): InstalledTool | null {
  return tc.installed[tool].find((t) => t.version === wanted) ?? null;
}

/** Any installation (the newest found first on PATH), for steps whose outputs carry their own version markers. */
export function anyOf(tc: Toolchain, tool: ToolName): InstalledTool | null {
  return tc.installed[tool][0] ?? null;
}

/** One precise line: which tool and version is missing, what is installed, how to get it. */
export function missingLine(tc: Toolchain, tool: ToolName, wanted: string, what: string): string {
  const fam = FAMILIES[tool];
  const have = tc.installed[tool].map((t) => t.version);
  return `${tool} ${wanted} (${what}) is not installed${have.length ? ` (found ${have.join(", ")})` : ""}: Debian packages ${fam.debian}; other versions from ${fam.upstream}, installed under a prefix given with --toolchain DIR`;
}

/** Versions the tarball's files say they were generated with. */
export interface MadeWith {
  autoconf?: string;
  automake?: string;
  libtool?: string;
  gettext?: string;
}

export function readMadeWith(text: (path: string) => string | null): MadeWith {
  const out: MadeWith = {};
  const conf = text("configure");
  const ac = conf && /^# Generated by GNU Autoconf (\S+?)\.?(?:\s|$)/m.exec(conf);
  if (ac) out.autoconf = ac[1]!;
  const mk = text("Makefile.in");
  const am = mk && /^# Makefile\.in generated by automake (\S+) from/m.exec(mk);
  if (am) out.automake = am[1]!;
  else {
    const acl = text("aclocal.m4");
    const a = acl && /generated automatically by aclocal (\S+)/.exec(acl);
    if (a) out.automake = a[1]!;
  }
  // The caller passes the tarball's ltmain.sh (wherever it lives) under this name.
  for (const p of ["ltmain.sh"]) {
    const lt = text(p);
    const v = lt && /^VERSION="?([^"\n]+)"?$/m.exec(lt);
    if (v) {
      out.libtool = v[1]!;
      break;
    }
  }
  const po = text("po/Makefile.in.in");
  const g = po && /^# Origin: gettext-(\S+)/m.exec(po);
  if (g) out.gettext = g[1]!;
  return out;
}

/** Versions in generated parser/table sources (banners). */
export function parserBanner(text: string): { tool: ToolName; version: string } | null {
  let m = /A Bison parser, made by GNU Bison (\S+?)\.?\s/.exec(text);
  if (m) return { tool: "bison", version: m[1]! };
  m = /#define YYBYACC 1[\s\S]{0,400}?#define YYPATCH (\d{8})/.exec(text);
  if (m) {
    const maj = /#define YYMAJOR (\d+)/.exec(text)?.[1];
    const min = /#define YYMINOR (\d+)/.exec(text)?.[1];
    return { tool: "byacc", version: `${maj ?? "?"}.${min ?? "?"} ${m[1]}` };
  }
  m = /#define YY_FLEX_MAJOR_VERSION (\d+)\s+#define YY_FLEX_MINOR_VERSION (\d+)\s+#define YY_FLEX_SUBMINOR_VERSION (\d+)/.exec(text);
  if (m) return { tool: "flex", version: `${m[1]}.${m[2]}.${m[3]}` };
  m = /code produced by gperf version (\S+)/.exec(text);
  if (m) return { tool: "gperf", version: m[1]! };
  return null;
}

export const readText = (path: string): string | null => {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
};
