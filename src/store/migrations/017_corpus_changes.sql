-- 017: which passages each change of the corpus added or removed, so that a replica can bring its
-- in-process lexical index (src/retrieval/lexical-index.ts) up to date for the changed documents
-- only, instead of reading the whole store again. Written by statement-level triggers on chunks,
-- whatever code changes them; each row carries the passage's term ids, whose document frequencies
-- the replica reads again. Rows older than a day are pruned (corpus_stats.changes_pruned_to says
-- up to where): a replica further behind rebuilds its index whole.
CREATE TABLE corpus_changes (
  id        bigserial PRIMARY KEY,
  chunk_id  text NOT NULL,
  added     boolean NOT NULL,
  terms     integer[] NOT NULL,
  at        timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE corpus_stats ADD COLUMN changes_pruned_to bigint NOT NULL DEFAULT 0;

CREATE FUNCTION log_chunks_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO corpus_changes (chunk_id, added, terms) SELECT id, true, terms FROM added_rows ORDER BY id;
  RETURN NULL;
END $$;
CREATE FUNCTION log_chunks_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO corpus_changes (chunk_id, added, terms) SELECT id, false, terms FROM removed_rows ORDER BY id;
  RETURN NULL;
END $$;
CREATE TRIGGER chunks_added AFTER INSERT ON chunks REFERENCING NEW TABLE AS added_rows
  FOR EACH STATEMENT EXECUTE FUNCTION log_chunks_added();
CREATE TRIGGER chunks_removed AFTER DELETE ON chunks REFERENCING OLD TABLE AS removed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION log_chunks_removed();
