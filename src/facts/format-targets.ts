import type { Citation } from "../contract/answer.ts";
import { pageAndScanLabel } from "../contract/citation.ts";
import { excerptAround } from "./excerpt.ts";
import { describeTarget, type Target, type TargetList } from "./targets.ts";

/**
 * The targets list as plain text, for channels without markup (the CLI, Zalo): one numbered
 * target per line, the sentence it comes from under it, the documents with their links at the end.
 */

export const capitalize = (s: string) => s.charAt(0).toLocaleUpperCase("vi") + s.slice(1);

const httpUrl = (url: string | undefined) => (url && /^https?:\/\//i.test(url) ? url : undefined);

/** The part of the cited sentence that states the target, for a line under it. */
export function targetExcerpt(t: Target, maxChars = 160): string {
  const at = t.citation.quote.indexOf(t.value);
  return excerptAround(t.citation.quote, Math.max(0, at), Math.max(0, at) + t.value.length, maxChars);
}

/** "Title › Section" of a citation, with its pages when it has some: "Title › Section, trang 12". */
export function whereWritten(c: Pick<Citation, "document" | "section" | "pages" | "scanned">): string {
  const pages = pageAndScanLabel(c);
  return `${c.section ? `${c.document} › ${c.section}` : c.document}${pages ? `, ${pages}` : ""}`;
}

/** The documents cited, once each, with publisher, date and link. */
export function documentLines(citations: readonly Citation[]): string[] {
  const seen = new Set<string>();
  const lines: string[] = [];
  for (const c of citations) {
    if (seen.has(c.document)) continue;
    seen.add(c.document);
    const meta = [c.publisher, c.published].filter(Boolean).join(", ");
    const url = httpUrl(c.url);
    lines.push(`${c.document}${meta ? ` (${meta})` : ""}${url ? `\n${url}` : ""}`);
  }
  return lines;
}

export function formatTargetsText(list: TargetList, options: { maxItems?: number } = {}): string {
  const { targets, keyword } = list;
  if (targets.length === 0) {
    return keyword
      ? `Không tìm thấy chỉ tiêu, con số nào có “${keyword}” trong tài liệu.`
      : "Kho tài liệu chưa có chỉ tiêu, con số nào.";
  }
  const max = options.maxItems ?? targets.length;
  const shown = targets.slice(0, max);
  const head = keyword
    ? `Chỉ tiêu, con số về “${keyword}” (${targets.length}):`
    : `Chỉ tiêu, con số trong tài liệu (${targets.length}):`;
  const items = shown.map(
    (t, i) =>
      `${i + 1}. ${capitalize(describeTarget(t))}\n   “${targetExcerpt(t)}”\n   — ${whereWritten(t.citation)}`,
  );
  const more = targets.length > max ? [`… và ${targets.length - max} chỉ tiêu khác.`] : [];
  return [head, ...items, ...more, `Nguồn:\n${documentLines(shown.map((t) => t.citation)).join("\n")}`].join(
    "\n\n",
  );
}
