import { cpSync } from "node:fs";
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
