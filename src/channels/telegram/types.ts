import type { UserFromGetMe } from "grammy/types";
import type { IngestSummary } from "../../../ingest/run-ingest.ts";
import type { Answerer } from "../../answer/answerer.ts";
import type { Targets } from "../../facts/targets.ts";
import type { Logger } from "../../logger.ts";
import type { Quizzes } from "../../quiz/quiz-service.ts";
import type { AnswerStore } from "../../store/answer-store.ts";
import type { ConversationStore } from "../../store/conversation-store.ts";
import type { CorpusStore } from "../../store/corpus-store.ts";
import type { RateLimitStore } from "../../store/rate-limit-store.ts";
import type { StatsStore } from "../../store/stats-store.ts";
import type { StudyPacks } from "../../study-pack/study-pack.ts";
import type { Transcriber } from "../../transcription/transcriber.ts";

/** The core's targets, quizzes and study packs, as the bot uses them. */
export interface StudyServices {
  targets: Pick<Targets, "list">;
  quizzes: Pick<Quizzes, "generate">;
  studyPacks: Pick<StudyPacks, "build">;
}

/** Everything the bot uses, passed in by the entry point (main.ts) or a test. */
export interface TelegramBotDeps {
  token: string;
  answerer: Pick<Answerer, "answer">;
  store: Pick<CorpusStore, "listDocuments" | "getPassage">;
  conversations: Pick<ConversationStore, "recent" | "clear">;
  answers: AnswerStore;
  /** brings the store in line with the corpus folder (after an upload, and for /reindex) */
  reindex: () => Promise<IngestSummary>;
  /** targets, quizzes and study packs (/chitieu, /quiz, /baihoc); absent, those commands are off */
  study?: StudyServices;
  /** speech to text for voice questions (TRANSCRIPTION_BASE_URL); absent, voice messages get a hint */
  transcriber?: Transcriber;
  /** rate-limit counters shared by every replica (PostgreSQL); absent, counted in this process */
  rateLimits?: Pick<RateLimitStore, "increment">;
  /** what members asked, for admins (/thongke); absent, the command is off */
  stats?: Pick<StatsStore, "query">;
  logger: Logger;
  options: TelegramBotOptions;
}

export interface TelegramBotOptions {
  /** where admin uploads are saved (under `uploads/`) */
  corpusDir: string;
  /** Telegram user ids allowed to upload documents and run /reindex */
  adminIds: readonly number[];
  /** Bot API server; default Telegram's */
  apiRoot?: string;
  /**
   * A chat model writes the answers (slower): a placeholder is shown at once and edited into the
   * answer when it is ready.
   */
  streaming?: boolean;
  /** log question text at info level (LOG_QUESTIONS) */
  logQuestions?: boolean;
  /** per-user limit on messages and button taps (default 6 per 10 s) */
  rateLimit?: { limit: number; timeFrameMs: number };
  /** per-user limit on inline queries, which arrive as the user types (default 20 per 10 s) */
  inlineRateLimit?: { limit: number; timeFrameMs: number };
  /** default 20 MB, the most the Bot API lets a bot download */
  maxUploadBytes?: number;
  /** the bot's own user, when known (tests); otherwise fetched with getMe at start */
  botInfo?: UserFromGetMe;
}
