export type Block = { kind: "heading"; level: number; text: string } | { kind: "paragraph"; text: string };

export interface LoadedDocument {
  title?: string;
  url?: string;
  publisher?: string;
  author?: string;
  /** ISO date "YYYY-MM-DD" when known */
  published?: string;
  blocks: Block[];
}

/** A file we read but cannot use: the message says what is wrong, in plain English, with no stack. */
export class LoadError extends Error {
  override name = "LoadError";
}

/** A file whose extension we do not read. */
export class UnsupportedTypeError extends Error {
  override name = "UnsupportedTypeError";
}
