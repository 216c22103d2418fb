import { ocrOptionsFrom } from "../ingest/ocr/ocr-engine.ts";
import { runIngest } from "../ingest/run-ingest.ts";
import { createAnswerer } from "./answer/answerer.ts";
import { createChatModel } from "./answer/chat-model.ts";
import { createGenerativeAnswerer } from "./answer/generative.ts";
import { loadPrompts } from "./answer/prompts.ts";
import { withVersionNotes } from "./answer/version-notes.ts";
import type { Config } from "./config.ts";
import { createDenseEmbedder } from "./embeddings/create-dense-embedder.ts";
import { createTargets } from "./facts/targets.ts";
import type { Logger } from "./logger.ts";
import { createChatQuiz, loadQuizPrompt } from "./quiz/chat-quiz.ts";
import { createQuizzes } from "./quiz/quiz-service.ts";
import { cacheAnswers } from "./reliability/cache-answers.ts";
import { cacheRetrievals } from "./reliability/cache-retrievals.ts";
import { createCpuTurns } from "./reliability/cpu-turns.ts";
import { limitChatCalls } from "./reliability/limit-chat-calls.ts";
import { corpusRevision, withDatabaseDay } from "./reliability/versioned-cache.ts";
import { loadAbbreviations } from "./retrieval/expand-query.ts";
import { createLexicalIndexSource } from "./retrieval/lexical-index.ts";
import { createRetriever } from "./retrieval/retriever.ts";
import { createAnswerStore } from "./store/answer-store.ts";
import { createConversationStore } from "./store/conversation-store.ts";
import type { DatabaseOptions } from "./store/database.ts";
import { createFactStore } from "./store/fact-store.ts";
import { openStoreWithRetry } from "./store/open-store.ts";
import { createRateLimitStore } from "./store/rate-limit-store.ts";
import { createStatsStore } from "./store/stats-store.ts";
import { createStudyPacks } from "./study-pack/study-pack.ts";

/**
 * Wires the core from the configuration: store, retriever, answerer. Every entry point (CLI, web
 * service, bots, evaluation) builds exactly this, once per process.
 */
