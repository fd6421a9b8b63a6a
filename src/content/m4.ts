/**
 * m4 (autoconf macros, aclocal.m4, configure.ac) to shell: what configure will run once autoconf
 * has expanded the macros. dnl comments go, one level of [ ] quoting goes ([[ ]] leaves [ ]),
 * quadrigraphs are decoded, `$1`… of a macro body become placeholder names (`m4arg1`), and every
 * macro call `NAME(a, b, c)` becomes its arguments on lines of their own, so each argument (often
 * shell code: AC_CONFIG_COMMANDS, AC_CACHE_CHECK, AS_IF …) is parsed as shell. What does not parse
 * is analysed word by word by the shell analyser's fallback.
 */

const QUADRIGRAPHS: Record<string, string> = { "@<:@": "[", "@:>@": "]", "@S|@": "$", "@%:@": "#", "@&t@": "", "@{:@": "(", "@:}@": ")" };

/** Looks like an m4 macro name (autoconf, automake, libtool, gettext, gnulib, autoconf-archive, pkg-config) or one defined in this file. */
function isMacroName(name: string, defined: Set<string>): boolean {
  if (defined.has(name)) return true;
  if (/^(_?A[CHMSTU]|_?LT|_?m4|M4|_?gl|GL|PKG|AX|jm|gt|_?AM|_?AS|_?AC|_?LT|LIB|dnl|IT|XORG|GTK|GNOME|GLIB|AG|CF|CL|CU|SV|ACX|GP|MP|AM)_/.test(name)) return true;
  if (/^(m4_\w+|AC_\w+|AM_\w+|AS_\w+|AH_\w+|AU_\w+|LT_\w+|_LT_\w+)$/.test(name)) return true;
  // ALL_CAPS_WITH_UNDERSCORE(…) is a macro call; a shell function is written `name ()` and followed by `{`.
  return /^[A-Z][A-Z0-9]*_[A-Z0-9_]+$/.test(name);
}

/**
 * Arguments that autoconf uses only as names: part of variable names (`enable_$1`,
 * `ac_cv_lib_$1_$2`), option strings, a library or header to test for, a program searched for in
 * PATH (never run by the check). Such an argument is inert only when it is a plain word (or, for
 * the list macros, plain words); anything else is still read as shell.
 */
const NAME_ARGS: Record<string, readonly number[]> = {
  AC_ARG_ENABLE: [1],
  AC_ARG_WITH: [1],
  AC_ARG_VAR: [1],
  AC_CHECK_LIB: [1, 2],
  AC_SEARCH_LIBS: [1, 2],
  AC_CHECK_FUNC: [1],
  AC_CHECK_FUNCS: [1],
  AC_CHECK_FUNCS_ONCE: [1],
  AC_CHECK_HEADER: [1],
  AC_CHECK_HEADERS: [1],
  AC_CHECK_HEADERS_ONCE: [1],
  AC_CHECK_DECLS: [1],
  AC_CHECK_TYPES: [1],
  AC_CHECK_SIZEOF: [1],
  AC_DEFINE: [1],
  AC_DEFINE_UNQUOTED: [1],
  AC_SUBST: [1],
  AM_CONDITIONAL: [1],
  AC_CHECK_PROG: [1, 2],
  AC_CHECK_PROGS: [1, 2],
  AC_PATH_PROG: [1, 2],
  AC_PATH_PROGS: [1, 2],
  AC_CHECK_TOOL: [1, 2],
  AC_CHECK_TOOLS: [1, 2],
  AC_PATH_TOOL: [1, 2],
  PKG_CHECK_MODULES: [1],
  PKG_CHECK_EXISTS: [1],
};
/**
 * Arguments autoconf prints inside a double-quoted string (`printf "%s\n" "$as_me: TEXT"`) or an
 * unquoted heredoc: read as a double-quoted string, so a command substitution in them still runs
 * and a `"` in them still ends it.
 */
const TEXT_ARGS: Record<string, readonly number[]> = {
  // Into configure's --help heredoc, re-wrapped and indented, so no line of it can end the heredoc.
  AS_HELP_STRING: [1, 2],
  AC_MSG_CHECKING: [1],
  AC_MSG_RESULT: [1],
  AC_MSG_NOTICE: [1],
  AC_MSG_WARN: [1],
  AC_MSG_ERROR: [1],
  AC_MSG_FAILURE: [1],
};
const INERT_WORD = /^[A-Za-z0-9_][A-Za-z0-9_.+/-]*$/;
/** One plain word, or plain words separated by blanks (lists of headers, functions, programs). */
const isInert = (arg: string): boolean => {
  const words = arg.trim().split(/\s+/);
  return words.length > 0 && words.every((w) => INERT_WORD.test(w));
};

