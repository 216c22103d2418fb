import { createRequire } from "node:module";
import { dirname, join, sep } from "node:path";
import { type LoadParameters, PasswordException, PDFParse, VerbosityLevel } from "pdf-parse";
import { cleanBlocks, cleanText, describeError } from "./clean-text.ts";
import { type PageText, pageBlocks } from "./page-blocks.ts";
import { type LoadContext, LoadError, type LoadedDocument } from "./types.ts";
import { withoutEmpty } from "./without-empty.ts";

export async function loadPdf(bytes: Uint8Array, context: LoadContext = {}): Promise<LoadedDocument> {
  // A copy: pdf.js may take ownership of (detach) the array it is given.
  const parser = new PDFParse({ data: new Uint8Array(bytes), ...OFFLINE_OPTIONS });
  try {
    const info = await parser.getInfo();
    // An empty pageJoiner: the default appends "-- 1 of 3 --" markers to the text.
    const text = await parser.getText({ pageJoiner: "" });
    const pages: PageText[] = text.pages.map((page) => ({ number: page.num, text: page.text }));
    const toRead = pages.filter((page) => letters(page.text) < MIN_TEXT_LAYER_LETTERS);
    const { ocr } = context;
    let scanned = false;
    if (toRead.length > 0 && ocr) {
      context.onOcrPage?.(0, toRead.length);
      for (const [k, page] of toRead.entries()) {
        const read = await ocr.recognize(await renderPage(parser, page.number, ocr.options.dpi));
        // A page of a few words in its text layer (a title page, "PHỤ LỤC") reads the same by
        // OCR: it keeps its text layer, and does not make the document a scan.
        const layer = letters(page.text);
        if (letters(read) > layer && (layer === 0 || letters(read) >= MIN_TEXT_LAYER_LETTERS)) {
          page.text = read;
          scanned = true;
        }
        context.onOcrPage?.(k + 1, toRead.length);
      }
    }
    const blocks = cleanBlocks(pageBlocks(pages));
    if (blocks.length === 0) {
      throw new LoadError(
        ocr
          ? "the PDF has no text, and OCR found none on its pages"
          : "the PDF has no extractable text; it may be a scanned image, which needs OCR (OCR=true)",
      );
    }
    return withoutEmpty({ title: titleFrom(info.info), blocks, ...(scanned ? { scanned } : {}) });
  } catch (error) {
    throw error instanceof LoadError ? error : pdfError(error);
  } finally {
    await parser.destroy();
  }
}

/**
 * A page with fewer letters than this in its text layer is read by OCR: a scan has none, or only
 * a page number or a stamp a scanner added. OCR's text replaces the layer's when it has more
 * letters, and at least this many unless the layer had none.
 */
const MIN_TEXT_LAYER_LETTERS = 20;

const letters = (text: string) => text.match(/\p{L}/gu)?.length ?? 0;

/** One page drawn at `dpi` (pdf.js onto an @napi-rs/canvas), as PNG bytes. */
async function renderPage(parser: PDFParse, page: number, dpi: number): Promise<Uint8Array> {
  const shot = await parser.getScreenshot({
    partial: [page],
    scale: dpi / 72,
    imageDataUrl: false,
    imageBuffer: true,
  });
  const image = shot.pages[0]?.data;
  if (!image || image.length === 0) throw new LoadError(`page ${page} could not be drawn for OCR`);
  return image;
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