export async function createApp(
  config: Config,
  logger: Logger,
  options: Pick<DatabaseOptions, "pgliteSeed"> = {},
) {
  // PostgreSQL may still be starting (a restart, docker compose up): retry for a bounded time.
  const store = await openStoreWithRetry(
    config,
    { logger, timeoutMs: config.DATABASE_START_TIMEOUT_MS },
    options,
  );
  try {
    const embedder = await createDenseEmbedder(config, logger);
    // A fresh clone has an empty store: ingest the corpus folder before the first question.
    if ((await store.stats()).chunks === 0) {
      logger.info({ corpus: config.CORPUS_DIR }, "the store is empty: ingesting the corpus first");
      const summary = await runIngest({
        store,
        corpusDir: config.CORPUS_DIR,
        embedder,
        logger,
        ocr: ocrOptionsFrom(config),
      });
      logger.info({ summary }, "corpus ingested");
    }
    const abbreviations = loadAbbreviations();
    // What a retrieval or an answer was computed against: any ingest (here or elsewhere) changes
    // it. Read once per second at most, shared by both caches and the lexical index; this
    // process's own ingests (uploads, /reindex) are seen by the next question at once.
    const corpusVersion = corpusRevision(store);
    // …and for what the caches keep, the database's date too: a plan that takes effect at midnight
    // replaces the one answers were kept from.
    const cacheVersion = withDatabaseDay(corpusVersion, store.db);
    // BM25 in this process while it matches the store (built in the background on the first
    // question, and again after each change); the database answers meanwhile, or always past
    // LEXICAL_INDEX_MAX_MB.
    const lexicalIndex =
      config.LEXICAL_INDEX_MAX_MB > 0
        ? createLexicalIndexSource({
            db: store.db,
            revision: corpusVersion,
            maxBytes: config.LEXICAL_INDEX_MAX_MB * 2 ** 20,
            logger,
          })
        : undefined;
    const retriever = cacheRetrievals(
      createRetriever({
        db: store.db,
        embedder,
        abbreviations,
        lexicalIndex,
        passageCache: { size: config.PASSAGE_CACHE_SIZE, corpusVersion: cacheVersion },
      }),
      {
        size: config.RETRIEVAL_CACHE_SIZE,
        corpusVersion: cacheVersion,
      },
    );
    // PGlite is opened by this process alone: its conversations can be kept in memory, written through.
    const conversations = createConversationStore(store.db, {
      cacheSize: store.db.engine === "pglite" ? 1_000 : 0,
    });
    // The facts index (targets, quizzes, number questions); re-extracted if an older extractor wrote it.
    const facts = createFactStore(store.db, {
      cache: { size: config.PASSAGE_CACHE_SIZE, corpusVersion: cacheVersion },
    });
    await facts.refreshIfStale();
    // With a chat model configured, answers are written by it and checked against the passages;
    // anything it gets wrong falls back to the extractive answer.
    const generative = config.CHAT_MODEL
      ? limitChatCalls(
          createGenerativeAnswerer({
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
          }),
          config.CHAT_MAX_CONCURRENCY,
        )
      : undefined;
    // An answer quoting a superseded document (or one not yet in effect) says so (migration 016).
    const core = withVersionNotes(
      createAnswerer({
        retriever,
        conversations,
        generative,
        abbreviations,
        facts,
        logger,
        ...(config.ANSWER_PASS_MS > 0 ? { turns: createCpuTurns({ passMs: config.ANSWER_PASS_MS }) } : {}),
        options: {
          topK: config.ANSWER_TOP_K,
          ...(config.ANSWER_MIN_CONFIDENCE !== undefined
            ? { minConfidence: config.ANSWER_MIN_CONFIDENCE }
            : {}),
        },
      }),
    );
    // A chat model's answers vary from call to call: only extractive answers are kept.
    const answerer = generative
      ? core
      : cacheAnswers(core, { size: config.RETRIEVAL_CACHE_SIZE, corpusVersion: cacheVersion });
    // Targets at a glance, quizzes and study packs: in the core, formatted by every channel.
    const targets = createTargets({ facts });
    const quizzes = createQuizzes({
      db: store.db,
      facts,
      retriever,
      // With a chat model, prompts/quiz.md writes richer questions, each checked against its quote.
      chat: config.CHAT_MODEL
        ? createChatQuiz({
            chatModel: createChatModel({
              apiKey: config.OPENAI_API_KEY,
              baseURL: config.OPENAI_BASE_URL,
              model: config.CHAT_MODEL,
              timeoutMs: config.CHAT_TIMEOUT_MS,
              maxRetries: 1,
            }),
            prompt: loadQuizPrompt(),
            logger,
            timeoutMs: config.CHAT_TIMEOUT_MS,
          })
        : undefined,
      logger,
    });
    const answers = createAnswerStore(store.db);
    const stats = createStatsStore(store.db);
    // Replicas share one PostgreSQL: their rate limits count there. PGlite is one process.
    const rateLimits = store.db.engine === "postgres" ? createRateLimitStore(store.db) : undefined;
    const studyPacks = createStudyPacks({ db: store.db, retriever, facts, targets, quizzes, stats });
    return {
      config,
      logger,
      store,
      embedder,
      retriever,
      conversations,
      answerer,
      facts,
      targets,
      quizzes,
      studyPacks,
      answers,
      stats,
      rateLimits,
      close: async () => {
        await lexicalIndex?.close();
        await conversations.flush();
        await store.db.close();
      },
    };
  } catch (error) {
    await store.db.close().catch(() => {});
    throw error;
  }
}

export type App = Awaited<ReturnType<typeof createApp>>;
