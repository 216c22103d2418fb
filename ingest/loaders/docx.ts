import mammoth from "mammoth";
import { cleanBlocks, describeError } from "./clean-text.ts";
import { type DomElement, parseFragment } from "./dom.ts";
import { domBlocks } from "./dom-blocks.ts";
import { LoadError, type LoadedDocument } from "./types.ts";
import { withoutEmpty } from "./without-empty.ts";

// Word's own "Title" style is how many documents mark their title; mammoth drops it by default.
const STYLE_MAP = ["p[style-name='Title'] => h1:fresh"];

// Images carry no text we can use; an empty src keeps mammoth from base64-encoding each one.
const SKIP_IMAGES = mammoth.images.imgElement(async () => ({ src: "" }));

export async function loadDocx(bytes: Buffer): Promise<LoadedDocument> {
  let html: string;
  try {
    const result = await mammoth.convertToHtml(
      { buffer: bytes },
      { styleMap: STYLE_MAP, convertImage: SKIP_IMAGES },
    );
    html = result.value;
  } catch (error) {
    throw new LoadError(`not a valid DOCX file (${describeError(error)})`);
  }
  const blocks = cleanBlocks(domBlocks(parseFragment(html), { skip: isFootnoteBackLink }));
  const first = blocks[0];
  const title = first?.kind === "heading" && first.level === 1 ? first.text : undefined;
  return withoutEmpty({ title, blocks: title === undefined ? blocks : blocks.slice(1) });
}

// mammoth ends each footnote with a "↑" link back to the text; it is navigation, not content.
function isFootnoteBackLink(element: DomElement): boolean {
  const href = element.getAttribute("href") ?? "";
  return element.localName === "a" && /^#(?:footnote|endnote)-ref-/.test(href);
}
