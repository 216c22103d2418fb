import { createRequire } from "node:module";
import { dirname, join, sep } from "node:path";
import { type LoadParameters, PasswordException, PDFParse, VerbosityLevel } from "pdf-parse";
import { cleanBlocks, cleanText, describeError } from "./clean-text.ts";
import { plainParagraphs } from "./plain-paragraphs.ts";
import { type Block, LoadError, type LoadedDocument } from "./types.ts";
import { withoutEmpty } from "./without-empty.ts";

export async function loadPdf(bytes: Uint8Array): Promise<LoadedDocument> {
  // A copy: pdf.js may take ownership of (detach) the array it is given.
  const parser = new PDFParse({ data: new Uint8Array(bytes), ...OFFLINE_OPTIONS });
  try {
    const info = await parser.getInfo();
    // An empty pageJoiner: the default appends "-- 1 of 3 --" markers to the text.
    const text = await parser.getText({ pageJoiner: "" });
    const blocks: Block[] = text.pages.flatMap((page) =>
      plainParagraphs(page.text).map((lines): Block => ({ kind: "paragraph", text: lines.join(" ") })),
    );
    const cleaned = cleanBlocks(blocks);
    if (cleaned.length === 0) {
      throw new LoadError("the PDF has no extractable text; it may be a scanned image that needs OCR first");
    }
    return withoutEmpty({ title: titleFrom(info.info), blocks: cleaned });
  } catch (error) {
    throw error instanceof LoadError ? error : pdfError(error);
  } finally {
    await parser.destroy();
  }
}

/**
 * Warnings off, no eval, and pdf.js's own font, CMap and wasm files read from disk: with only
 * `data` given and these local paths set, pdf.js has nothing to fetch from the network.
 */
const OFFLINE_OPTIONS: LoadParameters = {
  verbosity: VerbosityLevel.ERRORS,
  isEvalSupported: false,
  ...pdfjsAssetUrls(),
};

function pdfjsAssetUrls(): Partial<LoadParameters> {
  try {
    const require = createRequire(import.meta.url);
    const pdfjsRequire = createRequire(require.resolve("pdf-parse"));
    const root = dirname(pdfjsRequire.resolve("pdfjs-dist/package.json"));
    // pdf.js appends file names to these, so they need the trailing separator.
    return {
      standardFontDataUrl: join(root, "standard_fonts") + sep,
      cMapUrl: join(root, "cmaps") + sep,
      wasmUrl: join(root, "wasm") + sep,
    };
  } catch {
    // Without them pdf.js still reads the text of most files, only with less precise glyph metrics.
    return {};
  }
}

// Producers fill Title with placeholders or the source file name; those are not titles.
const PLACEHOLDER_TITLE = /^(?:untitled|no title|title|document\d*)$/i;

function titleFrom(infoDictionary: unknown): string | undefined {
  if (typeof infoDictionary !== "object" || infoDictionary === null || !("Title" in infoDictionary)) {
    return undefined;
  }
  const raw = infoDictionary.Title;
  if (typeof raw !== "string") return undefined;
  const title = cleanText(
    raw.replace(/^Microsoft (?:Word|PowerPoint) - /, "").replace(/\.(?:docx?|pptx?)$/i, ""),
  );
  return title && !PLACEHOLDER_TITLE.test(title) ? title : undefined;
}

function pdfError(error: unknown): LoadError {
  const detail = describeError(error);
  if (error instanceof PasswordException) {
    return new LoadError("the PDF is password-protected", { cause: error });
  }
  if (error instanceof Error && error.name === "InvalidPDFException") {
    return new LoadError(`not a valid PDF file (${detail})`, { cause: error });
  }
  return new LoadError(`the PDF could not be read (${detail})`, { cause: error });
}
