-- 001: the corpus: documents, their passages (chunks), and what lexical and dense search need.

CREATE EXTENSION IF NOT EXISTS vector;

-- One row per file of the corpus folder, keyed by its path relative to that folder.
CREATE TABLE documents (
  id            integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  path          text NOT NULL UNIQUE,
  title         text NOT NULL,
  url           text,
  publisher     text,
  author        text,
  published     date,
  content_hash  text NOT NULL,         -- sha256 of the file's bytes: unchanged files are skipped
  body          text NOT NULL,         -- the normalised text; chunk offsets point into it
  ingested_at   timestamptz NOT NULL DEFAULT now()
);

-- Passages. `id` is a content hash so citations stay stable while a document is unchanged.
CREATE TABLE chunks (
  id            text PRIMARY KEY,
  document_id   integer NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
  ordinal       integer NOT NULL,
  heading_path  jsonb NOT NULL,        -- ["Section", "Subsection"]
  text          text NOT NULL,         -- NFC, one tone-mark placement: quotes are substrings of it
  folded        text NOT NULL,         -- diacritic-free lower case, same length as text
  start_offset  integer NOT NULL,
  end_offset    integer NOT NULL,
  sentences     jsonb NOT NULL,        -- [{start, end, caption}] offsets into text
  length        integer NOT NULL,      -- BM25 length: number of terms (syllables + bigrams)
  terms         integer[] NOT NULL,    -- distinct hashed term ids: candidate selection through GIN
  lexical       sparsevec NOT NULL,    -- BM25 passage-side weights; question · passage = BM25 score
  UNIQUE (document_id, ordinal)
);

-- Scoring reads `lexical` for every candidate: kept inline it is about 2x faster than out of line.
-- MAIN (not PLAIN) so that an unusually long passage is compressed rather than refused.
ALTER TABLE chunks ALTER COLUMN lexical SET STORAGE MAIN;
ALTER TABLE chunks ALTER COLUMN terms SET STORAGE EXTERNAL;
CREATE INDEX chunks_terms_gin ON chunks USING gin (terms);
CREATE INDEX chunks_document ON chunks (document_id, ordinal);

-- Document frequency of each term, kept up to date as passages come and go (BM25's IDF).
CREATE TABLE term_stats (
  term  integer PRIMARY KEY,
  df    integer NOT NULL
);

-- Corpus-wide BM25 statistics. `avgdl_used` is the average length the stored weights were
-- computed with; when the live average drifts from it, the weights are recomputed.
CREATE TABLE corpus_stats (
  singleton     boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  chunk_count   integer NOT NULL DEFAULT 0,
  length_total  bigint NOT NULL DEFAULT 0,
  avgdl_used    double precision
);
INSERT INTO corpus_stats DEFAULT VALUES;

-- Dense embedders that have produced vectors. Only the configured one is searched: vectors of two
-- models are never compared.
CREATE TABLE embedders (
  id          text PRIMARY KEY,        -- "openai:<model>:<dimensions>"
  model       text NOT NULL,
  dimensions  integer NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- Dense vectors, one per chunk and embedder. The column has no fixed dimension so that any model
-- fits; each embedder gets its own partial HNSW index on `embedding::vector(N)` (created by the
-- store when the embedder is first used), with the cosine operator class, matching the `<=>`
-- operator the dense search uses.
CREATE TABLE chunk_embeddings (
  chunk_id     text NOT NULL REFERENCES chunks (id) ON DELETE CASCADE,
  embedder_id  text NOT NULL REFERENCES embedders (id) ON DELETE CASCADE,
  embedding    vector NOT NULL,
  PRIMARY KEY (embedder_id, chunk_id)
);
CREATE INDEX chunk_embeddings_chunk ON chunk_embeddings (chunk_id);
