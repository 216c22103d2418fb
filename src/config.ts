import { z } from "zod";

/** See LEXICAL_INDEX_MAX_MB below. */
export const DEFAULT_LEXICAL_INDEX_MB = 512;

/**
 * The one schema of every environment variable the program reads. Nothing else in the code
 * reads `process.env`: entry points call `loadConfig()` once and pass the result down.
 */
const emptyToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
const optionalString = z.preprocess(emptyToUndefined, z.string().optional());

export const configSchema = z
  .object({
    DATABASE_URL: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .regex(/^postgres(ql)?:\/\//, "must start with postgres:// or postgresql://")
        .optional(),
    ),
    DATA_DIR: z.preprocess(emptyToUndefined, z.string().default(".data")),
    CORPUS_DIR: z.preprocess(emptyToUndefined, z.string().default("corpus")),
    EMBEDDINGS: z.preprocess(emptyToUndefined, z.enum(["local", "openai"]).default("local")),
    OPENAI_API_KEY: optionalString,
    OPENAI_BASE_URL: z.preprocess(emptyToUndefined, z.url().optional()),
    EMBEDDING_MODEL: z.preprocess(emptyToUndefined, z.string().default("text-embedding-3-small")),
    EMBEDDING_DIMENSIONS: z.preprocess(
      emptyToUndefined,
      z.coerce.number().int().min(1).max(16000).optional(),
    ),
    EMBEDDING_BATCH_SIZE: z.preprocess(
      emptyToUndefined,
      z.coerce.number().int().min(1).max(2048).default(64),
    ),
    CHAT_MODEL: optionalString,
    CHAT_TIMEOUT_MS: z.preprocess(
      emptyToUndefined,
      z.coerce.number().int().min(100).max(600_000).default(20_000),
    ),
    // Memory budget of the in-process lexical index (src/retrieval/lexical-index.ts), about 8 bytes
    // per passage term: ~5 MB at 3k passages, ~230 MB at 100k. Over it, or at 0, every search
    // runs in the database (GIN candidates, migration 006: slower, and ~99 % of exact at 100k).
    LEXICAL_INDEX_MAX_MB: z.preprocess(
      emptyToUndefined,
      z.coerce.number().int().min(0).max(1_000_000).default(DEFAULT_LEXICAL_INDEX_MB),
    ),
    ANSWER_TOP_K: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(50).default(5)),
    // Refusal threshold on the answerability model's probability (0..1); unset: the operating point
    // committed with the model (src/answer/models/answerability.json).
    ANSWER_MIN_CONFIDENCE: z.preprocess(emptyToUndefined, z.coerce.number().min(0).max(1).optional()),
    PORT: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(65535).default(3000)),
    // The trainers' view (GET /api/stats, "Thống kê" on the web page): off until a token is set.
    ADMIN_TOKEN: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .regex(
          /^[\x21-\x7e]{16,256}$/,
          "must be 16-256 visible ASCII characters without spaces (e.g. the output of `openssl rand -hex 32`)",
        )
        .optional(),
    ),
    // Questions, answers, feedback and conversations older than this are deleted (their daily
    // counts stay for the statistics); 0 keeps everything.
    RETENTION_DAYS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(36_500).default(180)),
    HOST: z.preprocess(emptyToUndefined, z.string().default("0.0.0.0")),
    LOG_QUESTIONS: z.preprocess(
      emptyToUndefined,
      z
        .enum(["true", "false", "1", "0"])
        .default("true")
        .transform((v) => v === "true" || v === "1"),
    ),
    // 64 KB: a 10,000-character Vietnamese question (up to 3 bytes a character) still fits.
    MAX_BODY_BYTES: z.preprocess(
      emptyToUndefined,
      z.coerce.number().int().min(1024).max(10_485_760).default(65_536),
    ),
    // Questions per client (IP address) per minute on POST /api/ask; 0 turns the limit off.
    API_RATE_LIMIT: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(100_000).default(30)),
    // Behind a reverse proxy every request comes from the proxy: key the limit on X-Forwarded-For.
    TRUST_PROXY: z.preprocess(
      emptyToUndefined,
      z
        .enum(["true", "false", "1", "0"])
        .default("false")
        .transform((v) => v === "true" || v === "1"),
    ),
    // Chat-model calls in flight at once in this process; past it, questions get the extractive answer.
    CHAT_MAX_CONCURRENCY: z.preprocess(
      emptyToUndefined,
      z.coerce.number().int().min(1).max(10_000).default(8),
    ),
    // How long start-up keeps retrying an unreachable PostgreSQL before giving up (exit 1).
    DATABASE_START_TIMEOUT_MS: z.preprocess(
      emptyToUndefined,
      z.coerce.number().int().min(0).max(3_600_000).default(30_000),
    ),
    // Retrievals and extractive answers kept in memory (same question, same corpus); 0 turns both caches off.
    RETRIEVAL_CACHE_SIZE: z.preprocess(
      emptyToUndefined,
      z.coerce.number().int().min(0).max(1_000_000).default(1_000),
    ),
    // Milliseconds of answering per pass of the event loop (src/reliability/cpu-turns.ts): database
    // replies are read between passes, and conversations waiting on them go first; 0 answers each
    // question as soon as it arrives.
    ANSWER_PASS_MS: z.preprocess(emptyToUndefined, z.coerce.number().min(0).max(1_000).default(10)),
    // Passages (and their figures) kept in memory between questions, by corpus version; 0 reads
    // them from the store for every question.
    PASSAGE_CACHE_SIZE: z.preprocess(
      emptyToUndefined,
      z.coerce.number().int().min(0).max(10_000_000).default(10_000),
    ),
    // OCR of scanned PDF pages and .png/.jpg files (ingest/ocr/), offline with the Vietnamese model
    // shipped by @tesseract.js-data/vie; off, such files are reported as unreadable.
    OCR: z.preprocess(
      emptyToUndefined,
      z
        .enum(["true", "false", "1", "0"])
        .default("true")
        .transform((v) => v === "true" || v === "1"),
    ),
    // Resolution a PDF page without text is rendered at for OCR: 300 is what scanners produce and
    // what the accuracy figure in docs/evaluation.md was measured at.
    OCR_DPI: z.preprocess(emptyToUndefined, z.coerce.number().int().min(72).max(600).default(300)),
    // Voice questions (Telegram, Zalo): an OpenAI-compatible POST /v1/audio/transcriptions.
    TRANSCRIPTION_BASE_URL: z.preprocess(emptyToUndefined, z.url({ protocol: /^https?$/ }).optional()),
    TRANSCRIPTION_MODEL: z.preprocess(emptyToUndefined, z.string().default("whisper-1")),
    TRANSCRIPTION_API_KEY: optionalString,
    TRANSCRIPTION_MAX_SECONDS: z.preprocess(
      emptyToUndefined,
      z.coerce.number().int().min(1).max(3_600).default(60),
    ),
    TRANSCRIPTION_MAX_BYTES: z.preprocess(
      emptyToUndefined,
      z.coerce.number().int().min(1_024).max(26_214_400).default(2_097_152),
    ),
    TRANSCRIPTION_TIMEOUT_MS: z.preprocess(
      emptyToUndefined,
      z.coerce.number().int().min(100).max(600_000).default(30_000),
    ),
    LOG_LEVEL: z.preprocess(
      emptyToUndefined,
      z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    ),
    // Telegram: the token turns the channel on; a webhook URL switches from long polling to webhook.
    TELEGRAM_BOT_TOKEN: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .regex(/^\d+:[\w-]{20,}$/, "must be the token @BotFather gave, like 123456789:AAF…")
        .optional(),
    ),
    TELEGRAM_WEBHOOK_URL: z.preprocess(emptyToUndefined, z.url({ protocol: /^https?$/ }).optional()),
    TELEGRAM_WEBHOOK_SECRET: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .regex(
          /^[A-Za-z0-9_-]{16,256}$/,
          "must be 16-256 characters of A-Z, a-z, 0-9, _ or - (e.g. the output of `openssl rand -hex 32`)",
        )
        .optional(),
    ),
    TELEGRAM_API_ROOT: z.preprocess(
      emptyToUndefined,
      z
        .url({ protocol: /^https?$/ })
        .default("https://api.telegram.org")
        // grammY refuses a trailing slash
        .transform((v) => v.replace(/\/+$/, "")),
    ),
    TELEGRAM_ADMIN_IDS: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .regex(
          /^\s*\d+\s*(,\s*\d+\s*)*,?\s*$/,
          "must be Telegram user ids separated by commas, like 12345,67890",
        )
        .optional()
        .transform((v) => (v ? v.split(",").flatMap((id) => (id.trim() ? [Number(id.trim())] : [])) : [])),
    ),
    // Zalo: the token turns the channel on; a webhook URL switches from long polling to webhook.
    ZALO_BOT_TOKEN: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .trim()
        // It goes into every API URL (…/bot<token>/method): nothing that would change the URL.
        .regex(/^[A-Za-z0-9:_.-]{10,512}$/, "must be the token Zalo Bot Manager gave, like 1234567890:AbCd…")
        .optional(),
    ),
    ZALO_API_ROOT: z.preprocess(
      emptyToUndefined,
      z
        .url({ protocol: /^https?$/ })
        .default("https://bot-api.zaloplatforms.com")
        .transform((v) => v.replace(/\/+$/, "")),
    ),
    ZALO_WEBHOOK_URL: z.preprocess(emptyToUndefined, z.url({ protocol: /^https?$/ }).optional()),
    // In a Zalo group: answer what mentions or replies to the bot, or every message.
    ZALO_GROUP_REPLIES: z.preprocess(emptyToUndefined, z.enum(["mention", "all"]).default("mention")),
    ZALO_WEBHOOK_SECRET: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .regex(
          /^[\x21-\x7e]{8,256}$/,
          "must be 8-256 visible ASCII characters without spaces (e.g. the output of `openssl rand -hex 32`)",
        )
        .optional(),
    ),
  })
  .superRefine((c, ctx) => {
    if (c.EMBEDDINGS === "openai" && !c.OPENAI_API_KEY && !c.OPENAI_BASE_URL) {
      ctx.addIssue({
        code: "custom",
        path: ["OPENAI_API_KEY"],
        message: "is required when EMBEDDINGS=openai (or set OPENAI_BASE_URL to a local server)",
      });
    }
    if (c.CHAT_MODEL && !c.OPENAI_API_KEY && !c.OPENAI_BASE_URL) {
      ctx.addIssue({
        code: "custom",
        path: ["OPENAI_API_KEY"],
        message: "is required when CHAT_MODEL is set (or set OPENAI_BASE_URL to a local server)",
      });
    }
    if (c.TELEGRAM_WEBHOOK_URL) {
      if (!c.TELEGRAM_BOT_TOKEN) {
        ctx.addIssue({
          code: "custom",
          path: ["TELEGRAM_BOT_TOKEN"],
          message: "is required when TELEGRAM_WEBHOOK_URL is set",
        });
      }
      if (!c.TELEGRAM_WEBHOOK_SECRET) {
        ctx.addIssue({
          code: "custom",
          path: ["TELEGRAM_WEBHOOK_SECRET"],
          message: "is required when TELEGRAM_WEBHOOK_URL is set: without it anyone could post fake updates",
        });
      }
      // The webhook is a route on the service's own server: it must not shadow the page or the API.
      const path = new URL(c.TELEGRAM_WEBHOOK_URL).pathname.replace(/\/+$/, "");
      if (path === "" || /^\/(api|assets|healthz|readyz)(\/|$)/.test(path)) {
        ctx.addIssue({
          code: "custom",
          path: ["TELEGRAM_WEBHOOK_URL"],
          message:
            "needs a path of its own, e.g. https://bot.example.org/telegram/webhook (not /, /api, /assets, /healthz or /readyz)",
        });
      }
    }
    if (c.ZALO_WEBHOOK_URL) {
      if (!c.ZALO_BOT_TOKEN) {
        ctx.addIssue({
          code: "custom",
          path: ["ZALO_BOT_TOKEN"],
          message: "is required when ZALO_WEBHOOK_URL is set",
        });
      }
      if (!c.ZALO_WEBHOOK_SECRET) {
        ctx.addIssue({
          code: "custom",
          path: ["ZALO_WEBHOOK_SECRET"],
          message: "is required when ZALO_WEBHOOK_URL is set: without it anyone could post fake messages",
        });
      }
      const path = new URL(c.ZALO_WEBHOOK_URL).pathname.replace(/\/+$/, "");
      const telegramPath = c.TELEGRAM_WEBHOOK_URL
        ? new URL(c.TELEGRAM_WEBHOOK_URL).pathname.replace(/\/+$/, "")
        : undefined;
      if (path === "" || /^\/(api|assets|healthz|readyz)(\/|$)/.test(path) || path === telegramPath) {
        ctx.addIssue({
          code: "custom",
          path: ["ZALO_WEBHOOK_URL"],
          message:
            "needs a path of its own, e.g. https://bot.example.org/zalo/webhook (not /, /api, /assets, /healthz, /readyz or the Telegram webhook's)",
        });
      }
    }
  });

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  constructor(
    message: string,
    readonly variable: string,
  ) {
    super(message);
    this.name = "ConfigError";
  }
}

