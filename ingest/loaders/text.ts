import { cleanBlocks, cleanText } from "./clean-text.ts";
import { decodeUtf8 } from "./decode-utf8.ts";
import { plainParagraphs } from "./plain-paragraphs.ts";
import type { Block, LoadedDocument } from "./types.ts";
import { withoutEmpty } from "./without-empty.ts";

const MAX_TITLE_LENGTH = 200;

export function loadText(bytes: Uint8Array): LoadedDocument {
  const paragraphs = plainParagraphs(decodeUtf8(bytes));
  const title = titleFrom(paragraphs[0]);
  const body = title === undefined ? paragraphs : paragraphs.slice(1);
  const blocks: Block[] = body.map((lines) => ({ kind: "paragraph", text: lines.join(" ") }));
  return withoutEmpty({ title, blocks: cleanBlocks(blocks) });
}

// A short first line that is not a sentence reads as a title; anything else is body text.
function titleFrom(first: string[] | undefined): string | undefined {
  if (first?.length !== 1 || first[0] === undefined) return undefined;
  const line = cleanText(first[0]);
  if (line.length === 0 || line.length > MAX_TITLE_LENGTH || line.endsWith(".")) return undefined;
  return line;
}
