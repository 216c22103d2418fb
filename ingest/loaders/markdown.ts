import { cleanBlocks, cleanText } from "./clean-text.ts";
import { decodeUtf8 } from "./decode-utf8.ts";
import { splitFrontMatter } from "./front-matter.ts";
import { markdownBlocks } from "./markdown-blocks.ts";
import type { LoadedDocument } from "./types.ts";
import { withoutEmpty } from "./without-empty.ts";

export function loadMarkdown(bytes: Uint8Array): LoadedDocument {
  const { meta, body } = splitFrontMatter(decodeUtf8(bytes));
  const blocks = cleanBlocks(markdownBlocks(body));
  let title = meta.title === undefined ? undefined : cleanText(meta.title) || undefined;
  if (title === undefined) {
    // The "# Title" line of a document without front matter names it; it is not body text.
    const index = blocks.findIndex((block) => block.kind === "heading" && block.level === 1);
    title = blocks[index]?.text;
    if (index >= 0) blocks.splice(index, 1);
  }
  return withoutEmpty({
    title,
    url: meta.url?.trim(),
    publisher: meta.publisher === undefined ? undefined : cleanText(meta.publisher),
    author: meta.author === undefined ? undefined : cleanText(meta.author),
    published: meta.published,
    effective: meta.effective,
    supersedes: meta.supersedes,
    blocks,
  });
}
