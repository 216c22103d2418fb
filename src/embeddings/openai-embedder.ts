import { OpenAIEmbeddings } from "@langchain/openai";
import type { Logger } from "pino";
import { type DenseEmbedder, EmbeddingError } from "./types.ts";

export interface OpenAIEmbedderOptions {
  /** Absent for local servers (Ollama, vLLM) that need none. */
  apiKey?: string;
  /** Any OpenAI-compatible base URL ending in /v1; default OpenAI's. */
  baseURL?: string;
  model: string;
  /**
   * Asked of the server (the `dimensions` request field) and checked on every vector. Leave unset
   * for models that do not accept the field (ada-002, most Ollama models): the size is then
   * learned from a probe request when the embedder is created.
   */
  dimensions?: number;
  /** Texts per request (default 64). */
  batchSize?: number;
  /** Retries of one request after a 5xx, a 429 with a retry hint, a timeout or a network error (default 3). */
  maxRetries?: number;
  /** Per attempt, not in total: a timed-out attempt is retried like any other failure (default 60 000). */
  timeoutMs?: number;
  logger?: Logger;
}

const OPENAI_BASE_URL = "https://api.openai.com/v1";
/** The openai SDK refuses to start without a key; local servers ignore the header. */
const PLACEHOLDER_API_KEY = "not-needed";
const PROBE_TEXT = "probe";
/** Server messages can be long HTML pages from proxies; the user needs the gist. */
const MAX_SERVER_MESSAGE = 300;

function positiveInteger(name: string, value: number | undefined, fallback: number, min = 1): number {
  const n = value ?? fallback;
  if (!Number.isInteger(n) || n < min) {
    throw new EmbeddingError(`Invalid embedder option ${name}: ${n} (expected an integer >= ${min})`);
  }
  return n;
}

/** The base URL as shown in messages: without user:password, which some proxies put there. */
function displayURL(baseURL: string): string {
  try {
    const url = new URL(baseURL);
    url.username = "";
    url.password = "";
    return url.toString().replace(/\/$/, "");
  } catch {
    throw new EmbeddingError(`Invalid embedding base URL: ${JSON.stringify(baseURL)}`);
  }
}

function makeScrubber(apiKey: string | undefined): (text: string) => string {
  return (text) => {
    let out = apiKey && apiKey.length > 0 ? text.split(apiKey).join("[redacted]") : text;
    // Servers and proxies sometimes echo a key (or part of one) back; never pass that on.
    out = out.replace(/\bBearer\s+\S+/gi, "Bearer [redacted]").replace(/\bsk-[\w-]{6,}/g, "sk-[redacted]");
    return out;
  };
}

function field(value: unknown, key: string): unknown {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

/** The network error code (ECONNREFUSED, ENOTFOUND…) buried in the SDK's error.cause chain. */
function networkCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current !== undefined; depth++) {
    const code = field(current, "code");
    if (typeof code === "string" && /^E[A-Z]+$/.test(code)) return code;
    current = field(current, "cause");
  }
  return undefined;
}

interface FailureContext {
  url: string;
  model: string;
  timeoutMs: number;
  maxRetries: number;
  scrub: (text: string) => string;
}

function toEmbeddingError(error: unknown, ctx: FailureContext): EmbeddingError {
  if (error instanceof EmbeddingError) return error;
  const prefix = `Embedding with model "${ctx.model}" at ${ctx.url} failed`;
  const status = field(error, "status");
  const rawMessage = field(error, "message");
  const serverMessage = ctx
    .scrub(typeof rawMessage === "string" ? rawMessage : String(error))
    .slice(0, MAX_SERVER_MESSAGE);
  if (typeof status === "number") {
    const hint =
      status === 401 || status === 403
        ? " (the API key was refused: check OPENAI_API_KEY)"
        : status === 404
          ? " (unknown model or endpoint: check EMBEDDING_MODEL and that OPENAI_BASE_URL ends in /v1)"
          : status === 429
            ? " (rate limit or quota)"
            : status >= 500
              ? ` (server error; gave up after up to ${ctx.maxRetries} retries)`
              : "";
    return new EmbeddingError(`${prefix}: HTTP ${status}${hint}: ${serverMessage}`, { status });
  }
  if (field(error, "name") === "TimeoutError") {
    return new EmbeddingError(
      `${prefix}: no HTTP status, timed out after ${ctx.timeoutMs} ms (and up to ${ctx.maxRetries} retries)`,
    );
  }
  const code = networkCode(error);
  return new EmbeddingError(
    `${prefix}: no HTTP status, ${code ? `network error ${code}` : "request failed"}: ${serverMessage}`,
  );
}

