/**
 * Makefiles (Makefile, Makefile.in, Makefile.am, *.mk, debian/rules) to shell: recipe lines are
 * shell once make has expanded them. Continuations are joined, `@`/`-`/`+` prefixes dropped,
 * `$$` becomes `$`, `$(VAR)` becomes `${VAR}` (with the Makefile's own assignments known to the
 * shell analyser), `$(shell cmd)` becomes `$(cmd)`. Variable definitions that hold `$(shell …)`
 * are analysed as command substitutions.
 */

function makeExpand(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== "$") {
      out += c;
      continue;
    }
    const d = s[i + 1];
    if (d === "$") {
      out += "$";
      i++;
    } else if (d === "(" || d === "{") {
      const close = d === "(" ? ")" : "}";
      let depth = 1;
      let j = i + 2;
      for (; j < s.length && depth > 0; j++) {
        if (s[j] === d) depth++;
        else if (s[j] === close) depth--;
      }
      const inner = s.slice(i + 2, j - 1);
      const fn = /^(shell|wildcard|patsubst|subst|foreach|call|eval|if|filter|filter-out|notdir|dir|basename|addprefix|addsuffix|strip|word|firstword|lastword|sort|realpath|abspath|info|warning|error|value|origin|file)\s+([\s\S]*)$/.exec(inner);
      if (fn?.[1] === "shell") out += `$(${makeExpand(fn[2]!)})`;
      else if (fn?.[1] === "eval" || fn?.[1] === "call") out += `$(: ${makeExpand(fn[2]!)})`;
      else if (fn) out += `\${mkfn_${fn[1]!.replace(/-/g, "_")}}`;
      else if (/^[\w.-]+$/.test(inner)) out += `\${${inner.replace(/[.-]/g, "_")}}`;
      else if (/^[\w.-]+:/.test(inner)) out += `\${${inner.replace(/:.*$/s, "").replace(/[.-]/g, "_")}}`;
      else out += `\${mkexpr}`;
      i = j - 1;
    } else if (d && /[@<^*?%+|]/.test(d)) {
      out += "${mk_auto}";
      i++;
    } else out += c;
  }
  return out;
}

export function makeToShell(text: string): { shell: string; lineMap: number[]; vars: Map<string, string> } {
  const physical = text.split("\n");
  const out: string[] = [];
  const lineMap: number[] = [];
  const vars = new Map<string, string>();
  let inRule = false;
  for (let i = 0; i < physical.length; i++) {
    const start = i;
    let logical = physical[i]!;
    while (logical.endsWith("\\") && i + 1 < physical.length) {
      i++;
      logical = `${logical.slice(0, -1)} ${physical[i]!.replace(/^\t/, "")}`;
    }
    const emit = (s: string) => {
      out.push(s);
      lineMap.push(start + 1);
    };
    if (logical.startsWith("\t") && inRule) {
      emit(makeExpand(logical.slice(1).replace(/^[\s@+-]+/, "")));
      continue;
    }
    if (/^\s*(#|$)/.test(logical)) {
      if (!/^\s*$/.test(logical)) inRule = inRule && logical.startsWith("\t");
      emit("");
      continue;
    }
    const assign = /^(?:override\s+|export\s+)?([\w.-]+)\s*([:+?!]?=|::=)\s*(.*)$/.exec(logical);
    if (assign) {
      inRule = false;
      const name = assign[1]!.replace(/[.-]/g, "_");
      const value = makeExpand(assign[3]!.trim());
      vars.set(name, assign[2] === "+=" && vars.has(name) ? `${vars.get(name)} ${value}` : value);
      emit(/\$\(shell\s/.test(assign[3]!) || assign[2] === "!=" ? `: ${assign[2] === "!=" ? `$(${value})` : value}` : "");
      continue;
    }
    // A rule `targets: prereqs [; recipe]`.
    const rule = /^([^\t:=#][^:=#]*?)::?(?!=)(.*)$/.exec(logical);
    if (rule) {
      inRule = true;
      const semi = rule[2]!.indexOf(";");
      emit(semi >= 0 ? makeExpand(rule[2]!.slice(semi + 1)) : "");
      continue;
    }
    inRule = inRule && logical.startsWith("\t");
    emit("");
  }
  return { shell: out.join("\n"), lineMap, vars };
}
