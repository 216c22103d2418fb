import { createRequire } from "node:module";
import { createWorker, OEM, type Worker } from "tesseract.js";
import type { Config } from "../../src/config.ts";

/** How page images are read: plain data, so a worker thread of the ingest pool can be given it. */
export interface OcrOptions {
  /** the resolution a PDF page without a text layer is rendered at (OCR_DPI) */
  dpi: number;
}

export interface OcrEngine {
  readonly options: OcrOptions;
  /** The text of one page image (PNG or JPEG bytes), as Tesseract lays it out: lines, blank lines between blocks. */
  recognize(image: Uint8Array): Promise<string>;
  /** Stops the Tesseract worker, if one was started. */
  close(): Promise<void>;
}

/**
 * Tesseract (WebAssembly, tesseract.js) with the Vietnamese model that @tesseract.js-data/vie
 * installs into node_modules: `langPath` points at it and nothing is cached or fetched, so OCR
 * works with no network. The worker (a thread of its own, ~0.5 s to start and ~100 MB) starts at
 * the first page and serves every page after it, one at a time.
 */
export function createOcrEngine(options: OcrOptions): OcrEngine {
  let worker: Promise<Worker> | undefined;
  const start = () => {
    worker ??= createWorker("vie", OEM.LSTM_ONLY, {
      langPath: vieLangPath(),
      gzip: true,
      // The default caches the model in the working directory (and would fetch it if missing).
      cacheMethod: "none",
      // Without a handler tesseract.js rethrows a failed job (an image it cannot decode) from its
      // message listener, which ends the process; the job's promise is rejected either way.
      errorHandler: () => {},
    }).catch((error: unknown) => {
      worker = undefined; // the next page tries again
      throw error;
    });
    return worker;
  };
  return {
    options,
    async recognize(image) {
      const tesseract = await start();
      // tesseract.js wants a Buffer for bytes (a bare Uint8Array is taken for an image object).
      const { data } = await tesseract.recognize(
        Buffer.from(image.buffer, image.byteOffset, image.byteLength),
      );
      return data.text;
    },
    async close() {
      const started = worker;
      worker = undefined;
      if (started) await (await started).terminate();
    },
  };
}

/** The folder of vie.traineddata.gz inside the installed @tesseract.js-data/vie package. */
function vieLangPath(): string {
  const require = createRequire(import.meta.url);
  const data = require("@tesseract.js-data/vie") as { langPath: string };
  return data.langPath;
}

/** The OCR options of the configuration (OCR, OCR_DPI); undefined when OCR is off. */
export function ocrOptionsFrom(config: Pick<Config, "OCR" | "OCR_DPI">): OcrOptions | undefined {
  return config.OCR ? { dpi: config.OCR_DPI } : undefined;
}