export function m4ToShell(text: string): { shell: string; lineMap: number[] } {
  const defined = new Set<string>();
  for (const m of text.matchAll(/\b(?:AC_DEFUN(?:_ONCE)?|AU_DEFUN|m4_define(?:_default)?|define|AC_DEFUN_ONCE|m4_defun(?:_once)?)\(\s*\[?([A-Za-z_]\w*)\]?/g)) defined.add(m[1]!);
  const out: string[] = [];
  const lineMap: number[] = [];
  let cur = "";
  let line = 1;
  const newline = () => {
    out.push(cur);
    lineMap.push(line);
    cur = "";
  };
  let quote = 0;
  /** Open macro calls: the quote level and nesting they were opened at, their name, the argument being read and where it started in `out`. */
  const calls: { quote: number; paren: number; name: string; arg: number; from: number }[] = [];
  /** An argument ends: quote it when it is printed text; make it a no-op when it is a name and a plain word (lines stay for the line map). */
  const endArg = (call: (typeof calls)[number]): void => {
    if (TEXT_ARGS[call.name]?.includes(call.arg)) {
      if (call.from < out.length) out[call.from] = `: "${out[call.from]}`;
      else cur = `: "${cur}`;
      cur += '"';
      return;
    }
    if (!NAME_ARGS[call.name]?.includes(call.arg)) return;
    if (!isInert([...out.slice(call.from), cur].join("\n"))) return;
    // `:` keeps a command where the name was: an emptied branch (`then` `fi`) would not parse.
    for (let k = call.from; k < out.length; k++) out[k] = k === call.from ? ":" : "";
    cur = call.from < out.length ? "" : ":";
  };
  let paren = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text[i]!;
    if (c === "\n") {
      newline();
      line++;
      continue;
    }
    if (c === "@") {
      const q = Object.keys(QUADRIGRAPHS).find((k) => text.startsWith(k, i));
      if (q) {
        cur += QUADRIGRAPHS[q];
        i += q.length - 1;
        continue;
      }
    }
    if (c === "[") {
      if (text[i + 1] === "[") {
        cur += "[";
        quote += 2;
        i++;
        continue;
      }
      quote++;
      continue;
    }
    if (c === "]") {
      if (text[i + 1] === "]" && quote >= 2) {
        cur += "]";
        quote -= 2;
        i++;
        continue;
      }
      if (quote > 0) quote--;
      continue;
    }
    if (c === "$" && /[1-9]/.test(text[i + 1] ?? "")) {
      cur += "m4arg";
      continue;
    }
    if (c === "#" && quote === 0 && (i === 0 || /[\s;]/.test(text[i - 1]!))) {
      // m4 comment (kept by m4, a comment for the shell too): copy to end of line.
      const e = text.indexOf("\n", i);
      cur += text.slice(i, e < 0 ? n : e);
      i = (e < 0 ? n : e) - 1;
      continue;
    }
    if (/[A-Za-z_]/.test(c) && (i === 0 || !/[\w$]/.test(text[i - 1]!))) {
      let j = i;
      while (j < n && /\w/.test(text[j]!)) j++;
      const word = text.slice(i, j);
      if (word === "dnl" && !/\w/.test(text[j] ?? "")) {
        const e = text.indexOf("\n", j);
        if (e < 0) break;
        i = e - 1; // the newline itself is consumed by dnl, but kept here so lines stay aligned
        continue;
      }
      if (text[j] === "(" && isMacroName(word, defined)) {
        newline();
        calls.push({ quote, paren, name: word, arg: 1, from: out.length });
        paren = 0;
        i = j;
        continue;
      }
      cur += word;
      i = j - 1;
      continue;
    }
    const top = calls[calls.length - 1];
    if (top && quote === top.quote) {
      if (c === "(") paren++;
      else if (c === ")") {
        if (paren === 0) {
          endArg(top);
          calls.pop();
          paren = top.paren;
          newline();
          continue;
        }
        paren--;
      } else if (c === "," && paren === 0) {
        endArg(top);
        top.arg++;
        newline();
        top.from = out.length;
        // m4 drops whitespace before an argument.
        while (i + 1 < n && /[ \t]/.test(text[i + 1]!)) i++;
        continue;
      }
    }
    cur += c;
  }
  newline();
  return { shell: out.join("\n"), lineMap };
}
