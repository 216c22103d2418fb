// Order matters: code spans first so their contents are not read as emphasis or links,
// images before links because an image is a link with a leading "!".
const INLINE_RULES: ReadonlyArray<[RegExp, string]> = [
  [/`+([^`]+?)`+/g, "$1"],
  [/!\[([^\]]*)\]\([^)]*\)/g, "$1"],
  [/\[([^\]]+)\]\([^)]*\)/g, "$1"],
  [/\[([^\]]+)\]\[[^\]]*\]/g, "$1"],
  [/<(https?:\/\/[^>\s]+)>/g, "$1"],
  [/(\*\*|__)(?=\S)([\s\S]*?\S)\1/g, "$2"],
  [/\*(?=\S)([^*]*?\S)\*/g, "$1"],
  // Underscores only at word edges: snake_case and file_names keep theirs.
  [/(^|[^\p{L}\p{N}_])_(?=\S)([^_]*?\S)_(?![\p{L}\p{N}_])/gu, "$1$2"],
  [/~~(?=\S)([\s\S]*?\S)~~/g, "$1"],
];

const ESCAPE = /\\([\\`*_{}[\]()#+\-.!~|>])/g;
// Escaped characters are parked in the private use area so no rule above can consume them.
const PARKED = /\uE000(\d+)\uE001/g;

/** Plain text of one line or paragraph of Markdown: the markup a reader would not see is removed. */
export function stripInline(text: string): string {
  let out = text.replace(ESCAPE, (_, char: string) => `\uE000${char.codePointAt(0)}\uE001`);
  for (const [pattern, replacement] of INLINE_RULES) out = out.replace(pattern, replacement);
  return out.replace(PARKED, (_, code: string) => String.fromCodePoint(Number(code)));
}
