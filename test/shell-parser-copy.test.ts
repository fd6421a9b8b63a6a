import { describe, expect, it } from "vitest";
import { parseShell, parseToPlain, type PNode, type SyntaxNode } from "../src/content/shell/parser.js";

/** The same tree read through tree-sitter's node API (slow, but independent of the cursor copy). */
function viaNodes(n: SyntaxNode, field: string | null): PNode {
  const kids: PNode[] = [];
  for (let i = 0; i < n.childCount; i++) kids.push(viaNodes(n.child(i)!, n.fieldNameForChild(i)));
  return { type: n.type, field, start: n.startIndex, end: n.endIndex, row: n.startPosition.row, endRow: n.endPosition.row, kids };
}

const scripts = [
  "",
  "echo hi",
  "a=1; b=$(echo $a | tr a b)\nif test -n \"$b\"; then\n  for x in 1 2; do echo $x; done\nfi\n",
  "f() { cat <<EOF | sh\nrm -rf $dir\nEOF\n}\n# comment\nf\n",
  "case $x in a) echo a ;; *) eval \"$y\" ;; esac\n",
  // Not valid shell: ERROR nodes must be copied as they are.
  "if then fi fi ((\n) } {\n",
];

describe("shell parser: plain copy of the syntax tree", () => {
  it.each(scripts.map((s) => [JSON.stringify(s).slice(0, 40), s]))("copies %s exactly as the node API reads it", (_n, text) => {
    const tree = parseShell(text);
    try {
      expect(parseToPlain(text)).toEqual(viaNodes(tree.rootNode, null));
    } finally {
      tree.delete();
    }
  });

  it("gives leaves one shared, frozen empty child list and inner nodes exact-length lists", () => {
    const root = parseToPlain("a | b; c && d\n");
    const leaves: PNode[] = [];
    const stack = [root];
    while (stack.length) {
      const n = stack.pop()!;
      if (n.kids.length === 0) leaves.push(n);
      stack.push(...n.kids);
    }
    expect(leaves.length).toBeGreaterThan(3);
    expect(new Set(leaves.map((l) => l.kids)).size).toBe(1);
    expect(Object.isFrozen(leaves[0]!.kids)).toBe(true);
  });
});
