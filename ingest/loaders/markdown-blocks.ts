import { stripInline } from "./markdown-inline.ts";
import type { Block } from "./types.ts";

const ATX_HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*))?$/;
const CLOSING_HASHES = /(?:^|[ \t]+)#+[ \t]*$/;
const SETEXT_UNDERLINE = /^ {0,3}(=+|-+)[ \t]*$/;
const THEMATIC_BREAK = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;
// A task list's "[ ]" / "[x]" box is markup, not text.
const LIST_ITEM = /^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+(?:\[[ xX]\][ \t]+)?(.*)$/;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const QUOTE_MARKERS = /^(?: {0,3}>[ \t]?)+/;
const TABLE_ROW = /^[ \t]*\|(.*)\|[ \t]*$/;
// "|---|:--:|": only pipes, dashes, colons and spaces, with at least one of each of the first two.
const TABLE_DELIMITER = /^(?=.*\|)(?=.*-)[ \t|:-]+$/;

/**
 * A deliberately small Markdown reader: enough block structure for headings and paragraphs.
 * Each list item and table row is its own paragraph so a retrieved chunk never glues two items.
 */
export function markdownBlocks(source: string): Block[] {
  const blocks: Block[] = [];
  let pending: string[] = [];
  let pendingIsItem = false;
  let fence: string | undefined;

  const flush = () => {
    if (pending.length > 0) blocks.push({ kind: "paragraph", text: stripInline(pending.join(" ")) });
    pending = [];
    pendingIsItem = false;
  };

  for (const rawLine of source.split(/\r\n|\r|\n/)) {
    if (fence !== undefined) {
      // Code is shown as-is: no headings or emphasis inside a fence.
      if (rawLine.trim().startsWith(fence)) {
        if (pending.length > 0) blocks.push({ kind: "paragraph", text: pending.join(" ") });
        pending = [];
        fence = undefined;
      } else {
        pending.push(rawLine);
      }
      continue;
    }
    const fenceMatch = FENCE.exec(rawLine);
    if (fenceMatch?.[1]) {
      flush();
      fence = fenceMatch[1];
      continue;
    }

    const line = rawLine.replace(QUOTE_MARKERS, "");
    if (line.trim() === "") {
      flush();
      continue;
    }
    const heading = ATX_HEADING.exec(line);
    if (heading?.[1]) {
      flush();
      const text = (heading[2] ?? "").replace(CLOSING_HASHES, "");
      blocks.push({ kind: "heading", level: heading[1].length, text: stripInline(text) });
      continue;
    }
    const underline = SETEXT_UNDERLINE.exec(line);
    if (underline?.[1] && pending.length > 0 && !pendingIsItem) {
      const level = underline[1].startsWith("=") ? 1 : 2;
      blocks.push({ kind: "heading", level, text: stripInline(pending.join(" ")) });
      pending = [];
      continue;
    }
    if (THEMATIC_BREAK.test(line)) {
      flush();
      continue;
    }
    if (TABLE_DELIMITER.test(line)) continue;
    const row = TABLE_ROW.exec(line);
    if (row?.[1] !== undefined) {
      flush();
      pending = [
        row[1]
          .split("|")
          .map((cell) => cell.trim())
          .join(" | "),
      ];
      flush();
      continue;
    }
    const item = LIST_ITEM.exec(line);
    if (item) {
      flush();
      pending = [item[1] ?? ""];
      pendingIsItem = true;
      continue;
    }
    pending.push(line);
  }
  if (fence !== undefined) blocks.push({ kind: "paragraph", text: pending.join(" ") });
  else flush();
  return blocks;
}
