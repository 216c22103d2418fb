import { TextDecoder } from "node:util";
import { LoadError } from "./types.ts";

const INVALID_UTF8 = "invalid UTF-8: the file is not UTF-8 encoded text (re-save it as UTF-8)";

/**
 * Strict, so that a mis-encoded file fails loudly instead of being indexed as mojibake.
 * The decoder drops a leading BOM itself (ignoreBOM defaults to false).
 */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new LoadError(INVALID_UTF8);
  }
}

/**
 * UTF-8 first even when a legacy charset is declared: pages are often re-saved as UTF-8 while
 * keeping their old <meta charset>, and valid UTF-8 is almost never an accident.
 */
export function decodeDeclared(bytes: Uint8Array, declaredCharset: string | undefined): string {
  try {
    return decodeUtf8(bytes);
  } catch (error) {
    const decoder = legacyDecoder(declaredCharset);
    if (!decoder) throw error;
    return decoder.decode(bytes);
  }
}

function legacyDecoder(label: string | undefined): TextDecoder | undefined {
  if (!label) return undefined;
  try {
    const decoder = new TextDecoder(label);
    return decoder.encoding === "utf-8" ? undefined : decoder;
  } catch {
    // An unknown label is no better than no label.
    return undefined;
  }
}
