/**
 * The shell parser: tree-sitter-bash (its grammar shipped as .wasm in the npm package) through
 * web-tree-sitter. Chosen over sh-syntax (mvdan/sh as wasm: async only, and it crashed with
 * "memory access out of bounds" on a 0.55 MB autoconf 2.72 configure) and bash-parser (fails on
 * line 219 of the same configure and takes ~9 s): tree-sitter parses a whole configure in about
 * a second, recovers from the constructs it cannot parse (ERROR nodes stay local), and parses
 * synchronously once loaded.
 */
import { createRequire } from "node:module";
import { Language, Parser, type Node as SyntaxNode, type Tree } from "web-tree-sitter";

const require = createRequire(import.meta.url);

await Parser.init();
const bash = await Language.load(require.resolve("tree-sitter-bash/tree-sitter-bash.wasm"));
const parser = new Parser();
parser.setLanguage(bash);

export type { SyntaxNode, Tree };

/** Parse shell source. The caller must `tree.delete()` when done (wasm memory). */
export function parseShell(text: string): Tree {
  const tree = parser.parse(text);
  if (!tree) throw new Error("tree-sitter returned no tree");
  return tree;
}

/** A plain copy of a syntax node: walking wasm nodes one property at a time is slow on a 1 MB configure. */
export interface PNode {
  type: string;
  field: string | null;
  start: number;
  end: number;
  row: number;
  endRow: number;
  /** Read-only: leaves share one frozen empty array. */
  kids: PNode[];
}

/**
 * Parse and copy the whole tree into plain objects (the wasm tree is freed). Leaves share one
 * frozen empty `kids` array (a 1.3 MB configure has ~300k nodes, most of them leaves).
 */
export const parseStats = { calls: 0, chars: 0 };

const EMPTY: PNode[] = [];
Object.freeze(EMPTY);

export function parseToPlain(text: string): PNode {
  parseStats.calls++;
  parseStats.chars += text.length;
  return copyTree(text, 0, 0);
}

/** Copy the tree of `text` (which starts at `offset`, row `rowOffset`, of the whole script). */
function copyTree(text: string, offset: number, rowOffset: number): PNode {
  const tree = parseShell(text);
  const c = tree.walk();
  try {
    const mk = (): PNode => {
      const n: PNode = { type: c.nodeType, field: c.currentFieldName, start: c.startIndex + offset, end: c.endIndex + offset, row: c.startPosition.row + rowOffset, endRow: c.endPosition.row + rowOffset, kids: EMPTY };
      return n;
    };
    const root = mk();
    const stack: PNode[] = [root];
    // Iterative depth-first copy.
    if (!c.gotoFirstChild()) return root;
    for (;;) {
      const n = mk();
      const parent = stack[stack.length - 1]!;
      if (parent.kids === EMPTY) parent.kids = [];
      parent.kids.push(n);
      if (c.gotoFirstChild()) {
        stack.push(n);
        continue;
      }
      while (!c.gotoNextSibling()) {
        if (!c.gotoParent()) return root;
        stack.pop();
        if (stack.length === 0) return root;
      }
    }
  } finally {
    c.delete();
    tree.delete();
  }
}
