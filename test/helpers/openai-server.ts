/**
 * A real HTTP server that speaks enough of the OpenAI protocol (embeddings, chat completions,
 * audio transcriptions) for tests: the machine has no internet, and mocking client classes would not exercise the SDK's
 * URL building, headers, base64 decoding, error mapping and retries, which are what break in
 * production against OpenAI, Ollama or vLLM.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { z } from "zod";

export interface RecordedRequest {
  method: string;
  /** Path without the query string, e.g. "/v1/embeddings". */
  path: string;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body, or undefined when there was none (or it was not JSON). */
  body: unknown;
}

const chatMessageSchema = z.looseObject({ role: z.string(), content: z.unknown() });

const chatRequestSchema = z.looseObject({
  model: z.string(),
  messages: z.array(chatMessageSchema).min(1),
  temperature: z.number().optional(),
  stream: z.boolean().optional(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
  response_format: z.unknown().optional(),
});
export type ChatCompletionRequest = z.infer<typeof chatRequestSchema>;

const embeddingsRequestSchema = z.looseObject({
  model: z.string(),
  input: z.union([
    z.string(),
    z.array(z.string()).min(1),
    z.array(z.number().int()).min(1),
    z.array(z.array(z.number().int()).min(1)).min(1),
  ]),
  dimensions: z.number().int().min(1).optional(),
  encoding_format: z.enum(["float", "base64"]).optional(),
});

export interface OpenAIServerOptions {
  /** When set, every request must carry `Authorization: Bearer <apiKey>`, else 401. */
  apiKey?: string;
  /** Vector size when the request has no `dimensions` (default 64). */
  defaultDimensions?: number;
  /** Produces the assistant's reply for a chat completion (default: a fixed Vietnamese sentence). */
  chat?: (request: ChatCompletionRequest) => string | Promise<string>;
  /**
   * Always answer embeddings with float arrays, even when base64 was asked for, as some
   * OpenAI-compatible servers do; lets tests show what the client does with such a server.
   */
  ignoreEncodingFormat?: boolean;
  /** Always answer with `defaultDimensions`, like servers whose models have one fixed size. */
  ignoreDimensions?: boolean;
  /** The vector of one input text (default fakeEmbedding): a deterministic "model" built for a test. */
  embed?: (text: string, dimensions: number) => number[];
  /** The words heard in an uploaded audio file (default DEFAULT_TRANSCRIPT). */
  transcribe?: (audio: TranscriptionUpload) => string | Promise<string>;
}

/** What `POST /v1/audio/transcriptions` received: the multipart fields and the file. */
export interface TranscriptionUpload {
  model: string;
  language?: string;
  fileName: string;
  mimeType: string;
  bytes: Buffer;
}

export const DEFAULT_TRANSCRIPT = "Hà Nội đặt mục tiêu tăng trưởng kinh tế bao nhiêu?";

export interface FailOptions {
  /** Response headers of the failure; default `retry-after: 0` and `retry-after-ms: 1` so retries are fast. */
  headers?: Record<string, string>;
  /** The error message in the body (default names the status). */
  message?: string;
  /** The error code in the body, e.g. "insufficient_quota". */
  code?: string;
}

export interface OpenAIServer {
  /** Base URL ending in /v1, as clients expect for `baseURL`. */
  url: string;
  /** Every request received, in order, including the ones answered with a scripted fault. */
  requests: RecordedRequest[];
  /** The next `times` requests (default 1) get an error response with this status. */
  failNext(status: number, times?: number, options?: FailOptions): void;
  /** The next `times` requests (default 1) wait `ms` before being handled. */
  delayNext(ms: number, times?: number): void;
  close(): Promise<void>;
}

export const DEFAULT_CHAT_REPLY = "Đây là câu trả lời mẫu từ máy chủ thử nghiệm.";

/** Lower case, strip diacritics (NFD + combining marks, đ→d), split on anything not a letter or digit. */
export function foldWords(text: string): string[] {
  return text
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .replace(/đ/g, "d")
    .replace(/Đ/g, "D")
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0);
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * Deterministic vector: a hashed, signed bag of folded words, L2-normalised, rounded to float32 like the
 * real API, so texts sharing words have high cosine similarity and a base64 round trip is exact.
 */
export function fakeEmbedding(text: string, dimensions: number): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  const words = foldWords(text);
  // A text with no words (" ", "!!!") still needs a unit vector: cosine with a zero vector is NaN.
  for (const word of words.length > 0 ? words : [""]) {
    const hash = fnv1a(word);
    // A sign from the top bit (feature hashing): words that collide in a bucket cancel as often as
    // they add up, so unrelated texts stay near cosine 0 instead of drifting positive.
    vector[hash % dimensions] = (vector[hash % dimensions] ?? 0) + (hash >>> 31 === 1 ? -1 : 1);
  }
  const norm = Math.sqrt(vector.reduce((sum, v) => sum + v * v, 0));
  return vector.map((v) => Math.fround(v / norm));
}