/** Parses the environment; throws a ConfigError naming the first bad variable (never its value). */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const variable = String(issue?.path[0] ?? "environment");
  throw new ConfigError(`Invalid configuration: ${variable} ${issue?.message ?? "is invalid"}`, variable);
}

/**
 * For entry points: parse the config or stop with exit code 2 and one line naming the variable.
 * No stack trace: the user needs to fix a variable, not read our code.
 */
export function loadConfigOrExit(env: Record<string, string | undefined> = process.env): Config {
  try {
    return loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}

/**
 * The secret values of a configuration (tokens, keys, webhook secrets, the database password),
 * for the logger to scrub from every line.
 */
export function configSecrets(config: Config): string[] {
  const secrets = [
    config.ADMIN_TOKEN,
    config.OPENAI_API_KEY,
    config.TRANSCRIPTION_API_KEY,
    config.TELEGRAM_BOT_TOKEN,
    config.TELEGRAM_WEBHOOK_SECRET,
    config.ZALO_BOT_TOKEN,
    config.ZALO_WEBHOOK_SECRET,
  ];
  if (config.DATABASE_URL) {
    try {
      const password = new URL(config.DATABASE_URL).password;
      if (password) secrets.push(password, decodeURIComponent(password));
    } catch {
      // an unparsable URL is refused by the driver; nothing to scrub
    }
  }
  return secrets.filter((s): s is string => Boolean(s));
}
