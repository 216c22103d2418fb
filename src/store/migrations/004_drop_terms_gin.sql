-- 004: drop the GIN index on chunks.terms.
-- Retrieval scores passages with the sparsevec inner product and no longer filters candidates by
-- `terms && …` (that filter kept ~all passages and doubled latency at the ALQAC size). Maintaining
-- the index cost about 20 % of bulk ingestion (ALQAC on PostgreSQL: 425 → 502 chunks/s, same run).
-- `terms` stays: it is what keeps document frequencies exact when a document is replaced or removed.
-- Candidate selection through a GIN index on the question's rarest terms, measured in
-- ../shared/bench/RETRIEVAL-NOTES.md for 100k passages, would bring an index back with its own
-- migration when the corpus grows that large.
DROP INDEX IF EXISTS chunks_terms_gin;