/**
 * An embedder for any OpenAI-compatible `/v1/embeddings` endpoint (OpenAI, Ollama, vLLM), built on
 * LangChain's OpenAIEmbeddings. Async because, without configured dimensions, it asks the server
 * once so that `id` and `dimensions` are known before any vector is stored.
 */
export async function createOpenAIEmbedder(options: OpenAIEmbedderOptions): Promise<DenseEmbedder> {
  const baseURL = options.baseURL ?? OPENAI_BASE_URL;
  const url = displayURL(baseURL);
  const model = options.model;
  const batchSize = positiveInteger("batchSize", options.batchSize, 64);
  const maxRetries = positiveInteger("maxRetries", options.maxRetries, 3, 0);
  const timeoutMs = positiveInteger("timeoutMs", options.timeoutMs, 60_000);
  const configured =
    options.dimensions === undefined ? undefined : positiveInteger("dimensions", options.dimensions, 1);
  const ctx: FailureContext = { url, model, timeoutMs, maxRetries, scrub: makeScrubber(options.apiKey) };

  const client = new OpenAIEmbeddings({
    // Always a string: otherwise LangChain and the SDK fall back to reading OPENAI_API_KEY from
    // process.env, and only src/config.ts reads the environment.
    apiKey: options.apiKey || PLACEHOLDER_API_KEY,
    model,
    dimensions: configured,
    batchSize,
    // LangChain's AsyncCaller does the retrying (exponential backoff from 1 s); it forces the SDK's
    // own maxRetries to 0, so setting configuration.maxRetries would have no effect.
    maxRetries,
    // Top-level field: LangChain overwrites configuration.timeout with this one (even if undefined,
    // which would leave the SDK's 10-minute default).
    timeout: timeoutMs,
    // Not left unset: the openai SDK then asks for base64 and decodes the answer as float32 bytes,
    // and servers that ignore encoding_format (some Ollama versions) answer with a JSON array,
    // which that decoder silently turns into a vector a quarter of the real size. Nor "base64":
    // LangChain passes an explicit format through undecoded, handing back the base64 string.
    encodingFormat: "float",
    configuration: {
      baseURL,
      // Explicit nulls stop the SDK reading OPENAI_ORG_ID / OPENAI_PROJECT_ID from the environment.
      organization: null,
      project: null,
    },
  });

  const guard = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      throw toEmbeddingError(error, ctx);
    }
  };

  const check = (vector: unknown, expected: number | undefined): number[] => {
    if (!Array.isArray(vector) || vector.length === 0 || !vector.every((v) => Number.isFinite(v))) {
      throw new EmbeddingError(
        `Embedding with model "${model}" at ${url} returned something that is not a vector`,
      );
    }
    if (expected !== undefined && vector.length !== expected) {
      throw new EmbeddingError(
        `Embedding with model "${model}" at ${url} returned a vector of ${vector.length} dimensions, expected ${expected}` +
          " (does the server honour the dimensions setting? Is EMBEDDING_DIMENSIONS right for this model?)",
      );
    }
    return vector as number[];
  };

  let dimensions: number;
  if (configured === undefined) {
    dimensions = check(await guard(() => client.embedQuery(PROBE_TEXT)), undefined).length;
    options.logger?.info({ baseURL: url, model, dimensions }, "learned embedding dimensions from the server");
  } else {
    dimensions = configured;
  }

  return {
    id: `openai:${model}:${dimensions}`,
    model,
    dimensions,
    async embedDocuments(texts) {
      // No request for nothing: the API would answer an empty input list with a 400.
      if (texts.length === 0) return [];
      const vectors = await guard(() => client.embedDocuments(texts));
      if (vectors.length !== texts.length) {
        throw new EmbeddingError(
          `Embedding with model "${model}" at ${url} returned ${vectors.length} vectors for ${texts.length} texts`,
        );
      }
      return vectors.map((v) => check(v, dimensions));
    },
    async embedQuery(text) {
      return check(await guard(() => client.embedQuery(text)), dimensions);
    },
  };
}
