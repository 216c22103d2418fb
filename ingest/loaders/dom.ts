import { parseHTML } from "linkedom";

// The project compiles without the DOM lib, so these are the few DOM members the loaders use.
export interface DomNode {
  readonly nodeType: number;
  readonly textContent: string | null;
  readonly childNodes: Iterable<DomNode>;
}

export interface DomElement extends DomNode {
  readonly localName: string;
  getAttribute(name: string): string | null;
  setAttribute(name: string, value: string): void;
  querySelector(selectors: string): DomElement | null;
  querySelectorAll(selectors: string): Iterable<DomElement>;
  remove(): void;
}

export interface DomDocument {
  readonly title: string;
  readonly body: DomElement | null;
  querySelector(selectors: string): DomElement | null;
  querySelectorAll(selectors: string): Iterable<DomElement>;
}

export const ELEMENT_NODE = 1;
export const TEXT_NODE = 3;

export function isElement(node: DomNode): node is DomElement {
  return node.nodeType === ELEMENT_NODE;
}

const HTML_ROOT = /<html[\s>]/i;
const BODY_TAG = /<body[\s>]/i;
const DOCTYPE = /^\s*<!doctype[^>]*>/i;

export function parseDocument(html: string): DomDocument {
  const { document } = parseHTML(withHtmlRoot(html));
  return document;
}

// linkedom does no HTML5 tree repair: without an <html> element its document has no
// documentElement and even `document.title` throws, so fragments and sloppy saves get one.
function withHtmlRoot(html: string): string {
  if (HTML_ROOT.test(html)) return html;
  const rest = html.replace(DOCTYPE, "");
  return BODY_TAG.test(rest) ? `<html>${rest}</html>` : `<html><head></head><body>${rest}</body></html>`;
}

/** The <body> of an HTML fragment, such as mammoth's or Readability's output. */
export function parseFragment(html: string): DomElement {
  const body = parseDocument(`<html><head></head><body>${html}</body></html>`).body;
  if (!body) throw new Error("linkedom returned a document without a body");
  return body;
}
