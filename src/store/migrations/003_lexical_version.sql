-- 003: which version of the lexical representation the stored BM25 weights were computed with.
-- When the code's version differs (e.g. the title became part of what is indexed), the next ingest
-- recomputes every passage's weights instead of waiting for a file to change.
ALTER TABLE corpus_stats ADD COLUMN lexical_version integer NOT NULL DEFAULT 1;
