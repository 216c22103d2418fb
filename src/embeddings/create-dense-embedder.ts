import type { Config } from "../config.ts";
import type { Logger } from "../logger.ts";
import { createOpenAIEmbedder } from "./openai-embedder.ts";
import type { DenseEmbedder } from "./types.ts";

/** The dense embedder the configuration asks for, or none: lexical search always works without one. */
export async function createDenseEmbedder(
  config: Config,
  logger: Logger,
): Promise<DenseEmbedder | undefined> {
  if (config.EMBEDDINGS !== "openai") return undefined;
  return createOpenAIEmbedder({
    apiKey: config.OPENAI_API_KEY,
    baseURL: config.OPENAI_BASE_URL,
    model: config.EMBEDDING_MODEL,
    dimensions: config.EMBEDDING_DIMENSIONS,
    batchSize: config.EMBEDDING_BATCH_SIZE,
    logger,
  });
}
