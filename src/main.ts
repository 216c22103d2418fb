import { formatSummary, runIngest } from "../ingest/run-ingest.ts";
import { loadConfigOrExit } from "./config.ts";
import { createDenseEmbedder } from "./embeddings/create-dense-embedder.ts";
import { createLogger } from "./logger.ts";
import { describeStore, openStore } from "./store/open-store.ts";

/**
 * The main job: bring the store in line with the corpus. The one place where dependencies are
 * wired together.
 */
async function main() {
  const config = loadConfigOrExit();
  const logger = createLogger(config.LOG_LEVEL);
  const store = await openStore(config);
  try {
    const embedder = await createDenseEmbedder(config, logger);
    const summary = await runIngest({ store, corpusDir: config.CORPUS_DIR, embedder, logger });
    const stats = await store.stats();
    process.stdout.write(`${formatSummary(summary, false)}\n`);
    process.stdout.write(
      `Store: ${describeStore(config)}, ${stats.documents} documents, ${stats.chunks} passages\n`,
    );
    if (summary.documents.failed.length > 0) process.exitCode = 1;
  } finally {
    await store.db.close();
  }
}

await main();
