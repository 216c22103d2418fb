import { OpenAIEmbeddings } from "@langchain/openai";
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createOpenAIEmbedder, type OpenAIEmbedderOptions } from "../../src/embeddings/openai-embedder.ts";
import { EmbeddingError } from "../../src/embeddings/types.ts";
import { type OpenAIServer, startOpenAIServer } from "../helpers/openai-server.ts";

const KEY = "sk-test-SECRET-123";
const MODEL = "text-embedding-3-small";

function cosine(a: number[], b: number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  a.forEach((x, i) => {
    const y = b[i] ?? 0;
    dot += x * y;
    na += x * x;
    nb += y * y;
  });
  return dot / Math.sqrt(na * nb);
}

/** The error a promise rejects with; fails the test if it resolves. */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) return error;
    throw new Error(`rejected with a non-Error: ${String(error)}`);
  }
  throw new Error("expected a rejection, but the promise resolved");
}

describe("createOpenAIEmbedder against a local OpenAI-compatible server", () => {
  let server: OpenAIServer;

  beforeEach(async () => {
    server = await startOpenAIServer({ apiKey: KEY });
  });
  afterEach(async () => {
    await server.close();
  });

  const embedder = (overrides: Partial<OpenAIEmbedderOptions> = {}) =>
    createOpenAIEmbedder({
      apiKey: KEY,
      baseURL: server.url,
      model: MODEL,
      dimensions: 32,
      maxRetries: 0,
      timeoutMs: 5_000,
      ...overrides,
    });

  const embeddingRequests = () => server.requests.filter((r) => r.path === "/v1/embeddings");

  it("returns vectors of the configured dimension, deterministically, and sends the key", async () => {
    const e = await embedder();
    expect(e.id).toBe(`openai:${MODEL}:32`);
    expect(e.dimensions).toBe(32);
    expect(server.requests).toHaveLength(0); // configured dimensions: no probe

    const [a, b] = await e.embedDocuments(["Nghị quyết Đại hội XIV", "Chương trình hành động"]);
    expect(a).toHaveLength(32);
    expect(b).toHaveLength(32);
    expect(await e.embedQuery("Nghị quyết Đại hội XIV")).toEqual(a);
    expect(await e.embedDocuments(["Nghị quyết Đại hội XIV"])).toEqual([a]);

    const first = server.requests[0];
    expect(first?.method).toBe("POST");
    expect(first?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(first?.body).toMatchObject({ model: MODEL, dimensions: 32, encoding_format: "float" });
  });

  it("gives texts sharing words a higher cosine than unrelated texts", async () => {
    const e = await embedder({ dimensions: 256 }); // enough buckets that hash collisions stay rare
    const [query, related, unrelated] = await e.embedDocuments([
      "chuyển đổi số trong cơ quan nhà nước",
      "đẩy mạnh chuyển đổi số ở các cơ quan",
      "trồng cây xanh ven hồ Tây",
    ]);
    if (!query || !related || !unrelated) throw new Error("missing vectors");
    expect(cosine(query, related)).toBeGreaterThan(0.5);
    expect(cosine(query, related)).toBeGreaterThan(cosine(query, unrelated) + 0.3);
  });

  it("splits documents into batches of batchSize", async () => {
    const e = await embedder({ batchSize: 2 });
    const texts = ["một", "hai", "ba", "bốn", "năm"];
    const vectors = await e.embedDocuments(texts);
    expect(vectors).toHaveLength(5);
    expect(embeddingRequests().map((r) => (r.body as { input: string[] }).input)).toEqual(
      expect.arrayContaining([["một", "hai"], ["ba", "bốn"], ["năm"]]),
    );
    expect(embeddingRequests()).toHaveLength(3);
    // Order must survive the batching (LangChain runs two batches concurrently).
    expect(vectors[4]).toEqual(await e.embedQuery("năm"));
  });

  it("learns the dimension from a probe when none is configured", async () => {
    await server.close();
    server = await startOpenAIServer({ defaultDimensions: 48 }); // a local server: no key needed
    const lines: string[] = [];
    const logger = pino({ level: "info" }, { write: (line: string) => void lines.push(line) });
    const e = await embedder({ apiKey: undefined, dimensions: undefined, logger });
    expect(e.dimensions).toBe(48);
    expect(lines.join("")).toContain('"dimensions":48');
    expect(e.id).toBe(`openai:${MODEL}:48`);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]?.body).not.toHaveProperty("dimensions");
    // The SDK insists on some key; a placeholder goes out instead of anything from process.env.
    expect(server.requests[0]?.headers.authorization).toBe("Bearer not-needed");
    expect(await e.embedQuery("Hà Nội")).toHaveLength(48);
  });

  it("retries a 429 that carries retry-after, then succeeds", { timeout: 10_000 }, async () => {
    const e = await embedder({ maxRetries: 2 });
    server.failNext(429, 1, { headers: { "retry-after": "0" } });
    expect(await e.embedQuery("thủ đô")).toHaveLength(32);
    expect(server.requests).toHaveLength(2);
  });

  it("does not retry a 429 without a retry hint (LangChain treats it as a capacity limit)", async () => {
    const e = await embedder({ maxRetries: 2 });
    server.failNext(429, 5, { headers: {} });
    const error = await rejection(e.embedQuery("thủ đô"));
    expect(error).toBeInstanceOf(EmbeddingError);
    expect(error.message).toContain("HTTP 429");
    expect(server.requests).toHaveLength(1);
  });

  it("rejects a persistent 500 with an EmbeddingError naming URL and status, without the key", {
    timeout: 10_000,
  }, async () => {
    // One retry keeps the test short: LangChain's backoff starts at 1-2 s and ignores retry-after on 5xx.
    const e = await embedder({ maxRetries: 1 });
    // A server (or proxy) that echoes the key back in its error message.
    server.failNext(500, 10, { message: `upstream refused Authorization: Bearer ${KEY} (key ${KEY})` });
    const error = await rejection(e.embedDocuments(["a", "b"]));
    expect(error).toBeInstanceOf(EmbeddingError);
    expect((error as EmbeddingError).status).toBe(500);
    expect(error.message).toContain(server.url);
    expect(error.message).toContain("HTTP 500");
    expect(error.message).not.toContain(KEY);
    expect(error.message).not.toContain("SECRET");
    expect(String(error.stack)).not.toContain(KEY);
    expect(server.requests).toHaveLength(2); // first attempt + one retry
  });

  it("reports a refused key as a 401 without retrying", async () => {
    const e = await embedder({ apiKey: "sk-wrong-key-456", maxRetries: 2 });
    const error = await rejection(e.embedQuery("x"));
    expect(error).toBeInstanceOf(EmbeddingError);
    expect(error.message).toContain("HTTP 401");
    expect(error.message).not.toContain("sk-wrong-key-456");
    expect(server.requests).toHaveLength(1);
  });

  it("turns a timeout into an EmbeddingError", async () => {
    const e = await embedder({ timeoutMs: 200 });
    server.delayNext(2_000);
    const error = await rejection(e.embedQuery("chậm"));
    expect(error).toBeInstanceOf(EmbeddingError);
    expect(error.message).toMatch(/timed out after 200 ms/);
    expect(error.message).toContain(server.url);
  });

  it("fails creation with an EmbeddingError when the server is unreachable", async () => {
    const url = server.url;
    await server.close();
    const error = await rejection(
      createOpenAIEmbedder({ apiKey: KEY, baseURL: url, model: MODEL, maxRetries: 0 }),
    );
    expect(error).toBeInstanceOf(EmbeddingError);
    expect(error.message).toContain(url);
    expect(error.message).toContain("ECONNREFUSED");
    server = await startOpenAIServer(); // for afterEach
  });

  it("rejects vectors of the wrong dimension", async () => {
    await server.close();
    // Like servers whose models have a fixed size and ignore the dimensions field.
    server = await startOpenAIServer({ apiKey: KEY, defaultDimensions: 16, ignoreDimensions: true });
    const e = await embedder({ dimensions: 32 });
    const error = await rejection(e.embedDocuments(["x"]));
    expect(error).toBeInstanceOf(EmbeddingError);
    expect(error.message).toContain("16 dimensions, expected 32");
  });

  it("asks for float vectors, so servers that ignore encoding_format still give full-size vectors", async () => {
    await server.close();
    server = await startOpenAIServer({ apiKey: KEY, defaultDimensions: 32, ignoreEncodingFormat: true });
    const e = await embedder({ dimensions: undefined });
    expect(e.dimensions).toBe(32);

    // What the bare client does by default: asks for base64 and decodes the JSON array it gets
    // instead as float32 bytes, silently yielding a vector a quarter of the size.
    const bare = new OpenAIEmbeddings({ apiKey: KEY, model: MODEL, configuration: { baseURL: server.url } });
    expect(await bare.embedQuery("x")).toHaveLength(8);
    expect(server.requests.at(-1)?.body).toMatchObject({ encoding_format: "base64" });
  });

  it("decodes base64 answers when the SDK default is used against a conforming server", async () => {
    const bare = new OpenAIEmbeddings({
      apiKey: KEY,
      model: MODEL,
      dimensions: 32,
      configuration: { baseURL: server.url },
    });
    const e = await embedder();
    expect(await bare.embedQuery("Thủ đô Hà Nội")).toEqual(await e.embedQuery("Thủ đô Hà Nội"));
  });
});
