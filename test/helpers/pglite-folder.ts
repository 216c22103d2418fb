import { cpSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const version = (pkg: string): string =>
  JSON.parse(readFileSync(new URL(`../../node_modules/${pkg}/package.json`, import.meta.url), "utf8"))
    .version;

/**
 * Where build-entries.ts keeps what initdb made, per version of PGlite and pgvector: what initdb
 * writes depends on nothing else, so a run reuses an earlier run's (seconds of CPU, more on a busy
 * machine, before any test can start). Another version gets a folder of its own.
 */
export const PGLITE_CACHE = fileURLToPath(
  new URL(
    `../../node_modules/.cache/sotay-test-pglite/${version("@electric-sql/pglite")}+${version("@electric-sql/pglite-pgvector")}/`,
    import.meta.url,
  ),
);

/** Made by build-entries.ts: a PGlite data folder right after initdb, nothing else. */
export const PGLITE_TEMPLATE = `${PGLITE_CACHE}initdb`;

/**
 * `path` made a PGlite data folder that initdb has already prepared, by copying the template: the
 * process that opens it skips initdb (seconds of CPU each time) and still finds a store with no
 * table, which it migrates and fills as on a fresh clone. Returns `path`.
 */
export function preparedDataDir(path: string): string {
  cpSync(PGLITE_TEMPLATE, path, { recursive: true });
  return path;
}

/** Made by build-entries.ts: the same initdb'd store, dumped (PGlite's dumpDataDir). */
export const PGLITE_SEED = `${PGLITE_CACHE}initdb.tar`;

let seed: Blob | undefined;

/**
 * The options that open a `memory://` store from that dump instead of running initdb (seconds of
 * CPU for each of the suite's throw-away stores): `createApp(config, logger, seeded())`.
 */
export function seeded(): { pgliteSeed: Blob } {
  seed ??= new Blob([readFileSync(PGLITE_SEED)]);
  return { pgliteSeed: seed };
}