/** What the API sends for `encoding_format: "base64"`: little-endian float32 bytes, base64. */
export function float32Base64(vector: number[]): string {
  const bytes = Buffer.alloc(vector.length * 4);
  vector.forEach((v, i) => {
    bytes.writeFloatLE(v, i * 4);
  });
  return bytes.toString("base64");
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type = "invalid_request_error",
    readonly code: string | null = null,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

type Fault = { status: number } & FailOptions;

export async function startOpenAIServer(options: OpenAIServerOptions = {}): Promise<OpenAIServer> {
  const defaultDimensions = options.defaultDimensions ?? 64;
  const chat = options.chat ?? (() => DEFAULT_CHAT_REPLY);
  const requests: RecordedRequest[] = [];
  const faults: Fault[] = [];
  const delays: number[] = [];
  // Pending delays, so close() can end them instead of leaving handlers waiting.
  const timers = new Map<NodeJS.Timeout, () => void>();
  let completionCounter = 0;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.set(timer, resolve);
    });

  function sendJson(
    res: ServerResponse,
    status: number,
    payload: unknown,
    headers: Record<string, string> = {},
  ) {
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(JSON.stringify(payload));
  }

  function sendError(res: ServerResponse, error: HttpError) {
    sendJson(
      res,
      error.status,
      { error: { message: error.message, type: error.type, param: null, code: error.code } },
      error.headers,
    );
  }

  function parse<T>(schema: z.ZodType<T>, body: unknown): T {
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new HttpError(
        400,
        `'$.${issue?.path.join(".") ?? ""}' is invalid: ${issue?.message ?? "bad request"}`,
      );
    }
    return parsed.data;
  }

  function handleEmbeddings(res: ServerResponse, body: unknown) {
    const request = parse(embeddingsRequestSchema, body);
    const dimensions = options.ignoreDimensions
      ? defaultDimensions
      : (request.dimensions ?? defaultDimensions);
    const input = request.input;
    // Token arrays stand for text the server cannot see; give each token a stable word of its own.
    const texts: string[] =
      typeof input === "string"
        ? [input]
        : input.every((item) => typeof item === "string")
          ? input
          : input.every((item) => typeof item === "number")
            ? [input.map((t) => `tok${t}`).join(" ")]
            : input.map((tokens) => (Array.isArray(tokens) ? tokens.map((t) => `tok${t}`).join(" ") : ""));
    // The real API refuses empty strings rather than inventing a vector for them.
    if (texts.some((t) => t.length === 0)) throw new HttpError(400, "'$.input' is invalid: empty string");
    const base64 = request.encoding_format === "base64" && !options.ignoreEncodingFormat;
    const tokens = texts.reduce((sum, t) => sum + Math.max(1, foldWords(t).length), 0);
    sendJson(res, 200, {
      object: "list",
      data: texts.map((text, index) => {
        const vector = (options.embed ?? fakeEmbedding)(text, dimensions);
        return { object: "embedding", index, embedding: base64 ? float32Base64(vector) : vector };
      }),
      model: request.model,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    });
  }

  async function handleChat(res: ServerResponse, body: unknown) {
    const request = parse(chatRequestSchema, body);
    const content = await chat(request);
    completionCounter += 1;
    const id = `chatcmpl-fake-${completionCounter}`;
    const created = Math.floor(Date.now() / 1000);
    const promptTokens = request.messages.reduce(
      (sum, m) => sum + (typeof m.content === "string" ? foldWords(m.content).length : 1),
      0,
    );
    const completionTokens = foldWords(content).length;
    const usage = {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
    };
    if (!request.stream) {
      sendJson(res, 200, {
        id,
        object: "chat.completion",
        created,
        model: request.model,
        choices: [
          {
            index: 0,
            message: { role: "assistant", content, refusal: null },
            finish_reason: "stop",
            logprobs: null,
          },
        ],
        usage,
      });
      return;
    }
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
      `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model: request.model, choices, ...extra })}\n\n`;
    res.write(chunk([{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }]));
    // Several content chunks (word by word, keeping the spaces) so clients really concatenate deltas.
    for (const piece of content.match(/\S+\s*|\s+/g) ?? []) {
      res.write(chunk([{ index: 0, delta: { content: piece }, finish_reason: null }]));
    }
    res.write(chunk([{ index: 0, delta: {}, finish_reason: "stop" }]));
    if (request.stream_options?.include_usage) res.write(chunk([], { usage }));
    res.end("data: [DONE]\n\n");
  }

  /**
   * The multipart form of a transcription request, read as the real API reads it: a `file` part
   * with a file name, and a `model` field. Whisper servers refuse a request without either.
   */
  async function readUpload(req: IncomingMessage, raw: Buffer): Promise<TranscriptionUpload> {
    const type = req.headers["content-type"] ?? "";
    if (!type.startsWith("multipart/form-data")) {
      throw new HttpError(400, "Content-Type must be multipart/form-data");
    }
    const form = await new Response(raw, { headers: { "content-type": type } }).formData();
    const file = form.get("file");
    const model = form.get("model");
    if (!(file instanceof Blob) || !("name" in file)) throw new HttpError(400, "'file' is required");
    if (typeof model !== "string" || !model) throw new HttpError(400, "'model' is required");
    const language = form.get("language");
    return {
      model,
      ...(typeof language === "string" ? { language } : {}),
      fileName: String(file.name),
      mimeType: file.type,
      bytes: Buffer.from(await file.arrayBuffer()),
    };
  }

  async function handleTranscription(res: ServerResponse, upload: TranscriptionUpload) {
    if (upload.bytes.length === 0) throw new HttpError(400, "The audio file is empty.");
    const text = await (options.transcribe ?? (() => DEFAULT_TRANSCRIPT))(upload);
    sendJson(res, 200, { text });
  }

  async function readBody(req: IncomingMessage): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    const raw = await readBody(req);
    const transcription = req.method === "POST" && path === "/v1/audio/transcriptions";
    let body: unknown;
    let badJson = false;
    let upload: TranscriptionUpload | undefined;
    if (transcription) {
      upload = await readUpload(req, raw).catch((error: unknown) => {
        requests.push({ method: "POST", path, headers: req.headers, body: undefined });
        throw error;
      });
      // Recorded without the audio itself: its size says enough.
      const { bytes, ...fields } = upload;
      body = { ...fields, size: bytes.length };
    } else if (raw.length > 0) {
      try {
        body = JSON.parse(raw.toString("utf8"));
      } catch {
        badJson = true;
      }
    }
    requests.push({ method: req.method ?? "GET", path, headers: req.headers, body });

    const delay = delays.shift();
    if (delay !== undefined) await sleep(delay);
    // The client gave up (its timeout) or the server closed while we waited: nobody to answer.
    if (res.destroyed || req.socket.destroyed) return;

    if (options.apiKey !== undefined && req.headers.authorization !== `Bearer ${options.apiKey}`) {
      throw new HttpError(401, "Incorrect API key provided.", "invalid_request_error", "invalid_api_key");
    }
    const fault = faults.shift();
    if (fault) {
      throw new HttpError(
        fault.status,
        fault.message ?? `Scripted failure with status ${fault.status}`,
        fault.status === 429 ? "rate_limit_error" : "server_error",
        fault.code ?? null,
        fault.headers ?? { "retry-after": "0", "retry-after-ms": "1" },
      );
    }
    if (badJson) throw new HttpError(400, "We could not parse the JSON body of your request.");
    if (req.method === "POST" && path === "/v1/embeddings") return handleEmbeddings(res, body);
    if (req.method === "POST" && path === "/v1/chat/completions") return handleChat(res, body);
    if (upload) return handleTranscription(res, upload);
    throw new HttpError(404, `Invalid URL (${req.method} ${path})`);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent || res.destroyed) {
        res.destroy();
        return;
      }
      sendError(res, error instanceof HttpError ? error : new HttpError(500, String(error), "server_error"));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    failNext(status, times = 1, failOptions = {}) {
      for (let i = 0; i < times; i++) faults.push({ status, ...failOptions });
    },
    delayNext(ms, times = 1) {
      for (let i = 0; i < times; i++) delays.push(ms);
    },
    close() {
      for (const [timer, resolve] of timers) {
        clearTimeout(timer);
        resolve();
      }
      timers.clear();
      // Clients keep connections alive; without closing them server.close() would wait for them.
      server.closeAllConnections();
      return new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
      });
    },
  };
}
