/**
 * Embeddings named in prompt text. ComfyUI's tokenizer splits each weighted
 * segment into words and treats a word starting with `embedding:` as an
 * embedding; `(embedding:NAME:1.2)` is a weighted segment of one word.
 */

const IDENTIFIER = 'embedding:';

/** Trailing `)` and `,` belong to the syntax around the name, not to it. */
const TRAILING_PUNCTUATION = /[,)]+$/;
/** `:1.2`, `:-0.5`, `:.8`: the weight of a `(NAME:weight)` segment. */
const TRAILING_WEIGHT = /:[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;

/** Embedding names in the order they appear; repeats are kept (the caller dedups per node). */
export function embeddingNamesIn(text: string): string[] {
  const names: string[] = [];
  let at = text.indexOf(IDENTIFIER);
  while (at !== -1) {
    if (startsSegment(text, at)) {
      const start = at + IDENTIFIER.length;
      const end = wordEnd(text, start);
      const name = cleanName(text.slice(start, end));
      if (name !== '') names.push(name);
      at = text.indexOf(IDENTIFIER, end);
    } else {
      at = text.indexOf(IDENTIFIER, at + 1);
    }
  }
  return names;
}

/** The identifier counts at the start of the text, after whitespace, or after an unescaped `(`. */
function startsSegment(text: string, at: number): boolean {
  if (at === 0) return true;
  const before = text[at - 1]!;
  if (/\s/.test(before)) return true;
  if (before !== '(') return false;
  // `\(` is a literal parenthesis in ComfyUI's prompt syntax: the word then starts with `(`.
  return at < 2 || text[at - 2] !== '\\';
}

function wordEnd(text: string, start: number): number {
  let end = start;
  while (end < text.length && !/\s/.test(text[end]!)) end += 1;
  return end;
}

function cleanName(word: string): string {
  let name = word;
  for (;;) {
    const cleaned = name.replace(TRAILING_PUNCTUATION, '').replace(TRAILING_WEIGHT, '');
    if (cleaned === name) return name;
    name = cleaned;
  }
}
