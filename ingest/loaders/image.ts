import { cleanBlocks } from "./clean-text.ts";
import { pageBlocks } from "./page-blocks.ts";
import { type LoadContext, LoadError, type LoadedDocument } from "./types.ts";
import { withoutEmpty } from "./without-empty.ts";

/** A photographed or scanned page (.png, .jpg): its text is read by OCR, as page 1. */
export async function loadImage(bytes: Uint8Array, context: LoadContext = {}): Promise<LoadedDocument> {
  const { ocr } = context;
  if (!ocr) throw new LoadError("an image is read by OCR, which is off (OCR=false)");
  if (!isPng(bytes) && !isJpeg(bytes)) throw new LoadError("not a PNG or JPEG image");
  context.onOcrPage?.(0, 1);
  let text: string;
  try {
    text = await ocr.recognize(bytes);
  } catch (error) {
    // Tesseract's own message for an image it cannot decode says little; say what it was given.
    throw new LoadError(`the image could not be read by OCR (${String(error).split("\n")[0]})`, {
      cause: error,
    });
  }
  context.onOcrPage?.(1, 1);
  const blocks = cleanBlocks(pageBlocks([{ number: 1, text }]));
  if (blocks.length === 0) throw new LoadError("OCR found no text in the image");
  return withoutEmpty({ blocks, scanned: true });
}

const isPng = (b: Uint8Array) => b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47;
const isJpeg = (b: Uint8Array) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;
