-- 011: a revision number of the corpus, raised by every transaction that changes passages or their
-- weights (insert, replace, remove, reweight). The document and passage counts could not tell an
-- edited document from the old one when both had as many passages of the same total length; the
-- answer and retrieval caches and the in-process lexical index (src/retrieval/lexical-index.ts)
-- compare this number instead.
ALTER TABLE corpus_stats ADD COLUMN revision bigint NOT NULL DEFAULT 0;
