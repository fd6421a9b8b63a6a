/**
 * Behaviour patterns in build scripts: things a configure script, m4 macro, Makefile or CMake
 * file almost never needs to do, each with the reason a reviewer should look.
 */
export interface BehaviourPattern {
  id: string;
  /** What the hit means, for the finding's message. */
  explain: string;
  test(line: string): boolean;
}

const SRCDIR = /\$\{?(ac_)?(abs_)?(top_)?srcdir\}?|\$\(\s*(abs_)?(top_)?srcdir\s*\)|\$\{(CMAKE_)?(CURRENT_)?SOURCE_DIR\}|\$\{?MESON_SOURCE_ROOT\}?/;

/** `tr SET1 SET2` where SET2 is a permutation of SET1: a byte-swapping map (xz: tr "\t \-_" " \t_\-"). */
function isTrSwap(line: string): boolean {
  const m = /\btr\s+(["'])((?:\\.|(?!\1).)+)\1\s+(["'])((?:\\.|(?!\3).)+)\3/.exec(line);
  if (!m) return false;
  const a = m[2]!;
  const b = m[4]!;
  if (a === b) return false;
  const octalRanges = /\\[0-7]{1,3}-\\[0-7]{1,3}/g;
  if ((a.match(octalRanges)?.length ?? 0) + (b.match(octalRanges)?.length ?? 0) >= 3) return true; // xz stage 2 substitution cipher
  const sorted = (s: string) => [...s].sort().join("");
  return a.length >= 3 && sorted(a) === sorted(b);
}

export const BEHAVIOUR_PATTERNS: readonly BehaviourPattern[] = [
  {
    id: "grep-source-tree",
    explain: "searches the source tree recursively and lists matching files; the xz backdoor located its payload inside a binary test file this way",
    test: (l) => /\bgrep\s+(-[a-zA-Z]*[rR][a-zA-Z]*|--recursive)\b/.test(l) && /-[a-zA-Z]*l|--files-with-matches/.test(l) && (SRCDIR.test(l) || /\s\.\/?\s/.test(l)),
  },
  {
    id: "tr-byte-map",
    explain: "byte-swapping `tr` map: a way to de-obfuscate data hidden in other files",
    test: isTrSwap,
  },
  {
    id: "byte-carving",
    explain: "carves byte ranges out of a file (`head -c`/`tail -c`/`dd skip=`): how a payload is cut out of a binary blob",
    test: (l) => (l.match(/\bhead\s+-c\s*\+?\d+/g)?.length ?? 0) >= 2 || /\bdd\b[^\n]*\b(skip|iseek)=\S+[^\n]*\b(count|bs)=/.test(l) || /\btail\s+-c\s*\+?\d+[^\n]*\|\s*head\s+-c/.test(l),
  },
  {
    id: "eval-pipeline",
    explain: "evaluates text produced by a pipeline: the script runs code that is not written in it",
    // Piping into `eval $var` (run a command held in a variable on piped data), eval-ing a variable
    // into a pipeline, eval of a command substitution that itself pipes, or piping into $SHELL.
    // `a || eval …` and `… | eval literal-command` (automake's dist rules) are ordinary.
    test: (l) =>
      /(^|[^|])\|\s*eval\s+["']?\$/.test(l) ||
      /\beval\s+["']?\$\{?\w+(\[\$\d\])?\w*\}?["']?\s*\|(?!\|)/.test(l) ||
      /\beval\s+["']?(`|\$\()[^`)]*[^|]\|[^|]/.test(l) ||
      /(^|[^|])\|\s*\$\{?SHELL\}?(\s|$|;|\))/.test(l),
  },
  {
    id: "decode-to-shell",
    explain: "decodes or decompresses data and hands it to a shell or to a command held in a variable",
    test: (l) =>
      /(base64\s+(-d|--decode|-D)|\bxz\s+(-d|--decompress)|\bunxz\b|\blzma\s+-d|\bgzip\s+-d|\bgunzip\b|\bzcat\b|\bxzcat\b|openssl\s+enc\b[^|]*\s-d\b|\buudecode\b)[^\n]*\|\s*(\$\{?SHELL\}?|(ba|da|k|z)?sh\b|\/bin\/(ba)?sh\b|eval\b|source\b|\.\s)/.test(l) ||
      /\|\s*\$\{?gl_\S*prefix\S*\s+-d\b/.test(l),
  },
  {
    id: "build-time-download",
    explain: "downloads something while configuring or building: the build runs code that is not in the tarball",
    // curl/wget/fetch in command position (line start, after ; & | ( ` or $( ), followed by a URL or a variable.
    test: (l) => /(^|[;&|(`]|\$\()\s*(curl|wget|fetch)\s+([^\n]*\s)?["']?((https?|ftp):\/\/|\$)/.test(l) && !/^\s*(#|dnl\b)/.test(l),
  },
  {
    id: "reverse-shell",
    explain: "opens a network connection and attaches a shell to it",
    test: (l) => /\/dev\/(tcp|udp)\/[^\s/]+\/\d+/.test(l) || /\bnc\b[^\n]*\s-e\s/.test(l) || /\b(ba)?sh\s+-i\s*[<>]&/.test(l) || /socket\.socket\([^\n]*\bsubprocess\b/.test(l),
  },
  {
    id: "writes-source-tree",
    explain: "writes into source files of the tree at build time, so what gets compiled is not what ships",
    test: (l) =>
      (/>>?\s*["']?/.test(l) && new RegExp(`>>?\\s*["']?(${SRCDIR.source})/[\\w./-]+\\.(c|h|cc|cpp|cxx|s|S|asm|py|js|go|rs)\\b`).test(l)) ||
      /\bsed\s+(-[a-zA-Z]*i[a-zA-Z]*|--in-place)\b[^\n]*(\$\{?(ac_)?(abs_)?(top_)?srcdir\}?)\/[\w./-]+\.(c|h|cc|cpp|s|S)\b/.test(l),
  },
];

export interface BehaviourHit {
  pattern: BehaviourPattern;
  line: number;
  text: string;
}

const COMMENT = /^\s*(#|dnl\b)/;
/** Every pattern needs one of these words: lines without any are skipped cheaply. */
const KEYWORDS = /grep|\btr\b|head|\bdd\b|tail|eval|SHELL|base64|xz|lzma|gzip|gunzip|zcat|openssl|uudecode|curl|wget|fetch|\/dev\/|\bnc\b|\bsh\b|socket|srcdir|SOURCE_DIR|SOURCE_ROOT|\bsed\b/;

/** Scan a script line by line (comments skipped); at most `limit` hits. */
export function scanBehaviour(text: string, limit = 50): BehaviourHit[] {
  const hits: BehaviourHit[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length && hits.length < limit; i++) {
    const line = lines[i]!;
    if (line.length > 4000 || !KEYWORDS.test(line) || COMMENT.test(line)) continue;
    for (const p of BEHAVIOUR_PATTERNS) {
      if (p.test(line)) hits.push({ pattern: p, line: i + 1, text: line.trim().slice(0, 300) });
    }
  }
  return hits;
}

const POSIX_CLASSES: Record<string, string> = {
  alnum: "A-Za-z0-9",
  alpha: "A-Za-z",
  digit: "0-9",
  xdigit: "0-9A-Fa-f",
  upper: "A-Z",
  lower: "a-z",
  space: " \\t\\n\\r\\f\\v",
  blank: " \\t",
  punct: "!-/:-@\\[-`{-~",
};

/** Literal/ERE markers a `grep` in the line searches for, converted to JS regular expressions. */
export function grepMarkers(line: string): RegExp[] {
  const out: RegExp[] = [];
  for (const m of line.matchAll(/\bgrep\s+(?:-[a-zA-Z]+\s+)*(["'])((?:\\.|(?!\1).)+)\1/g)) {
    const src = m[2]!.replace(/\[:(\w+):\]/g, (all, cls: string) => POSIX_CLASSES[cls] ?? all);
    try {
      out.push(new RegExp(src, "m"));
    } catch {
      /* not a pattern JS can run: skip */
    }
  }
  return out;
}
