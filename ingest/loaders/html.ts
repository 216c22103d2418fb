import { Readability } from "@mozilla/readability";
import { cleanBlocks, cleanText } from "./clean-text.ts";
import { decodeDeclared } from "./decode-utf8.ts";
import { type DomDocument, type DomElement, parseDocument, parseFragment } from "./dom.ts";
import { domBlocks } from "./dom-blocks.ts";
import { declaredCharset, readHtmlMeta } from "./html-meta.ts";
import type { Block, LoadedDocument } from "./types.ts";
import { withoutEmpty } from "./without-empty.ts";

// Readability turns every h1 into an h2; the original level rides along in this attribute.
const LEVEL_ATTRIBUTE = "data-loader-heading-level";

const CHROME_ROLES = ["navigation", "banner", "contentinfo", "complementary", "search"];
const CHROME_SELECTOR = ["nav", "footer", "aside", ...CHROME_ROLES.map((role) => `[role="${role}"]`)].join(
  ", ",
);

export function loadHtml(bytes: Uint8Array): LoadedDocument {
  const html = decodeDeclared(bytes, declaredCharset(bytes));
  const document = parseDocument(html);
  const meta = readHtmlMeta(document);
  const article = readArticle(document);
  let blocks = article?.content ? articleBlocks(article.content) : [];
  // Readability found nothing usable: take the page body minus its obvious chrome.
  if (blocks.length === 0) blocks = bodyBlocks(parseDocument(html));

  const title = cleanText(article?.title || meta.title || "") || undefined;
  const first = blocks[0];
  if (title && first?.kind === "heading" && first.text === title) blocks.shift();
  return withoutEmpty({
    title,
    url: meta.url,
    author: cleanText(meta.author || article?.byline || ""),
    published: meta.published,
    publisher: cleanText(meta.publisher || article?.siteName || ""),
    blocks,
  });
}

interface Article {
  title?: string | null;
  content?: string | null;
  byline?: string | null;
  siteName?: string | null;
}

function readArticle(document: DomDocument): Article | undefined {
  // Removed up front: on a short page Readability keeps the whole body, menus included.
  for (const chrome of [...document.querySelectorAll(CHROME_SELECTOR)]) chrome.remove();
  for (const heading of document.querySelectorAll("h1, h2, h3, h4, h5, h6")) {
    heading.setAttribute(LEVEL_ATTRIBUTE, heading.localName.slice(1));
  }
  try {
    return new Readability(document).parse() ?? undefined;
  } catch {
    // Readability gives up on some malformed pages by throwing; the body fallback still works.
    return undefined;
  }
}

function articleBlocks(content: string): Block[] {
  return cleanBlocks(
    domBlocks(parseFragment(content), {
      headingLevel: (element, tagLevel) => Number(element.getAttribute(LEVEL_ATTRIBUTE)) || tagLevel,
    }),
  );
}

function bodyBlocks(document: DomDocument): Block[] {
  if (!document.body) return [];
  return cleanBlocks(domBlocks(document.body, { skip: isPageChrome }));
}

// Without Readability a <header> is more likely the site banner than an article's own header.
function isPageChrome(element: DomElement): boolean {
  return (
    element.localName.toLowerCase() === "header" || CHROME_ROLES.includes(element.getAttribute("role") ?? "")
  );
}
