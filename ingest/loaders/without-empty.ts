import type { LoadedDocument } from "./types.ts";

/** Drops absent or blank metadata, so callers can rely on `??` fallbacks and `in` checks. */
export function withoutEmpty(doc: LoadedDocument): LoadedDocument {
  const out: LoadedDocument = { blocks: doc.blocks };
  for (const key of ["title", "url", "publisher", "author", "published", "effective"] as const) {
    const value = doc[key];
    if (value) out[key] = value;
  }
  if (doc.scanned) out.scanned = true;
  if (doc.supersedes?.length) out.supersedes = doc.supersedes;
  return out;
}
