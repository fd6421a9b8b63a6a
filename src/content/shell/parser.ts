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
 * Parse and copy the whole tree into plain objects (the wasm tree is freed). Children are
 * gathered in one scratch array per depth and copied out at their exact length once a node is
 * finished, and leaves share one frozen empty `kids` array: a 1.3 MB configure has ~300k nodes,
 * and arrays grown by push() keep 17 slots or more each.
 */
export const parseStats = { calls: 0, chars: 0 };

const EMPTY: PNode[] = [];
Object.freeze(EMPTY);

export function parseToPlain(text: string): PNode {
  const cached = recent.get(text);
  if (cached) {
    // Most recently used last: the first key is the one to evict.
    recent.delete(text);
    recent.set(text, cached);
    return cached;
  }
  const root = parseFresh(text);
  if (text.length <= CACHE_TEXT_MAX) {
    recent.set(text, root);
    if (recent.size > CACHE_ENTRIES) recent.delete(recent.keys().next().value!);
  }
  return root;
}

/**
 * Trees of short scripts parsed lately, shared by every caller (a tree is read-only): the same
 * recipe lines recur in every Makefile.in of a release, and the same lines of a configure are
 * read again where the parser gave up. A third of the parses of a curl release were repeats.
 */
const recent = new Map<string, PNode>();
const CACHE_TEXT_MAX = 1024;
const CACHE_ENTRIES = 4096;

function parseFresh(text: string): PNode {
  parseStats.calls++;
  parseStats.chars += text.length;
  const tree = parseShell(text);
  const c = tree.walk();
  try {
    const mk = (): PNode => ({ type: c.nodeType, field: c.currentFieldName, start: c.startIndex, end: c.endIndex, row: c.startPosition.row, endRow: c.endPosition.row, kids: EMPTY });
    const root = mk();
    // stack[d] is the open node at depth d; scratch[d] gathers its children.
    const stack: PNode[] = [root];
    const scratch: PNode[][] = [[]];
    const finish = (): void => {
      const d = stack.length - 1;
      const buf = scratch[d]!;
      if (buf.length) stack[d]!.kids = buf.slice();
      buf.length = 0;
      stack.pop();
    };
    // Iterative depth-first copy.
    if (!c.gotoFirstChild()) return root;
    for (;;) {
      const n = mk();
      scratch[stack.length - 1]!.push(n);
      if (c.gotoFirstChild()) {
        stack.push(n);
        if (scratch.length < stack.length) scratch.push([]);
        continue;
      }
      while (!c.gotoNextSibling()) {
        if (!c.gotoParent()) {
          while (stack.length) finish();
          return root;
        }
        finish();
        if (stack.length === 0) return root;
      }
    }
  } finally {
    c.delete();
    tree.delete();
  }
}
