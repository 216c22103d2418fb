/**
 * Vitest global setup: bundles each entry that tests start as a child process, once per run, so a
 * child starts on plain `node` instead of transpiling ~100 modules through tsx again (2-3 s of CPU
 * each, ~40 children). Packages stay external (resolved from node_modules as usual) and every
 * `import.meta.url` keeps the URL of the source file it is written in, so migrations, prompts,
 * abbreviations, the web client and the ingest worker are found exactly where the sources find them.
 * `SOTAY_TEST_TSX=1 npm test` runs the children from the sources through tsx instead.
 * It also makes the PGlite folder that test/helpers/pglite-folder.ts copies, and its dump, unless an
 * earlier run made them for the same PGlite version; meanwhile esbuild bundles in its own process.
 */
import { existsSync } from "node:fs";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { pathToFileURL } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import { vector } from "@electric-sql/pglite-pgvector";
import { build } from "esbuild";
import { openPglite } from "../../src/store/database.ts";
import { ENTRIES, ENTRY_DIR, entryFile } from "./entry.ts";
import { PGLITE_CACHE, PGLITE_SEED, PGLITE_TEMPLATE } from "./pglite-folder.ts";

/** The initdb'd folder and its dump, made in a folder of this process's and renamed whole: never half made. */
async function prepareInitdb(): Promise<void> {
  if (existsSync(PGLITE_TEMPLATE) && existsSync(PGLITE_SEED)) return;
  const work = `${PGLITE_CACHE.replace(/\/$/, "")}.${process.pid}/`;
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  // The initdb'd PGlite folder that preparedDataDir() copies (pglite-folder.ts).
  await (await openPglite(`${work}initdb`)).close();
  // …and its dump, which seeded() gives memory:// stores.
  const initdb = await PGlite.create("memory://", { extensions: { vector } });
  await writeFile(`${work}initdb.tar`, Buffer.from(await (await initdb.dumpDataDir("none")).arrayBuffer()));
  await initdb.close();
  await rm(PGLITE_CACHE, { recursive: true, force: true });
  await rename(work, PGLITE_CACHE);
}

export default async function buildEntries(): Promise<void> {
  await rm(ENTRY_DIR, { recursive: true, force: true });
  await Promise.all([prepareInitdb(), process.env.SOTAY_TEST_TSX ? undefined : bundleEntries()]);
}

async function bundleEntries(): Promise<void> {
  await Promise.all(
    ENTRIES.map((entry) =>
      build({
        entryPoints: [entry],
        outfile: entryFile(entry),
        bundle: true,
        platform: "node",
        format: "esm",
        target: "node20",
        packages: "external",
        logLevel: "warning",
        plugins: [
          {
            name: "source-import-meta-url",
            setup(b) {
              b.onLoad({ filter: /\.ts$/ }, async ({ path }) => ({
                contents: (await readFile(path, "utf8")).replaceAll(
                  "import.meta.url",
                  JSON.stringify(pathToFileURL(path).href),
                ),
                loader: "ts",
              }));
            },
          },
        ],
      }),
    ),
  );
}
