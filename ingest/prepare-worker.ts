import { parentPort } from "node:worker_threads";
import { errorMessage } from "../src/error-message.ts";
import { prepareRows } from "../src/store/corpus-store.ts";
import { prepareFiles } from "./prepare-files.ts";
import type { PrepareReply, PrepareRequest } from "./prepare-pool.ts";
import { readDocument } from "./read-document.ts";

/** Reads files and prepares batches for the main thread: plain data in, plain data out. */
parentPort?.on("message", async (request: PrepareRequest) => {
  let reply: PrepareReply;
  try {
    const result =
      request.task === "read"
        ? await readDocument(request.path, request.absolutePath, request.bytes, request.measure)
        : request.task === "files"
          ? await prepareFiles(request.files, request.avgdl)
          : await prepareRows(request.inputs, request.avgdl);
    reply = { id: request.id, result };
  } catch (error) {
    reply = { id: request.id, error: errorMessage(error) };
  }
  parentPort?.postMessage(reply);
});
