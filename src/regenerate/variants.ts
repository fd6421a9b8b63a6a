/**
 * Known builds of a tool that print the same version but generate different text. A difference
 * is attributed to one only when removing exactly that build's lines (fixed text, taken from the
 * tool's own output) makes the two files identical; the lines are harmless option plumbing, so an
 * author who adds them gains nothing.
 */
export interface ToolVariant {
  id: string;
  description: string;
  /** Generated files the variant affects (basename), or a test on the basename. */
  files: string[] | ((base: string) => boolean);
  normalize(text: string, base: string): string;
}

/** Debian's and Ubuntu's autoconf 2.69 packages added upstream 2.70's --runstatedir option. */
const RUNSTATEDIR_BLOCK = `  -runstatedir | --runstatedir | --runstatedi | --runstated \\
  | --runstate | --runstat | --runsta | --runst | --runs \\
  | --run | --ru | --r)
    ac_prev=runstatedir ;;
  -runstatedir=* | --runstatedir=* | --runstatedi=* | --runstated=* \\
  | --runstate=* | --runstat=* | --runsta=* | --runst=* | --runs=* \\
  | --run=* | --ru=* | --r=*)
    runstatedir=$ac_optarg ;;

`;

/**
 * Line numbers that m4's __oline__ writes into configure (`#line N "configure"`, `configure:N:`) are the
 * output line's own number: lines added above shift them. Each is written relative to the line it is on,
 * so two files that differ only by inserted lines above such a check compare equal after the insertion is
 * removed. Only the number changes; the line's text must still match.
 */
function relativeOlines(t: string): string {
  return t
    .split("\n")
    .map((line, i) => (line.includes("configure") ? line.replace(/^#line (\d+) "configure"$/, (_m, n: string) => `#line @${Number(n) - i}@ "configure"`).replace(/\bconfigure:(\d+):/g, (_m, n: string) => `configure:@${Number(n) - i}@:`) : line))
    .join("\n");
}

export const VARIANTS: readonly ToolVariant[] = [
  {
    id: "autoconf-2.69-runstatedir",
    description: "the --runstatedir option that Debian's and Ubuntu's autoconf 2.69 builds add (upstream autoconf 2.69 lacks it)",
    files: ["configure"],
    normalize: (t) =>
      relativeOlines(t)
        .split(RUNSTATEDIR_BLOCK)
        .join("")
        .replace(/^runstatedir\n/m, "")
        .replace(/^runstatedir='\$\{localstatedir\}\/run'\n/m, "")
        .replace(/^ {2}--runstatedir=DIR {7}modifiable per-process data \[LOCALSTATEDIR\/run\]\n/m, "")
        .replace(/^(\t\tlibdir localedir mandir) runstatedir$/m, "$1"),
  },
  {
    id: "flex-2.6.4-self-line-directives",
    description: "the line numbers of the `#line N \"<output>\"` directives that point into the output itself, which flex 2.6.4 builds write as the directive's own line or the next one",
    files: (base) => /\.(c|cc|cpp|cxx)$/.test(base),
    normalize: (t, base) =>
      t
        .split("\n")
        .map((line, i) => {
          const m = /^#line (\d+) "([^"]*)"$/.exec(line);
          if (!m || m[2] !== base) return line;
          const off = Number(m[1]) - (i + 1);
          return off === 0 || off === 1 ? `#line @self@ "${base}"` : line;
        })
        .join("\n"),
  },
  {
    id: "autoconf-2.71-debian-cxx-cache-names",
    description: "the AC_PROG_CXX cache variable names, which differ between autoconf 2.71 builds (ac_cv_prog_cxx_cxx11/cxx98 in Debian's, ac_cv_prog_cxx_11/98 in others)",
    files: ["configure"],
    normalize: (t) => t.replace(/\bac_cv_prog_cxx_cxx(11|98)\b/g, "ac_cv_prog_cxx_$1"),
  },
];

/** The variant that explains every difference between two copies, if one does. */
export function explainingVariant(path: string, regenerated: string, tarball: string): ToolVariant | null {
  const base = path.split("/").pop()!;
  for (const v of VARIANTS) {
    const applies = typeof v.files === "function" ? v.files(base) : v.files.includes(base);
    if (applies && v.normalize(regenerated, base) === v.normalize(tarball, base)) return v;
  }
  return null;
}
