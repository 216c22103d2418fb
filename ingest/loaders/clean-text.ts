import { errorMessage } from "../../src/error-message.ts";
import type { Block } from "./types.ts";

/** NFC first: NFD input (macOS, some PDF producers) would otherwise never match NFC queries. */
export function cleanText(text: string): string {
  return text.normalize("NFC").replace(/\s+/g, " ").trim();
}

/** Cleans every block and drops the ones that end up empty. */
export function cleanBlocks(blocks: readonly Block[]): Block[] {
  const out: Block[] = [];
  for (const block of blocks) {
    const text = cleanText(block.text);
    if (text) out.push({ ...block, text });
  }
  return out;
}

/** The error's own message, first line only: library messages sometimes carry code frames. */
export function describeError(error: unknown): string {
  const message = errorMessage(error);
  // A trailing colon announces the detail lines just cut off.
  return message.split("\n")[0]?.trim().replace(/:$/, "") || "unknown error";
}
