import { ChatOpenAI } from "@langchain/openai";

export interface ChatModelOptions {
  /** Absent for local servers (Ollama, vLLM) that need none. */
  apiKey?: string;
  /** Any OpenAI-compatible base URL ending in /v1; default OpenAI's. */
  baseURL?: string;
  model: string;
  /** Per HTTP attempt (the SDK's own timeout); callers also bound the whole call with a signal. */
  timeoutMs: number;
  /** Retries after a 5xx, a 429 with a short retry hint, a per-attempt timeout or a network error. */
  maxRetries: number;
  /** Default 0: answers must stick to the passages, not be creative. */
  temperature?: number;
}

const OPENAI_BASE_URL = "https://api.openai.com/v1";
/** The openai SDK refuses to start without a key; local servers ignore the header. */
const PLACEHOLDER_API_KEY = "not-needed";

function checkInteger(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`Invalid chat model option ${name}: ${value} (expected an integer >= ${min})`);
  }
  return value;
}

/**
 * A LangChain chat model for any OpenAI-compatible `/v1/chat/completions` endpoint. Everything
 * is passed explicitly: left unset, LangChain and the openai SDK read OPENAI_API_KEY,
 * OPENAI_BASE_URL / OPENAI_API_BASE, OPENAI_ORG_ID, OPENAI_PROJECT_ID, OPENAI_ADMIN_KEY and even
 * LANGSMITH_GATEWAY (which reroutes requests) from process.env, and only src/config.ts reads the
 * environment.
 */
export function createChatModel(options: ChatModelOptions): ChatOpenAI {
  const baseURL = options.baseURL ?? OPENAI_BASE_URL;
  try {
    new URL(baseURL);
  } catch {
    throw new Error("Invalid chat model base URL (not an absolute URL)");
  }
  if (options.model.trim() === "") throw new Error("Invalid chat model option model: empty");
  const temperature = options.temperature ?? 0;
  if (!Number.isFinite(temperature) || temperature < 0 || temperature > 2) {
    throw new Error(`Invalid chat model option temperature: ${temperature} (expected 0..2)`);
  }
  return new ChatOpenAI({
    apiKey: options.apiKey || PLACEHOLDER_API_KEY,
    model: options.model,
    temperature,
    // LangChain's AsyncCaller does the retrying (exponential backoff from 1 s); it forces the
    // SDK's own maxRetries to 0.
    maxRetries: checkInteger("maxRetries", options.maxRetries, 0),
    // Top-level field: LangChain overwrites configuration.timeout with it (undefined would leave
    // the SDK's 10-minute default).
    timeout: checkInteger("timeoutMs", options.timeoutMs, 1),
    streaming: false,
    configuration: {
      baseURL,
      // Explicit nulls stop the SDK reading OPENAI_ORG_ID / OPENAI_PROJECT_ID / OPENAI_ADMIN_KEY.
      organization: null,
      project: null,
      adminAPIKey: null,
    },
  });
}

/**
 * Text safe to log or return: the key itself, bearer tokens and anything shaped like an OpenAI
 * key removed (servers and proxies sometimes echo a key, or part of one, in their error messages).
 */
export function scrubSecrets(text: string, apiKey?: string): string {
  let out = apiKey && apiKey.length >= 4 ? text.split(apiKey).join("[redacted]") : text;
  out = out.replace(/\bBearer\s+\S+/gi, "Bearer [redacted]").replace(/\bsk-[\w-]{4,}/g, "sk-[redacted]");
  return out;
}
