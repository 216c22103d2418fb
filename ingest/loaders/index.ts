import { readFile } from "node:fs/promises";
import { extname } from "node:path";
import { describeError } from "./clean-text.ts";
import { loadDocx } from "./docx.ts";
import { loadHtml } from "./html.ts";
import { loadImage } from "./image.ts";
import { loadMarkdown } from "./markdown.ts";
import { loadPdf } from "./pdf.ts";
import { loadText } from "./text.ts";
import { type LoadContext, LoadError, type LoadedDocument, UnsupportedTypeError } from "./types.ts";

export type { Block, LoadContext, LoadedDocument } from "./types.ts";
export { LoadError, UnsupportedTypeError } from "./types.ts";

type Loader = (bytes: Buffer, context: LoadContext) => LoadedDocument | Promise<LoadedDocument>;

const LOADERS = new Map<string, Loader>([
  [".md", loadMarkdown],
  [".markdown", loadMarkdown],
  [".txt", loadText],
  [".html", loadHtml],
  [".htm", loadHtml],
  [".pdf", loadPdf],
  [".docx", loadDocx],
  [".png", loadImage],
  [".jpg", loadImage],
  [".jpeg", loadImage],
]);

export const SUPPORTED_EXTENSIONS: readonly string[] = [...LOADERS.keys()];

/**
 * Reads one document into blocks and metadata, choosing the reader by the file's extension.
 * `bytes`, when given, is used instead of reading `path`; `context.ocr` reads page images (scanned
 * PDF pages, .png and .jpg files).
 * @throws UnsupportedTypeError for an extension we do not read (checked before any reading)
 * @throws LoadError when the file cannot be read or its content is broken
 */
export async function loadDocument(
  path: string,
  bytes?: Buffer,
  context: LoadContext = {},
): Promise<LoadedDocument> {
  const extension = extname(path).toLowerCase();
  const loader = LOADERS.get(extension);
  if (!loader) {
    throw new UnsupportedTypeError(
      `unsupported file type "${extension || "(no extension)"}": expected one of ${SUPPORTED_EXTENSIONS.join(", ")}`,
    );
  }
  const content = bytes ?? (await readBytes(path));
  try {
    return await loader(content, context);
  } catch (error) {
    if (error instanceof LoadError) throw error;
    // One odd file must not stop a whole ingest run with a library stack trace.
    throw new LoadError(`could not read this ${extension} file (${describeError(error)})`, { cause: error });
  }
}

async function readBytes(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new LoadError(`cannot read the file (${describeError(error)})`, { cause: error });
  }
}
