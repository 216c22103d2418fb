import { cpSync, readFileSync } from "node:fs";
import { ENTRY_DIR } from "./entry.ts";

/** Made once per run by build-entries.ts: a PGlite data folder right after initdb, nothing else. */
export const PGLITE_TEMPLATE = `${ENTRY_DIR}pglite-initdb`;

/**
 * `path` made a PGlite data folder that initdb has already prepared, by copying the template: the
 * process that opens it skips initdb (seconds of CPU each time) and still finds a store with no
 * table, which it migrates and fills as on a fresh clone. Returns `path`.
 */
export function preparedDataDir(path: string): string {
  cpSync(PGLITE_TEMPLATE, path, { recursive: true });
  return path;
}

/** Made once per run by build-entries.ts: the same initdb'd store, dumped (PGlite's dumpDataDir). */
export const PGLITE_SEED = `${ENTRY_DIR}pglite-initdb.tar`;

let seed: Blob | undefined;

/**
 * The options that open a `memory://` store from that dump instead of running initdb (seconds of
 * CPU for each of the suite's throw-away stores): `createApp(config, logger, seeded())`.
 */
export function seeded(): { pgliteSeed: Blob } {
  seed ??= new Blob([readFileSync(PGLITE_SEED)]);
  return { pgliteSeed: seed };
}
