import { TextDecoder } from "node:util";
import type { DomDocument } from "./dom.ts";
import { toIsoDate } from "./iso-date.ts";

export interface HtmlMeta {
  title?: string;
  url?: string;
  author?: string;
  published?: string;
  publisher?: string;
}

/** Read before Readability runs: it rewrites the document it is given. */
export function readHtmlMeta(document: DomDocument): HtmlMeta {
  const ogUrl = absoluteUrl(metaContent(document, 'meta[property="og:url"]'));
  const canonical = absoluteUrl(
    document.querySelector('link[rel~="canonical"]')?.getAttribute("href") ?? undefined,
    ogUrl,
  );
  const published = metaContent(document, 'meta[property="article:published_time"]');
  return {
    title: document.title || metaContent(document, 'meta[property="og:title"]'),
    url: canonical ?? ogUrl,
    author: metaContent(document, 'meta[name="author"]'),
    published: published === undefined ? undefined : toIsoDate(published),
    publisher: metaContent(document, 'meta[property="og:site_name"]'),
  };
}

function metaContent(document: DomDocument, selector: string): string | undefined {
  return document.querySelector(selector)?.getAttribute("content")?.trim() || undefined;
}

// A relative canonical link is only usable against a known absolute address.
function absoluteUrl(value: string | undefined, base?: string): string | undefined {
  if (!value) return undefined;
  try {
    const url = new URL(value.trim(), base);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/** The charset a page declares in its first bytes, as <meta charset> or http-equiv. */
export function declaredCharset(bytes: Uint8Array): string | undefined {
  const head = new TextDecoder("latin1").decode(bytes.subarray(0, 2048));
  return /<meta[^>]+charset\s*=\s*["']?\s*([\w:.-]+)/i.exec(head)?.[1];
}
