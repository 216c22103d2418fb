import type { Answerer } from "../../answer/answerer.ts";
import type { Targets } from "../../facts/targets.ts";
import type { Logger } from "../../logger.ts";
import type { Quizzes } from "../../quiz/quiz-service.ts";
import type { AnswerStore } from "../../store/answer-store.ts";
import type { ConversationStore } from "../../store/conversation-store.ts";
import type { CorpusStore } from "../../store/corpus-store.ts";
import type { DeliveryStore } from "../../store/delivery-store.ts";
import type { QuizSessionStore } from "../../store/quiz-session-store.ts";
import type { RateLimitStore } from "../../store/rate-limit-store.ts";
import type { StudyPacks } from "../../study-pack/study-pack.ts";
import type { Transcriber } from "../../transcription/transcriber.ts";
import type { ZaloGroupReplies } from "./addressing.ts";
import type { ZaloBotInfo } from "./schemas.ts";
import type { ZaloClient } from "./zalo-client.ts";

/** Everything the bot uses besides the Bot API client, passed in by main.ts (through zalo-from-config.ts) or a test. */
export interface ZaloChannelDeps {
  token: string;
  answerer: Pick<Answerer, "answer">;
  store: Pick<CorpusStore, "listDocuments" | "getPassage">;
  /** conversation memory: follow-ups, and the last answer for /nguon */
  conversations: Pick<ConversationStore, "recent" | "clear">;
  /** the answers shown, by id (analytics, and the same table as Telegram's) */
  answers: Pick<AnswerStore, "record">;
  /** message ids already taken, shared by every replica */
  deliveries: Pick<DeliveryStore, "claim" | "prune">;
  /** rate-limit counters shared by every replica (PostgreSQL); absent, counted in this process */
  rateLimits?: Pick<RateLimitStore, "increment">;
  /** targets, quizzes and study packs (/chitieu, /quiz, /baihoc); absent, those commands are unknown */
  study?: ZaloStudyDeps;
  /** speech to text for voice questions (TRANSCRIPTION_BASE_URL); absent, voice messages get a hint */
  transcriber?: Transcriber;
  logger: Logger;
  options: ZaloOptions;
}

/** The core's targets, quizzes and study packs, and where a quiz waiting for a reply is kept. */
export interface ZaloStudyDeps {
  targets: Pick<Targets, "list">;
  quizzes: Pick<Quizzes, "generate">;
  studyPacks: Pick<StudyPacks, "build">;
  /** pending quizzes, in the database: they survive a restart and are shared by replicas */
  quizSessions: Pick<QuizSessionStore, "start" | "get" | "advance" | "end" | "prune">;
}

export interface ZaloOptions {
  /** Bot API server; default Zalo's */
  apiRoot?: string;
  /** log question text at info level (LOG_QUESTIONS) */
  logQuestions?: boolean;
  /** per-user limit on messages (default 6 per 10 s) */
  rateLimit?: { limit: number; timeFrameMs: number };
  /** in a group, answer what mentions or replies to the bot (default), or every message */
  groupReplies?: ZaloGroupReplies;
  /** the bot's own account when known (tests); otherwise read with getMe at start */
  botInfo?: ZaloBotInfo;
  /** how long one getUpdates waits for events, in seconds (default 30) */
  pollTimeoutSeconds?: number;
  /** first wait after a failed poll, doubled up to a minute (default 1 s) */
  pollRetryMs?: number;
  /** Bot API client tuning (tests make the waits short) */
  client?: { timeoutMs?: number; maxRetries?: number; backoffMs?: number; maxBackoffMs?: number };
  /** how often the "typing…" action is renewed while answering (default 4.5 s) */
  typingIntervalMs?: number;
  /** messages answered at once, sending not counted (default 8; zalo-from-config.ts sets it per engine) */
  concurrency?: number;
  /** events taken and not yet handled past which the webhook answers 503 (default 10,000) */
  maxPending?: number;
}

export type ZaloBotDeps = Omit<ZaloChannelDeps, "token" | "deliveries"> & {
  client: Pick<ZaloClient, "sendMessage" | "sendChatAction">;
  deliveries: Pick<DeliveryStore, "claim">;
};
