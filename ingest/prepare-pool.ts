import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { BatchRows, DocumentInput } from "../src/store/corpus-store.ts";
import type { OcrOptions } from "./ocr/ocr-engine.ts";
import type { FileToPrepare, PreparedFiles } from "./prepare-files.ts";
import type { ReadDocument } from "./read-document.ts";

/**
 * Worker threads for the CPU work of a bulk ingest: reading files (loaders, cleaning, chunking:
 * readDocument) and preparing batches (folding, term counts, BM25 sparsevecs, facts, JSON:
 * prepareRows). That work, not the database, bounds a bulk ingest: on one thread the database
 * waited for it most of the time. With a pool, files are read and batches prepared several at
 * once while the main thread writes the batches in order (run-ingest.ts).
 */
export interface PreparePool {
  readonly size: number;
  read(path: string, absolutePath: string, bytes: Uint8Array, measure: boolean): Promise<ReadDocument>;
  prepare(inputs: DocumentInput[], avgdl: number | undefined): Promise<BatchRows>;
  /** read and prepare in one task (prepare-files.ts): the documents stay in the worker */
  prepareFiles(files: FileToPrepare[], avgdl: number | undefined): Promise<PreparedFiles>;
  /** Stops the workers; tasks still running fail. */
  close(): Promise<void>;
}

type TaskRequest =
  | { task: "read"; path: string; absolutePath: string; bytes: Uint8Array; measure: boolean }
  | { task: "prepare"; inputs: DocumentInput[]; avgdl: number | undefined }
  | { task: "files"; files: FileToPrepare[]; avgdl: number | undefined };

export type PrepareRequest = { id: number } & TaskRequest;

export type PrepareReply =
  | { id: number; result: ReadDocument | BatchRows | PreparedFiles }
  | { id: number; error: string };

/** A page of `path` read by OCR in a worker (done 0: `total` pages are about to be read). */
export interface OcrPageMessage {
  ocrPage: { path: string; done: number; total: number };
}

export interface PreparePoolOptions {
  /** OCR in every worker (each starts its own Tesseract worker at its first page image) */
  ocr?: OcrOptions;
  onOcrPage?: (path: string, done: number, total: number) => void;
}

type Task = { resolve: (result: never) => void; reject: (error: Error) => void };

/** Workers by default: one per core, at most four (the database needs a core too). */
export function defaultPoolSize(): number {
  return Math.max(1, Math.min(4, availableParallelism()));
}

export function createPreparePool(size = defaultPoolSize(), options: PreparePoolOptions = {}): PreparePool {
  let nextId = 1;
  const handler = new URL("./prepare-worker.ts", import.meta.url).href;
  const workers = Array.from({ length: Math.max(1, size) }, () => {
    const worker = new Worker(new URL("./prepare-worker.mjs", import.meta.url), {
      workerData: { handler, ocr: options.ocr },
    });
    const pending = new Map<number, Task>();
    const failAll = (error: Error) => {
      for (const task of pending.values()) task.reject(error);
      pending.clear();
    };
    worker.on("message", (reply: PrepareReply | OcrPageMessage) => {
      if ("ocrPage" in reply) {
        const { path, done, total } = reply.ocrPage;
        options.onOcrPage?.(path, done, total);
        return;
      }
      const task = pending.get(reply.id);
      if (!task) return;
      pending.delete(reply.id);
      if ("error" in reply) task.reject(new Error(reply.error));
      else task.resolve(reply.result as never);
    });
    worker.on("error", (error) => failAll(error));
    worker.on("exit", (code) => failAll(new Error(`an ingest worker stopped (exit code ${code})`)));
    return { worker, pending };
  });

  function run<T>(request: TaskRequest): Promise<T> {
    // The worker with the fewest tasks in hand.
    const target = workers.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      target.pending.set(id, { resolve: resolve as (result: never) => void, reject });
      target.worker.postMessage({ id, ...request });
    });
  }

  return {
    size: workers.length,
    read: (path, absolutePath, bytes, measure) =>
      run<ReadDocument>({ task: "read", path, absolutePath, bytes, measure }),
    prepare: (inputs, avgdl) => run<BatchRows>({ task: "prepare", inputs, avgdl }),
    prepareFiles: (files, avgdl) => run<PreparedFiles>({ task: "files", files, avgdl }),
    async close() {
      await Promise.all(workers.map(({ worker }) => worker.terminate()));
    },
  };
}
