import type { OcrEngine } from "../ocr/ocr-engine.ts";

/**
 * `page`: the 1-based page of a PDF or image the block was read from (absent for other formats);
 * `lastPage`: the page a paragraph that runs on past a page break ends on.
 */
export type Block =
  | { kind: "heading"; level: number; text: string; page?: number }
  | { kind: "paragraph"; text: string; page?: number; lastPage?: number };

export interface LoadedDocument {
  title?: string;
  url?: string;
  publisher?: string;
  author?: string;
  /** ISO date "YYYY-MM-DD" when known */
  published?: string;
  /** ISO date the document takes effect (front matter `effective`) */
  effective?: string;
  /** the documents it replaces, by path in the corpus or title (front matter `supersedes`) */
  supersedes?: string[];
  blocks: Block[];
  /** some of its text was read from page images by OCR (a scan), not from a text layer */
  scanned?: boolean;
}

/** A file we read but cannot use: the message says what is wrong, in plain English, with no stack. */
export class LoadError extends Error {
  override name = "LoadError";
}

/** A file whose extension we do not read. */
export class UnsupportedTypeError extends Error {
  override name = "UnsupportedTypeError";
}

/** What a loader may use besides the bytes: OCR for pages without text, and a page counter. */
export interface LoadContext {
  /** absent: OCR is off, and a page image cannot be read */
  ocr?: OcrEngine;
  /**
   * Called with (0, n) once the n pages needing OCR are known, then after each one is read: OCR
   * takes about a second a page, so the ingest progress counts those pages.
   */
  onOcrPage?: (done: number, total: number) => void;
}
