-- 006: pick lexical candidates through a GIN index on the question's rarest terms.
-- A full scan scores every passage (~1 µs each in PostgreSQL: ~100 ms at 100k passages). Instead
-- the retriever takes the question's rarest terms (rarest first, until their document frequencies
-- add up to a few thousand), finds the passages holding any of them through this index, and
-- scores only those, exactly, with the inline sparsevec (measured in
-- ../shared/bench/RETRIEVAL-NOTES.md and by `npm run bench:retrieval -- --distractors N`).
-- fastupdate (the default) queues new entries in a pending list that is merged in bulk, which
-- keeps ingestion fast; searches read the pending list too.
CREATE INDEX IF NOT EXISTS chunks_terms_gin ON chunks USING gin (terms);

-- UNIQUE (document_id, ordinal) already indexes what this one did: one index less to maintain.
DROP INDEX IF EXISTS chunks_document;

-- The candidate query as a function, so that the planner setting it needs is scoped to it and a
-- search costs one round trip. Without it the planner prefers a sequential scan with the `&&`
-- filter, which is ~10x slower. `question` is the weighted question vector, `rare` the term ids
-- that select candidates, `k` how many to return, best first (ties by id, as the full scan).
CREATE FUNCTION lexical_candidates(question sparsevec, rare integer[], k integer)
RETURNS TABLE (id text, distance double precision)
LANGUAGE sql STABLE PARALLEL SAFE
SET enable_seqscan = off
AS $$
  SELECT c.id, c.lexical <#> question AS distance
    FROM chunks c
   WHERE c.terms && rare
   ORDER BY 2, 1
   LIMIT k
$$;
