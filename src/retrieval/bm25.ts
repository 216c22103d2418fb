// BM25 lives in src/text/bm25.ts (the store writes its weights); ingest/bench/ still imports it from here.
export * from "../text/bm25.ts";
