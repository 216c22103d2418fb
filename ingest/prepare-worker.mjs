// Entry of a prepare-pool worker thread (see prepare-pool.ts). Worker threads do not inherit tsx's
// loader from the main thread, so this plain module registers it, then loads the TypeScript handler.
import { workerData } from "node:worker_threads";
import { register } from "tsx/esm/api";

register();
await import(workerData.handler);
