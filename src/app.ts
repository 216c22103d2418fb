import { runIngest } from "../ingest/run-ingest.ts";
import { createAnswerer } from "./answer/answerer.ts";
import { createChatModel } from "./answer/chat-model.ts";
import { createGenerativeAnswerer } from "./answer/generative.ts";
import { loadPrompts } from "./answer/prompts.ts";
import type { Config } from "./config.ts";
import { createDenseEmbedder } from "./embeddings/create-dense-embedder.ts";
import type { Logger } from "./logger.ts";
import { loadAbbreviations } from "./retrieval/expand-query.ts";
import { createRetriever } from "./retrieval/retriever.ts";
import { createConversationStore } from "./store/conversation-store.ts";
import { openStore } from "./store/open-store.ts";

/**
 * Wires the core from the configuration: store, retriever, answerer. Every entry point (CLI, web
 * service, bots, evaluation) builds exactly this, once per process.
 */
export async function createApp(config: Config, logger: Logger) {
  const store = await openStore(config);
  try {
    const embedder = await createDenseEmbedder(config, logger);
    // A fresh clone has an empty store: ingest the corpus folder before the first question.
    if ((await store.stats()).chunks === 0) {
      logger.info({ corpus: config.CORPUS_DIR }, "the store is empty: ingesting the corpus first");
      const summary = await runIngest({ store, corpusDir: config.CORPUS_DIR, embedder, logger });
      logger.info({ summary }, "corpus ingested");
    }
    const abbreviations = loadAbbreviations();
    const retriever = createRetriever({ db: store.db, embedder, abbreviations });
    const conversations = createConversationStore(store.db);
    // With a chat model configured, answers are written by it and checked against the passages;
    // anything it gets wrong falls back to the extractive answer.
    const generative = config.CHAT_MODEL
      ? createGenerativeAnswerer({
          chatModel: createChatModel({
            apiKey: config.OPENAI_API_KEY,
            baseURL: config.OPENAI_BASE_URL,
            model: config.CHAT_MODEL,
            timeoutMs: config.CHAT_TIMEOUT_MS,
            maxRetries: 1,
          }),
          prompts: loadPrompts(),
          logger,
          timeoutMs: config.CHAT_TIMEOUT_MS,
        })
      : undefined;
    const answerer = createAnswerer({
      retriever,
      conversations,
      generative,
      abbreviations,
      logger,
      options: { topK: config.ANSWER_TOP_K, minSupport: config.ANSWER_MIN_SUPPORT },
    });
    return {
      config,
      logger,
      store,
      embedder,
      retriever,
      conversations,
      answerer,
      close: () => store.db.close(),
    };
  } catch (error) {
    await store.db.close().catch(() => {});
    throw error;
  }
}

export type App = Awaited<ReturnType<typeof createApp>>;
