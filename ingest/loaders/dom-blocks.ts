import { type DomElement, type DomNode, isElement, TEXT_NODE } from "./dom.ts";
import type { Block } from "./types.ts";

/** Never reader text, wherever it sits. */
const ALWAYS_SKIPPED = new Set([
  "script",
  "style",
  "noscript",
  "template",
  "head",
  "title",
  "meta",
  "link",
  "nav",
  "footer",
  "aside",
  "form",
  "button",
  "select",
  "textarea",
  "svg",
  "iframe",
  "object",
  "canvas",
]);

/** Elements that end a run of inline text; everything else (a, b, span, ...) continues it. */
const BLOCK_ELEMENTS = new Set([
  "address",
  "article",
  "blockquote",
  "body",
  "caption",
  "center",
  "dd",
  "details",
  "div",
  "dl",
  "dt",
  "fieldset",
  "figcaption",
  "figure",
  "header",
  "hgroup",
  "hr",
  "li",
  "main",
  "ol",
  "p",
  "pre",
  "section",
  "summary",
  "table",
  "tbody",
  "td",
  "tfoot",
  "th",
  "thead",
  "tr",
  "ul",
]);

const HEADING = /^h([1-6])$/;

export interface DomBlockOptions {
  /** Extra elements to leave out, with their subtree. */
  skip?: (element: DomElement) => boolean;
  /** The heading level of an element; defaults to the digit of its h1-h6 tag. */
  headingLevel?: (element: DomElement, tagLevel: number) => number;
}

/**
 * Headings become heading blocks; every run of inline text between block boundaries becomes a
 * paragraph. That covers p, li and blockquote, and also text that sits directly in a div or a
 * table cell, which real pages and converted documents are full of.
 */
export function domBlocks(root: DomNode, options: DomBlockOptions = {}): Block[] {
  const blocks: Block[] = [];
  let inline: string[] = [];

  const flush = () => {
    const text = inline.join("");
    inline = [];
    if (text.trim()) blocks.push({ kind: "paragraph", text });
  };

  const visit = (node: DomNode): void => {
    if (node.nodeType === TEXT_NODE) {
      inline.push(node.textContent ?? "");
      return;
    }
    if (!isElement(node)) return;
    const tag = node.localName.toLowerCase();
    if (ALWAYS_SKIPPED.has(tag) || options.skip?.(node)) return;
    if (tag === "br") {
      inline.push(" ");
      return;
    }
    const heading = HEADING.exec(tag);
    if (heading) {
      flush();
      const tagLevel = Number(heading[1]);
      const level = options.headingLevel?.(node, tagLevel) ?? tagLevel;
      blocks.push({ kind: "heading", level, text: node.textContent ?? "" });
      return;
    }
    const isBlock = BLOCK_ELEMENTS.has(tag);
    if (isBlock) flush();
    for (const child of node.childNodes) visit(child);
    if (isBlock) flush();
  };

  for (const child of root.childNodes) visit(child);
  flush();
  return blocks;
}
