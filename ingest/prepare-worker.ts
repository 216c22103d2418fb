import { parentPort, workerData } from "node:worker_threads";
import { errorMessage } from "../src/error-message.ts";
import { prepareRows } from "../src/store/corpus-store.ts";
import type { LoadContext } from "./loaders/index.ts";
import { createOcrEngine, type OcrOptions } from "./ocr/ocr-engine.ts";
import { prepareFiles } from "./prepare-files.ts";
import type { PrepareReply, PrepareRequest } from "./prepare-pool.ts";
import { readDocument } from "./read-document.ts";

// This thread's own OCR engine: its Tesseract worker starts at the first page image it is given.
const ocrOptions = (workerData as { ocr?: OcrOptions }).ocr;
const ocr = ocrOptions ? createOcrEngine(ocrOptions) : undefined;

/** OCR, and its pages counted back to the main thread (the ingest progress). */
function contextFor(path: string): LoadContext {
  return ocr
    ? { ocr, onOcrPage: (done, total) => parentPort?.postMessage({ ocrPage: { path, done, total } }) }
    : {};
}

/** Reads files and prepares batches for the main thread: plain data in, plain data out. */
parentPort?.on("message", async (request: PrepareRequest) => {
  let reply: PrepareReply;
  try {
    const result =
      request.task === "read"
        ? await readDocument(
            request.path,
            request.absolutePath,
            request.bytes,
            request.measure,
            contextFor(request.path),
          )
        : request.task === "files"
          ? await prepareFiles(request.files, request.avgdl, contextFor)
          : await prepareRows(request.inputs, request.avgdl);
    reply = { id: request.id, result };
  } catch (error) {
    reply = { id: request.id, error: errorMessage(error) };
  }
  parentPort?.postMessage(reply);
});
