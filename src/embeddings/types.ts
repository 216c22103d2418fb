export interface DenseEmbedder {
  /** Stable identity of the vectors this embedder makes, e.g. "openai:text-embedding-3-small:1536". Vectors with different ids are never compared. */
  readonly id: string;
  readonly model: string;
  readonly dimensions: number;
  embedDocuments(texts: string[]): Promise<number[][]>;
  embedQuery(text: string): Promise<number[]>;
}

/**
 * A failure to embed, with a message meant for the user (which server, which HTTP status, what to
 * check). It never contains the API key, and deliberately carries no `cause`: the underlying SDK
 * error holds the raw server message and request details, which a logger would print.
 */
export class EmbeddingError extends Error {
  /** HTTP status of the failed response, when there was one. */
  readonly status: number | undefined;

  constructor(message: string, options: { status?: number } = {}) {
    super(message);
    this.name = "EmbeddingError";
    this.status = options.status;
  }
}
