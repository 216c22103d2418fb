import { z } from "zod";

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
    ANSWER_TOP_K: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(50).default(5)),
    ANSWER_MIN_SUPPORT: z.preprocess(emptyToUndefined, z.coerce.number().min(0).max(1).default(0.55)),
    PORT: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(65535).default(3000)),
    HOST: z.preprocess(emptyToUndefined, z.string().default("0.0.0.0")),
    LOG_QUESTIONS: z.preprocess(
      emptyToUndefined,
      z
        .enum(["true", "false", "1", "0"])
        .default("true")
        .transform((v) => v === "true" || v === "1"),
    ),
    MAX_BODY_BYTES: z.preprocess(
      emptyToUndefined,
      z.coerce.number().int().min(1024).max(10_485_760).default(16_384),
    ),
    LOG_LEVEL: z.preprocess(
      emptyToUndefined,
      z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
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
